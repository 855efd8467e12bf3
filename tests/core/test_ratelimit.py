"""The one rate limiter (`core.ratelimit`): a fixed window per scope and client in the shared cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from core import ratelimit
from core.ratelimit import rate_hit


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 1_800_000_000.0}  # a window boundary for a window of 100 s
    monkeypatch.setattr(ratelimit.time, "time", lambda: now["t"])
    cache.clear()
    yield now
    cache.clear()


def test_within_the_limit_then_refused_with_the_seconds_left(clock):
    assert [rate_hit("s", "1.2.3.4", limit=3, window=100) for _ in range(3)] == [0, 0, 0]
    clock["t"] += 40
    assert rate_hit("s", "1.2.3.4", limit=3, window=100) == 60  # refused: 60 s to the window's end
    clock["t"] += 60  # the next window starts afresh
    assert rate_hit("s", "1.2.3.4", limit=3, window=100) == 0


def test_scopes_and_clients_count_apart(clock):
    assert rate_hit("a", "1.2.3.4", limit=1, window=100) == 0
    assert rate_hit("a", "1.2.3.4", limit=1, window=100) > 0
    assert rate_hit("b", "1.2.3.4", limit=1, window=100) == 0  # another scope
    assert rate_hit("a", "5.6.7.8", limit=1, window=100) == 0  # another client
    assert rate_hit("a", None, limit=1, window=100) == 0  # an unknown address counts as one client
    assert rate_hit("a", None, limit=1, window=100) > 0


def test_every_limiter_of_the_project_uses_it(clock, settings):
    """The intake form and onboarding count through `rate_hit` (their own scopes)."""
    from reception.throttle import intake_hit
    from tenants.onboarding import application_throttle_hit

    settings.RECEPTION_INTAKE_PER_HOUR = 1
    settings.ONBOARDING_APPLICATIONS_PER_HOUR = 1
    assert intake_hit("9.9.9.9") and not intake_hit("9.9.9.9")
    assert application_throttle_hit("9.9.9.9") and not application_throttle_hit("9.9.9.9")
