"""While an amendment is open (`amending`, `amendment_submitted`) the approved plan stays in force
outside the plan's editors: the guests' itinerary link, the schedule entries of plan items (and
the messages their changes send), the seating chart and its PDF show the approved revision;
the amendment's approval brings its edits to each of them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from core.models import Notification
from reception.models import ScheduleChange, ScheduleEntry, Task
from reception.tokens import itinerary_token
from tests.conftest import api, in_tenant, refused
from tests.reception.conftest import snapshot, task_url
from tests.reception.factories import at

pytestmark = pytest.mark.django_db
OLD_VENUE, NEW_VENUE = "市政府机关食堂", "滨湖国际会展中心"


def call(username: str, task: Any, path: str, data: dict[str, Any] | None = None, method: str = "post") -> Any:
    client = api("340100", f"340100-{username}")
    return getattr(client, method)(task_url(task, path), data or {}, format="json")


def itinerary(task: Any) -> str:
    token = itinerary_token(schema="j340100", task_id=task.pk, generation=0)
    page = Client(HTTP_HOST="hefei.localhost").get(f"/itinerary/{token}/")
    assert page.status_code == 200
    return page.content.decode()


@pytest.fixture
def amending(draft: Any) -> dict[str, Any]:
    """The draft approved with a schedule entry for its lunch, then amended: the lunch moved to
    another venue and an hour later, a guest added."""
    with in_tenant("340100"):
        item = draft.items.get()
    body = {"starts_at": at(9).isoformat(), "ends_at": at(10).isoformat(), "title": "工作午餐", "venue": "x"}
    entry = call("drafter", draft, "schedule/", {**body, "item": item.pk}).json()
    with in_tenant("340100"):
        Task.objects.filter(pk=draft.pk).update(status="in_progress")
    assert call("handler", draft, "amend/", {"reason": "会场调整"}).status_code == 200
    patch = {"venue": NEW_VENUE, "starts_at": at(13).isoformat()}
    assert call("drafter", draft, f"items/{item.pk}/", patch, "patch").status_code == 200
    guest = {"name": "孙强", "unit": "国家发改委", "post": "处长", "grade": "division"}
    added = call("drafter", draft, "guests/", guest)
    assert added.status_code == 201, added.json()
    return {"task": draft, "item": item, "entry": entry}


def entry_row(entry: dict[str, Any]) -> tuple[Any, str]:
    with in_tenant("340100"):
        row = ScheduleEntry.objects.get(pk=entry["id"])
        return row.starts_at, row.venue


def seat_names(task: Any) -> list[str]:
    chart = call("drafter", task, "seating/?layout=podium", method="get").json()
    return sorted(seat["name"] for seat in chart["seats"])


def approve(task: Any) -> None:
    assert call("drafter", task, "submit/").status_code == 200
    response = call("reviewer", task, "approve/")
    assert response.status_code == 200, response.json()


def test_the_itinerary_shows_the_approved_plan_until_the_amendment_is_approved(amending):
    task = amending["task"]
    html = itinerary(task)
    assert OLD_VENUE in html and NEW_VENUE not in html and "12:00" in html
    assert call("drafter", task, "submit/").status_code == 200  # submitted: still the approved plan
    assert NEW_VENUE not in itinerary(task)
    assert call("reviewer", task, "approve/").status_code == 200
    html = itinerary(task)
    assert NEW_VENUE in html and "13:00" in html


def test_schedule_entries_of_items_follow_only_the_approval(amending, django_capture_on_commit_callbacks):
    task, entry = amending["task"], amending["entry"]
    assert entry_row(entry) == (at(12), OLD_VENUE)
    with in_tenant("340100"):
        assert not ScheduleChange.objects.filter(entry_id=entry["id"], action="updated").exists()
    assert not Notification.objects.filter(event="reception.schedule.updated").exists()
    listed = call("drafter", task, "schedule/", method="get").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(r["venue"]) for r in rows if r["id"] == entry["id"]] == [OLD_VENUE]
    with django_capture_on_commit_callbacks(execute=True):
        approve(task)
    assert entry_row(entry) == (at(13), NEW_VENUE)
    with in_tenant("340100"):
        assert ScheduleChange.objects.filter(entry_id=entry["id"], action="updated").count() == 1


def test_a_linked_entry_cannot_move_while_the_amendment_is_open(amending):
    task, entry = amending["task"], amending["entry"]
    before = snapshot()
    refusal = call("handler", task, f"schedule/{entry['id']}/", {"venue": "省委接待处"}, "patch")
    refused(refusal, 409, "item_linked")
    assert snapshot() == before and entry_row(entry) == (at(12), OLD_VENUE)


def test_a_new_entry_for_an_item_takes_the_approved_time(amending):
    task, item = amending["task"], amending["item"]
    body = {"starts_at": at(9).isoformat(), "ends_at": at(10).isoformat(), "title": "午餐", "venue": "x"}
    created = call("handler", task, "schedule/", {**body, "item": item.pk})
    assert created.status_code == 201, created.json()
    assert created.json()["venue"] == OLD_VENUE
    # an item the amendment adds has no approved time yet
    added = call(
        "drafter",
        task,
        "items/",
        {
            "kind": "visit",
            "starts_at": at(15).isoformat(),
            "venue": "科学城",
            "guests_count": 2,
            "unit_price": "0",
            "quantity": 1,
        },
    )
    assert added.status_code == 201, added.json()
    before = snapshot()
    refused = call("handler", task, "schedule/", {**body, "item": added.json()["id"]})
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "not_found"
    assert snapshot() == before


def test_the_seating_chart_seats_the_approved_guests(amending):
    task = amending["task"]
    assert "孙强" not in seat_names(task)
    pdf = call("drafter", task, "seating.pdf", method="get")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    approve(task)
    assert "孙强" in seat_names(task)
