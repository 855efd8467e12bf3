"""Schedule entries that show a plan item stay in step with it: the item's new time or venue
shows in its entries (kept in the schedule's history); an entry's new time or venue is the item's
too while the plan may be edited, and after approval only an amendment changes it (409)."""

from __future__ import annotations

import pytest

from reception.models import PlanItem, ScheduleChange, ScheduleEntry, Task
from tests.conftest import api, in_tenant, refused
from tests.reception.conftest import snapshot, task_url
from tests.reception.factories import at

pytestmark = pytest.mark.django_db


def _linked_entry(draft):
    with in_tenant("340100"):
        item = draft.items.get()
    body = {"starts_at": at(9).isoformat(), "ends_at": at(10).isoformat(), "title": "工作午餐", "venue": "随意"}
    response = api("340100", "340100-drafter").post(
        task_url(draft, "schedule/"), {**body, "item": item.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    return item, response.json()


def test_an_entry_for_an_item_takes_its_time_and_venue(draft):
    item, entry = _linked_entry(draft)
    assert (entry["item"], entry["venue"]) == (item.pk, "市政府机关食堂")
    with in_tenant("340100"):
        stored = ScheduleEntry.objects.get(pk=entry["id"])
        assert (stored.starts_at, stored.ends_at) == (item.starts_at, item.starts_at + (at(10) - at(9)))


def test_a_changed_item_shows_in_its_entries(draft):
    item, entry = _linked_entry(draft)
    patch = {"venue": "市委接待中心", "starts_at": at(12, 30).isoformat()}
    response = api("340100", "340100-drafter").patch(task_url(draft, f"items/{item.pk}/"), patch, format="json")
    assert response.status_code == 200, response.json()
    with in_tenant("340100"):
        stored = ScheduleEntry.objects.get(pk=entry["id"])
        assert (stored.venue, stored.starts_at) == ("市委接待中心", at(12, 30))
        assert stored.ends_at == at(13, 30)  # the item has no end: the entry keeps its hour
        assert ScheduleChange.objects.filter(entry_id=entry["id"], action="updated").count() == 1


def test_a_changed_entry_changes_its_item_while_the_plan_is_editable(draft):
    item, entry = _linked_entry(draft)
    response = api("340100", "340100-drafter").patch(
        task_url(draft, f"schedule/{entry['id']}/"), {"venue": "省委接待处"}, format="json"
    )
    assert response.status_code == 200, response.json()
    with in_tenant("340100"):
        assert PlanItem.objects.get(pk=item.pk).venue == "省委接待处"


def test_after_approval_only_an_amendment_moves_a_linked_entry(draft):
    _item, entry = _linked_entry(draft)
    with in_tenant("340100"):
        Task.objects.filter(pk=draft.pk).update(status="in_progress")
    before = snapshot()
    refusal = api("340100", "340100-handler").patch(
        task_url(draft, f"schedule/{entry['id']}/"), {"venue": "省委接待处"}, format="json"
    )
    refused(refusal, 409, "item_linked")
    assert snapshot() == before
    # Its title and note are the schedule's own: they change in any state.
    ok = api("340100", "340100-handler").patch(
        task_url(draft, f"schedule/{entry['id']}/"), {"title": "工作午餐（改）"}, format="json"
    )
    assert ok.status_code == 200


def test_an_entry_for_another_task_s_item_is_refused(draft):
    from tests.reception.factories import PlanItemFactory

    with in_tenant("340100"):
        other = PlanItemFactory()
    body = {"starts_at": at(9).isoformat(), "ends_at": at(10).isoformat(), "title": "x", "venue": "y", "item": other.pk}
    before = snapshot()
    response = api("340100", "340100-drafter").post(task_url(draft, "schedule/"), body, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "not_found"
    assert snapshot() == before
