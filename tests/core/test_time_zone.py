"""Pages show times in the user's time zone (the browser's, in the `tz` cookie); the API keeps
the contract's Asia/Shanghai."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from core.middleware import UserTimeZoneMiddleware


def zone_seen(path: str, cookie: str | None) -> str:
    request = RequestFactory().get(path)
    if cookie is not None:
        request.COOKIES["tz"] = cookie
    middleware = UserTimeZoneMiddleware(lambda request: HttpResponse(timezone.get_current_timezone_name()))
    return middleware(request).content.decode()


@pytest.mark.parametrize(
    ("cookie", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("America/New_York", "America/New_York"),
        (None, "Asia/Shanghai"),
        ("Not/AZone", "Asia/Shanghai"),
        ("../../etc/passwd", "Asia/Shanghai"),
        ("", "Asia/Shanghai"),
    ],
)
def test_pages_use_the_browsers_zone_when_it_is_real(cookie, expected):
    assert zone_seen("/reception/", cookie) == expected
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"  # deactivated afterwards


def test_the_api_keeps_the_contracts_zone():
    assert zone_seen("/api/v1/tasks/", "Europe/Berlin") == "Asia/Shanghai"
