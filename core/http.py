"""Small HTTP helpers: the client address and URLs on other hosts of the platform."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


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
