"""The public intake form's limit: submissions per client address and hour (`core.ratelimit`)."""

from __future__ import annotations

from django.conf import settings

from core.ratelimit import rate_hit

WINDOW_SECONDS = 3600


def intake_limit() -> int:
    return int(getattr(settings, "RECEPTION_INTAKE_PER_HOUR", 10))


def intake_hit(ip: str | None) -> bool:
    """Count one submission from `ip`; False once the address has used up this hour's allowance."""
    return not rate_hit("reception-intake", ip, limit=intake_limit(), window=WINDOW_SECONDS)
