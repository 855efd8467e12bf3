"""Process-level middleware: the health check, the request id, the read-replica pin, the
Content-Security-Policy."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from core.context import request_id_var
from core.db.replica import SAFE_METHODS, pin_client, pinned_by_client, replica_configured, request_scope

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class HealthCheckMiddleware:
    """Answers /healthz on any host before host validation, for load balancers and compose."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            except Exception:  # the database is what is unhealthy; say so
                return JsonResponse({"status": "unavailable"}, status=503)
            return JsonResponse({"status": "ok"})
        return self.get_response(request)


class RequestIdMiddleware:
    """Takes X-Request-ID from the proxy (when well-formed) or makes one; echoes it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class ReplicaPinMiddleware:
    """Read-your-writes with a read replica (core/db/replica.py): a request that is not a safe
    method, or whose client wrote a moment ago, reads only from the primary, and so does the rest
    of a request once it wrote; a request that wrote pins its client for a few seconds. Does
    nothing without DATABASE_REPLICA_URL."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        pinned = request.method not in SAFE_METHODS or pinned_by_client(request)
        with request_scope(request, pinned=pinned) as scope:
            response = self.get_response(request)
            if scope.wrote:
                pin_client(request, response)
        return response


class ContentSecurityPolicyMiddleware:
    """Sends CONTENT_SECURITY_POLICY on every response that has none: pages load script and style
    from this site only, never inline (an injected `<script>` or `onclick=` does not run). The API
    documentation page (Swagger UI, `CONTENT_SECURITY_POLICY_DOCS`) may also use inline style."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            docs = request.path.startswith("/api/docs/")
            policy = settings.CONTENT_SECURITY_POLICY_DOCS if docs else settings.CONTENT_SECURITY_POLICY
            response["Content-Security-Policy"] = policy
        return response


#: The cookie static/js/app.js sets to the browser's IANA time zone (e.g. "Europe/Berlin").
TIME_ZONE_COOKIE = "tz"


def user_time_zone(request: HttpRequest) -> Any:
    """The browser's time zone from its cookie, when it names a real zone; None otherwise."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = request.COOKIES.get(TIME_ZONE_COOKIE, "")
    if not name or len(name) > 64 or ".." in name or name.startswith("/"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


class UserTimeZoneMiddleware:
    """Pages show times in the user's own time zone (the browser's, sent by app.js in a cookie);
    without one, in TIME_ZONE (Asia/Shanghai). The API keeps TIME_ZONE, as its contract says."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        from django.utils import timezone

        zone = None if request.path.startswith("/api/") else user_time_zone(request)
        if zone is None:
            return self.get_response(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
