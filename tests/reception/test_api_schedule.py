"""The schedule (日程表) through the API: entries editable in every state before settlement, stale
versions refused, every change in the history with who and when, guests and providers told."""

from __future__ import annotations

import pytest

from core.models import AuditEntry, Notification
from provider_portal.models import ProviderStaff
from reception.models import ScheduleEntry
from tests.conftest import api, count_queries, in_tenant, refused, user
from tests.reception.arrangements import (
    CLOSED_STATES,
    NOT_ARRANGERS,
    OPEN_STATES,
    client,
    full_snapshot,
    set_status,
)
from tests.reception.conftest import task_url

pytestmark = pytest.mark.django_db

ENTRY = {
    "starts_at": "2026-05-06T09:00:00+08:00",
    "ends_at": "2026-05-06T11:30:00+08:00",
    "title": "全体大会",
    "venue": "市政务中心一号会议室",
}


def add(task, role="drafter", **changes):
    return client(role).post(task_url(task, "schedule/"), {**ENTRY, **changes}, format="json")


def test_add_read_change_delete_and_the_history(meeting_task):
    created = add(meeting_task)
    assert created.status_code == 201, created.json()
    entry = created.json()
    assert {k: entry[k] for k in ENTRY} == ENTRY
    assert (entry["provider"], entry["note"], entry["version"]) == (None, "", 1)
    url = task_url(meeting_task, f"schedule/{entry['id']}/")
    assert client("supervisor").get(url).json()["title"] == "全体大会"

    changed = client("handler").patch(url, {"ends_at": "2026-05-06T12:00:00+08:00", "version": 1}, format="json")
    assert (changed.status_code, changed.json()["version"], changed.json()["ends_at"]) == (
        200,
        2,
        "2026-05-06T12:00:00+08:00",
    )
    assert client("drafter").delete(url + "?version=2").status_code == 204
    assert client("drafter").get(url).status_code == 404

    history = client("reviewer").get(task_url(meeting_task, "schedule/history/")).json()
    assert [(h["action"], h["entry"], h["actor"]) for h in history] == [
        ("reception.schedule.created", entry["id"], "340100-drafter"),
        ("reception.schedule.updated", entry["id"], "340100-handler"),
        ("reception.schedule.deleted", entry["id"], "340100-drafter"),
    ]
    assert history[0]["before"] is None and history[0]["after"]["title"] == "全体大会"
    assert history[1]["before"]["ends_at"] == "2026-05-06T11:30:00+08:00"
    assert history[1]["after"]["ends_at"] == "2026-05-06T12:00:00+08:00"
    assert history[2]["before"]["ends_at"] == "2026-05-06T12:00:00+08:00" and history[2]["after"] is None
    assert all(h["at"] for h in history)
    actions = AuditEntry.objects.filter(chain="340100", action__startswith="reception.schedule.")
    assert list(actions.order_by("sequence").values_list("action", flat=True)) == [
        "reception.schedule.created",
        "reception.schedule.updated",
        "reception.schedule.deleted",
    ]


def test_the_list_comes_newest_created_first_or_by_time(meeting_task):
    add(meeting_task, title="下午考察", starts_at="2026-05-06T14:00:00+08:00", ends_at="2026-05-06T17:00:00+08:00")
    add(meeting_task, title="上午大会")
    listing = client("finance").get(task_url(meeting_task, "schedule/")).json()
    assert [e["title"] for e in listing] == ["上午大会", "下午考察"]
    by_time = client("finance").get(task_url(meeting_task, "schedule/?order=time")).json()
    assert [e["title"] for e in by_time] == ["上午大会", "下午考察"]
    add(meeting_task, title="晚间座谈", starts_at="2026-05-06T19:00:00+08:00", ends_at="2026-05-06T20:00:00+08:00")
    assert client("finance").get(task_url(meeting_task, "schedule/")).json()[0]["title"] == "晚间座谈"
    assert client("finance").get(task_url(meeting_task, "schedule/?order=time")).json()[-1]["title"] == "晚间座谈"


def test_a_stale_version_is_409_and_changes_nothing(meeting_task):
    entry = add(meeting_task).json()
    url = task_url(meeting_task, f"schedule/{entry['id']}/")
    client("drafter").patch(url, {"title": "全体大会（调整）"}, format="json")
    before = full_snapshot()
    response = client("handler").patch(url, {"title": "旧稿", "version": 1}, format="json")
    assert (response.status_code, response.json()["code"], response.json()["version"]) == (409, "stale_version", 2)
    refused(client("handler").delete(url + "?version=1"), 409, "stale_version")
    assert full_snapshot() == before


def test_an_unchanged_patch_writes_no_history(meeting_task):
    entry = add(meeting_task).json()
    before = full_snapshot()
    response = client("drafter").patch(
        task_url(meeting_task, f"schedule/{entry['id']}/"), {"title": " 全体大会 "}, format="json"
    )
    assert (response.status_code, response.json()["version"]) == (200, 1)
    assert full_snapshot() == before


@pytest.mark.parametrize("state", OPEN_STATES)
def test_drafters_and_handlers_edit_in_every_state_before_settlement(meeting_task, state):
    set_status(meeting_task, state)
    for role in ("drafter", "handler"):
        entry = add(meeting_task, role=role)
        assert entry.status_code == 201, (state, role, entry.json())
        url = task_url(meeting_task, f"schedule/{entry.json()['id']}/")
        assert client(role).patch(url, {"venue": "新会场"}, format="json").status_code == 200
        assert client(role).delete(url).status_code == 204


@pytest.mark.parametrize("state", CLOSED_STATES)
def test_settled_or_cancelled_tasks_are_409(meeting_task, state):
    entry = add(meeting_task).json()
    set_status(meeting_task, state)
    url = task_url(meeting_task, f"schedule/{entry['id']}/")
    before = full_snapshot()
    for response in (
        add(meeting_task),
        client("drafter").patch(url, {"title": "改"}, format="json"),
        client("handler").delete(url),
    ):
        assert (response.status_code, response.json()["code"]) == (409, "not_arrangeable")
    assert full_snapshot() == before
    assert client("drafter").get(task_url(meeting_task, "schedule/")).status_code == 200


@pytest.mark.parametrize("role", NOT_ARRANGERS)
def test_other_roles_read_but_may_not_write(meeting_task, role):
    entry = add(meeting_task).json()
    url = task_url(meeting_task, f"schedule/{entry['id']}/")
    before = full_snapshot()
    refused(add(meeting_task, role=role), 403, "permission_denied")
    refused(client(role).patch(url, {"title": "改"}, format="json"), 403, "permission_denied")
    refused(client(role).delete(url), 403, "permission_denied")
    assert full_snapshot() == before
    assert client(role).get(task_url(meeting_task, "schedule/")).status_code == 200
    assert client(role).get(task_url(meeting_task, "schedule/history/")).status_code == 200


def test_other_jurisdictions_and_ancestors(meeting_task):
    entry = add(meeting_task).json()
    url = task_url(meeting_task, f"schedule/{entry['id']}/")
    before = full_snapshot()
    outsider = api("340100", "340200-drafter")  # a drafter of 芜湖 on 合肥's host
    assert outsider.get(task_url(meeting_task, "schedule/")).status_code == 403
    refused(outsider.post(task_url(meeting_task, "schedule/"), ENTRY, format="json"), 403, "permission_denied")
    province = api("340100", "340000-supervisor")  # oversight: read only
    assert province.get(task_url(meeting_task, "schedule/")).status_code == 200
    assert province.get(task_url(meeting_task, "schedule/history/")).status_code == 200
    refused(province.post(task_url(meeting_task, "schedule/"), ENTRY, format="json"), 403, "permission_denied")
    refused(province.patch(url, {"title": "改"}, format="json"), 403, "permission_denied")
    refused(api("340100", "340000-admin").delete(url), 403, "permission_denied")
    # a task id of another jurisdiction is not found on this host
    assert client("drafter", "340200").get(task_url(meeting_task, "schedule/")).status_code == 404
    assert (
        client("drafter", "340200").post(task_url(meeting_task, "schedule/"), ENTRY, format="json").status_code == 404
    )
    assert full_snapshot() == before


@pytest.mark.parametrize(
    "payload, field, code",
    [
        ({**ENTRY, "ends_at": "2026-05-06T08:00:00+08:00"}, "ends_at", "end_before_start"),
        ({**ENTRY, "title": "会" * 201}, "title", "max_length"),
        ({**ENTRY, "title": "全体\x00大会"}, "title", "null_characters_not_allowed"),
        ({**ENTRY, "venue": ""}, "venue", "blank"),
        ({**ENTRY, "starts_at": "明天上午"}, "starts_at", "invalid"),
        ({**ENTRY, "starts_at": 12}, "starts_at", "invalid"),
        ({**ENTRY, "provider": "稻香楼"}, "provider", "invalid"),
        ({**ENTRY, "provider": 999999}, "provider", "provider_not_serving"),
        ({**ENTRY, "note": ["列表"]}, "note", "invalid"),
        ({k: v for k, v in ENTRY.items() if k != "ends_at"}, "ends_at", "required"),
        ([ENTRY], "non_field_errors", "invalid"),
    ],
)
def test_bad_input_is_400_on_its_field_and_changes_nothing(meeting_task, payload, field, code):
    before = full_snapshot()
    response = client("drafter").post(task_url(meeting_task, "schedule/"), payload, format="json")
    refused(response, 400, code)
    assert field in response.json()
    assert full_snapshot() == before


def test_malformed_json_and_bad_patches_are_400(meeting_task):
    entry = add(meeting_task).json()
    url = task_url(meeting_task, f"schedule/{entry['id']}/")
    before = full_snapshot()
    raw = client("drafter").post(task_url(meeting_task, "schedule/"), '{"title": ', content_type="application/json")
    assert raw.status_code == 400
    refused(
        client("drafter").patch(url, {"ends_at": "2026-05-06T08:00:00+08:00"}, format="json"), 400, "end_before_start"
    )
    refused(client("drafter").patch(url, {"version": "x"}, format="json"), 400, "invalid")
    refused(client("drafter").delete(url + "?version=abc"), 400, "invalid")
    assert full_snapshot() == before


def test_a_provider_of_another_jurisdiction_is_refused(meeting_task, elsewhere_hotel):
    before = full_snapshot()
    response = add(meeting_task, provider=elsewhere_hotel.pk)
    assert response.status_code == 400 and "provider" in response.json()
    assert full_snapshot() == before


def test_after_approval_guests_with_phones_and_the_entrys_provider_are_told(meeting_task, hotel):
    from tenants.services import user_ensure

    staff, _created = user_ensure(username="hotel-desk", password="Test-pass-2026!", display_name="前台")
    staff.phone, staff.email = "13900000009", "desk@hotel.example"
    staff.save()
    ProviderStaff.objects.create(user=staff, provider=hotel)
    hotel.contact_phone = "0551-1234567"
    hotel.save()
    entry = add(meeting_task, provider=hotel.pk).json()
    assert Notification.objects.count() == 0  # a draft schedule is nobody's news yet

    set_status(meeting_task, "in_progress")
    url = task_url(meeting_task, f"schedule/{entry['id']}/")
    client("handler").patch(url, {"starts_at": "2026-05-06T09:30:00+08:00"}, format="json")
    sent = Notification.objects.filter(event="reception.schedule.updated")
    # The hotel's landline gets no SMS: only mainland mobile numbers are queued.
    assert sorted(sent.values_list("channel", "address")) == [
        ("email", "desk@hotel.example"),
        ("sms", "13800000001"),
        ("sms", "13800000003"),
        ("sms", "13900000009"),
    ]
    guest_sms = sent.get(address="13800000001")
    assert "05-06 09:00–11:30 全体大会（市政务中心一号会议室） → 05-06 09:30–11:30" in guest_sms.body
    assert "http://hefei.localhost:8000/itinerary/" in guest_sms.body
    history = client("handler").get(task_url(meeting_task, "schedule/history/")).json()
    assert history[-1]["notified"] == 4


def test_the_guests_itinerary_shows_the_current_schedule(meeting_task):
    from django.test import Client

    entry = add(meeting_task).json()
    set_status(meeting_task, "approved")
    link = client("drafter").post(task_url(meeting_task, "itinerary-link/")).json()["url"]
    path = link.split("localhost", 1)[1].split("/", 1)[1]
    page = Client(HTTP_HOST="hefei.localhost").get("/" + path)
    assert page.status_code == 200 and "全体大会" in page.content.decode()
    client("handler").patch(
        task_url(meeting_task, f"schedule/{entry['id']}/"), {"title": "全体大会（改期）"}, format="json"
    )
    page = Client(HTTP_HOST="hefei.localhost").get("/" + path)
    assert "全体大会（改期）" in page.content.decode()


def test_reads_take_the_same_queries_whatever_the_size(meeting_task, hotel):
    add(meeting_task, provider=hotel.pk)
    reader = client("reviewer")
    reader.get(task_url(meeting_task, "schedule/"))
    with count_queries() as few:
        reader.get(task_url(meeting_task, "schedule/"))
    with count_queries() as few_history:
        reader.get(task_url(meeting_task, "schedule/history/"))
    for n in range(15):
        add(meeting_task, title=f"议程{n}", provider=hotel.pk)
    with count_queries() as many:
        assert len(reader.get(task_url(meeting_task, "schedule/")).json()) == 16
    with count_queries() as many_history:
        assert len(reader.get(task_url(meeting_task, "schedule/history/")).json()) == 16
    assert len(many) == len(few)
    assert len(many_history) == len(few_history)


def test_service_refuses_unknown_fields(meeting_task):
    from core.errors import InvalidInput
    from reception.services.schedule import schedule_entry_update

    entry = add(meeting_task).json()
    with in_tenant("340100") as jurisdiction, pytest.raises(InvalidInput) as refused:
        schedule_entry_update(
            actor=user("340100-drafter"),
            jurisdiction=jurisdiction,
            task_id=meeting_task.pk,
            entry_id=entry["id"],
            changes={"task": 1},
        )
    assert refused.value.code == "read_only"
    with in_tenant("340100"):
        assert ScheduleEntry.objects.get(pk=entry["id"]).version == 1
