"""Anonymous uploads, refused before they are parsed.

Django parses a multipart body as soon as anything reads `request.POST` (the CSRF check does, on
every page), spooling its files to disk: an anonymous caller could make every worker read and
store large bodies, as often as it likes. No anonymous form of the product sends files, so an
anonymous multipart body is limited in size (`ANONYMOUS_MULTIPART_MAX_BYTES`, from its declared
length: 413 `too_large`) and in rate per client address (`ANONYMOUS_MULTIPART_RATE` per
`ANONYMOUS_MULTIPART_WINDOW` seconds: 429 `rate_limited`), both before a byte of it is read. A
signed-in caller (a session or a valid API token) is not limited here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed

from core.authentication import TokenAuthentication
from core.http import client_ip
from core.ratelimit import rate_hit

WRITES = frozenset({"POST", "PUT", "PATCH"})


def _signed_in(request: HttpRequest) -> bool:
    if request.user.is_authenticated:
        return True
    scheme, _space, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme != "Token" or not token:
        return False
    try:
        TokenAuthentication().authenticate_credentials(token.strip().encode())
    except AuthenticationFailed:
        return False
    return True


def _refusal(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    body = {
        "detail": message,
        "code": code,
        "errors": [{"field": "non_field_errors", "code": code, "message": message}],
    }
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name] = value
    return response


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _over_rate(request: HttpRequest) -> int:
    """Seconds to wait when this address has sent its share of the current window, else 0."""
    return rate_hit(
        "anonymous-multipart",
        client_ip(request),
        limit=settings.ANONYMOUS_MULTIPART_RATE,
        window=settings.ANONYMOUS_MULTIPART_WINDOW,
    )


def anonymous_multipart_refusal(request: HttpRequest) -> HttpResponse | None:
    """413 or 429 for an anonymous multipart body past the limits; None otherwise."""
    if request.method not in WRITES or not (request.content_type or "").startswith("multipart/"):
        return None
    if _signed_in(request):
        return None
    limit = settings.ANONYMOUS_MULTIPART_MAX_BYTES
    if _declared_length(request) > limit:
        message = _("未登录时上传的内容不能超过 %(n)s KB。") % {"n": limit // 1024}
        return _refusal(413, "too_large", message)
    wait = _over_rate(request)
    if wait:
        return _refusal(429, "rate_limited", _("请求过于频繁，请稍后再试。"), **{"Retry-After": str(wait)})
    return None


class AnonymousMultipartMiddleware:
    """Applies `anonymous_multipart_refusal` before any view or the CSRF check reads the body
    (placed after AuthenticationMiddleware: it needs `request.user`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return anonymous_multipart_refusal(request) or self.get_response(request)
