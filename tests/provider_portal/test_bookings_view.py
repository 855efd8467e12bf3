"""The providers' live view (实时安排进度): a provider's rooms taken and venues busy, day by day,
across every jurisdiction it serves, read from the public booking index (one query, whatever the
number of jurisdictions), and freed when a task is cancelled."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from provider_portal.models import BookingIndex
from tests.conftest import api, count_queries, in_tenant
from tests.provider_portal.test_pages import page_client, text
from tests.reception.factories import GuestFactory, TaskFactory

pytestmark = pytest.mark.django_db


def _task_with_rooms(code: str, hotel: Any, title: str, rooms: list[str], check_in: str, check_out: str) -> Any:
    with in_tenant(code):
        task = TaskFactory(title=title, start_date=dt.date(2026, 5, 6), end_date=dt.date(2026, 5, 8))
        for n, _room in enumerate(rooms):
            GuestFactory(task=task, name=f"{title}{n}", grade="division")
    body = {
        "provider": hotel.pk,
        "rooms": [{"number": r, "type": "standard"} for r in rooms],
        "check_in": check_in,
        "check_out": check_out,
    }
    response = api(code, f"{code}-drafter").post(f"/api/v1/tasks/{task.pk}/lodging/allocate/", body, format="json")
    assert response.status_code == 200, response.json()
    return task


def days_of(response: Any) -> dict[str, tuple[int, int]]:
    page = text(response)
    found = {}
    for chunk in page.split('data-testid="booking-day"')[1:]:
        day = chunk.split('data-day="')[1][:10]
        found[day] = (chunk.count('data-testid="room"'), chunk.count('data-testid="venue"'))
    return found


def test_the_live_view_shows_each_night_across_jurisdictions(providers: dict[str, Any]) -> None:
    hotel = providers["hotel"]  # serves 340100 and 340123
    hefei = _task_with_rooms("340100", hotel, "合肥接待", ["601", "602"], "2026-05-06", "2026-05-08")
    _task_with_rooms("340123", hotel, "肥西接待", ["601"], "2026-05-07", "2026-05-09")
    client = page_client(None, "p-hotel")
    with count_queries() as queries:
        response = client.get("/provider/bookings/?from=2026-05-05&days=5")
    assert response.status_code == 200
    assert days_of(response) == {
        "2026-05-05": (0, 0),
        "2026-05-06": (2, 0),
        "2026-05-07": (3, 0),  # 601 and 602 in 合肥, 601 in 肥西 (another jurisdiction's room 601)
        "2026-05-08": (1, 0),
        "2026-05-09": (0, 0),
    }
    assert "肥西接待" in text(response) and "合肥接待" in text(response)
    index_reads = [q for q in queries if "provider_portal_bookingindex" in q]
    assert len(index_reads) == 1 and not [q for q in queries if '"j340' in q]
    # Cancelling frees the nights; another provider sees none of it.
    cancelled = api("340100", "340100-drafter").post(
        f"/api/v1/tasks/{hefei.pk}/cancel/", {"reason": "来访取消"}, format="json"
    )
    assert cancelled.status_code == 200
    assert days_of(client.get("/provider/bookings/?from=2026-05-06&days=2")) == {
        "2026-05-06": (0, 0),
        "2026-05-07": (1, 0),
    }
    assert days_of(page_client(None, "p-restaurant").get("/provider/bookings/?from=2026-05-06&days=2")) == {
        "2026-05-06": (0, 0),
        "2026-05-07": (0, 0),
    }
    assert BookingIndex.objects.filter(jurisdiction_code="340100").count() == 0


def test_the_live_view_is_for_providers_only(providers: dict[str, Any]) -> None:
    assert page_client(None, "340100-drafter").get("/provider/bookings/").status_code == 403
    assert page_client(None).get("/provider/bookings/").status_code == 302  # to sign in
    bad = page_client(None, "p-hotel").get("/provider/bookings/?from=not-a-date&days=x")
    assert bad.status_code == 200 and len(days_of(bad)) == 7
    for query in ("from=9999-12-31&days=31", "from=0001-01-01", "days=-5", "days=100000"):
        response = page_client(None, "p-hotel").get(f"/provider/bookings/?{query}")
        assert response.status_code == 200, query  # the week from today instead of a 500
        assert 1 <= len(days_of(response)) <= 31, query
