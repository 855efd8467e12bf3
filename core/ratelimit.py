"""The one rate limiter: a fixed-window counter per client in the shared cache.

Used by the public intake form (per address and hour), onboarding applications (per address and
hour) and anonymous multipart uploads (per address and window). The cache is the project's shared
one (Redis in production), so every worker process counts together. Limits that must survive a
cache flush or be audited (sign-in failures, itinerary SMS) are kept in the database instead
(`core.services.login_attempt`, `reception.services.links`).
"""

from __future__ import annotations

import time

from django.core.cache import cache


def rate_hit(scope: str, client: str | None, *, limit: int, window: int) -> int:
    """Count one attempt of `client` in `scope`; 0 while within `limit` attempts per `window`
    seconds, else the seconds until the window ends (the caller answers 429 with Retry-After)."""
    now = int(time.time())
    key = f"rate:{scope}:{client or 'unknown'}:{now // window}"
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: this is the window's first
            cache.add(key, 1, timeout=window + 1)
            count = 1
    return window - now % window if count > limit else 0
