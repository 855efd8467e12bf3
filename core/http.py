"""Small HTTP helpers: the client address, URLs on other hosts of the platform, stored files."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.files import File
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.errors import NotFound

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; X-Forwarded-For is trusted only through TRUSTED_PROXY_COUNT proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def host_url(request: HttpRequest, host: str, path: str = "/") -> str:
    """An absolute URL on another host of the platform, keeping this request's scheme and port."""
    port = request.get_port()
    default = "443" if request.is_secure() else "80"
    port_part = "" if port == default else f":{port}"
    return f"{request.scheme}://{host}{port_part}{path}"


def public_url(request: HttpRequest, path: str = "/") -> str:
    return host_url(request, settings.BASE_DOMAIN, path)


def open_stored(field_file: Any) -> File:
    """Open an uploaded file for a download. A file gone from storage (a restored database without
    its media, a manual deletion) is logged and answered 404 with a clear message, never a 500."""
    try:
        return field_file.open("rb")
    except FileNotFoundError:
        logger.error("stored file missing: %s", field_file.name)
        raise NotFound(_("文件已不存在，请联系管理员。"), code="file_missing") from None


def site_url(host: str, path: str = "/") -> str:
    """An absolute URL on a platform host for a message sent without a request (SITE_SCHEME,
    SITE_PORT): what a recipient clicks in an e-mail or an SMS."""
    port = str(settings.SITE_PORT or "")
    default = "443" if settings.SITE_SCHEME == "https" else "80"
    port_part = "" if port in ("", default) else f":{port}"
    return f"{settings.SITE_SCHEME}://{host}{port_part}{path}"
