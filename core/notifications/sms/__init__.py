"""SMS gateways: `log` (development), Alibaba Cloud SMS (`aliyun`), Tencent Cloud SMS (`tencent`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from core.notifications.backends import DeliveryError


def template_id(kind: str) -> str:
    """The vendor's approved template for a message kind (SMS_TEMPLATES); none is a permanent failure."""
    value = settings.SMS_TEMPLATES.get(kind) or settings.SMS_TEMPLATES.get("*", "")
    if not value:
        raise DeliveryError(f"no SMS template configured for {kind!r}", code="template_missing", permanent=True)
    return str(value)


def endpoint(default_host: str) -> tuple[str, str]:
    """(scheme, host[:port]) of the gateway: SMS_ENDPOINT (a private or government cloud's
    address, or a test's stand-in) or the vendor's public one over HTTPS."""
    configured = settings.SMS_ENDPOINT
    if not configured:
        return "https", default_host
    parts = urlsplit(configured if "://" in configured else f"https://{configured}")
    return parts.scheme or "https", parts.netloc


def credential(name: str) -> str:
    value = str(getattr(settings, name, "") or "")
    if not value:
        raise DeliveryError(f"{name} is not configured", code="credentials_missing", permanent=True)
    return value
