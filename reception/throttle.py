"""A fixed-window counter per client address in the cache (the public intake form's limit)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def intake_limit() -> int:
    return int(getattr(settings, "RECEPTION_INTAKE_PER_HOUR", 10))


def intake_hit(ip: str | None) -> bool:
    """Count one submission from `ip`; False once the address has used up this hour's allowance."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"reception:intake:{ip or 'unknown'}:{window}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=WINDOW_SECONDS)
            count = 1
    return count <= intake_limit()
