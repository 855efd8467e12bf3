"""The plan through the API: guests, accompanying staff, items; versions; editable states only."""

from __future__ import annotations

import pytest

from core.models import AuditEntry
from reception.models import PlanItem, Task
from tests.conftest import api, error_codes, error_fields, in_tenant, refused, unchanged
from tests.reception.conftest import snapshot, task_url

pytestmark = pytest.mark.django_db

GUEST = {"name": "赵六", "unit": "安徽省财政厅", "post": "厅长", "grade": "bureau"}
LUNCH = {
    "kind": "meal",
    "starts_at": "2026-05-06T12:00:00+08:00",
    "venue": "市政府机关食堂",
    "meal_type": "lunch",
    "guests_count": 6,
    "accompanying_count": 2,
    "unit_price": "60.00",
    "quantity": 8,
    "menu": "家常菜",
}


def drafter():
    return api("340100", "340100-drafter")


# --- Guests -------------------------------------------------------------------------------


def test_add_one_guest(draft):
    response = drafter().post(task_url(draft, "guests/"), GUEST, format="json")
    assert response.status_code == 201
    assert {k: response.json()[k] for k in GUEST} == GUEST
    assert (response.json()["phone"], response.json()["version"]) == ("", 1)
    assert drafter().get(task_url(draft)).json()["version"] == 2  # a plan change is a change of the task


def test_add_a_list_of_guests(draft):
    guests = [GUEST, {**GUEST, "name": "钱七", "grade": "provincial_ministerial", "phone": "13800000000"}]
    response = drafter().post(task_url(draft, "guests/"), guests, format="json")
    assert response.status_code == 201
    assert [g["name"] for g in response.json()] == ["赵六", "钱七"]
    names = [g["name"] for g in drafter().get(task_url(draft)).json()["guests"]]
    assert names == ["王明", "李华", "赵六", "钱七"]
    assert AuditEntry.objects.filter(chain="340100", action="reception.guest.added").count() == 2


@pytest.mark.parametrize(
    "payload",
    [
        [],
        [GUEST, {**GUEST, "grade": "emperor"}],  # one bad row refuses the whole list
        {**GUEST, "name": ""},
        {**GUEST, "name": "名" * 51},
        {**GUEST, "grade": None},
        {**GUEST, "post": "\x00"},
        "赵六",
        [GUEST] * 201,
    ],
)
def test_bad_guests_are_400_and_nothing_changes(draft, payload):
    before = snapshot()
    assert drafter().post(task_url(draft, "guests/"), payload, format="json").status_code == 400
    assert snapshot() == before


def test_patch_and_delete_a_guest_with_versions(draft):
    guest = drafter().get(task_url(draft)).json()["guests"][0]
    url = task_url(draft, f"guests/{guest['id']}/")
    response = drafter().patch(url, {"post": "主任", "version": 1}, format="json")
    assert (response.status_code, response.json()["post"], response.json()["version"]) == (200, "主任", 2)
    before = snapshot()
    refused(drafter().patch(url, {"post": "科长", "version": 1}, format="json"), 409, "stale_version")
    refused(drafter().delete(url + "?version=1"), 409, "stale_version")
    assert snapshot() == before
    assert drafter().delete(url + "?version=2").status_code == 204
    refused(drafter().delete(url), 404, "not_found")
    assert [g["name"] for g in drafter().get(task_url(draft)).json()["guests"]] == ["李华"]


def test_delete_with_a_malformed_version_is_400(draft):
    guest = drafter().get(task_url(draft)).json()["guests"][0]
    before = snapshot()
    refused(drafter().delete(task_url(draft, f"guests/{guest['id']}/?version=abc")), 400, "invalid")
    assert snapshot() == before


# --- Accompanying staff -------------------------------------------------------------------


def test_accompanying_staff_add_patch_delete(draft):
    staff = {"name": "孙八", "unit": "合肥市发展和改革委员会", "post": "副主任"}
    created = drafter().post(task_url(draft, "accompanying/"), staff, format="json")
    assert created.status_code == 201
    assert {k: created.json()[k] for k in staff} == staff
    url = task_url(draft, f"accompanying/{created.json()['id']}/")
    assert drafter().patch(url, {"post": "主任"}, format="json").json()["post"] == "主任"
    # The fixture's 赵强 first, then the new one
    assert [s["post"] for s in drafter().get(task_url(draft)).json()["accompanying"]] == ["科长", "主任"]
    assert drafter().delete(url).status_code == 204
    assert [s["name"] for s in drafter().get(task_url(draft)).json()["accompanying"]] == ["赵强"]


# --- Items --------------------------------------------------------------------------------


def test_add_an_item(draft):
    response = drafter().post(task_url(draft, "items/"), LUNCH, format="json")
    assert response.status_code == 201, response.json()
    item = response.json()
    assert {k: item[k] for k in LUNCH} == LUNCH
    assert (item["working_meal"], item["room_type"], item["provider"], item["ends_at"]) == (False, None, None, None)
    assert (item["amount"], item["version"]) == ("480.00", 1)


def test_optional_fields_may_be_omitted(draft):
    minimal = {k: LUNCH[k] for k in ("kind", "starts_at", "venue", "guests_count", "unit_price", "quantity")}
    item = drafter().post(
        task_url(draft, "items/"), {**minimal, "starts_at": "2026-05-06T18:30:00+08:00"}, format="json"
    )
    assert item.status_code == 201
    assert (item.json()["meal_type"], item.json()["accompanying_count"], item.json()["menu"]) == ("dinner", 0, "")
    lodging = {**minimal, "kind": "lodging", "venue": "稻香楼宾馆", "unit_price": "380.00"}
    assert drafter().post(task_url(draft, "items/"), lodging, format="json").json()["room_type"] == "standard"
    car = {**minimal, "kind": "vehicle", "venue": "市政府", "meal_type": None, "room_type": ""}
    assert drafter().post(task_url(draft, "items/"), car, format="json").json()["meal_type"] is None


def test_naive_times_are_shanghai_time(draft):
    item = drafter().post(task_url(draft, "items/"), {**LUNCH, "starts_at": "2026-05-06T07:30:00"}, format="json")
    assert item.json()["starts_at"] == "2026-05-06T07:30:00+08:00"


def test_an_item_may_name_a_designated_provider(draft, hotel, elsewhere_hotel):
    lodging = {**LUNCH, "kind": "lodging", "meal_type": None, "room_type": "standard", "menu": ""}
    response = drafter().post(task_url(draft, "items/"), {**lodging, "provider": hotel.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["provider"] == hotel.pk
    before = snapshot()
    refusal = drafter().post(task_url(draft, "items/"), {**lodging, "provider": elsewhere_hotel.pk}, format="json")
    refused(refusal, 400, "provider_not_serving")
    assert error_codes(refusal) == {("provider", "provider_not_serving")}
    refused(
        drafter().post(task_url(draft, "items/"), {**lodging, "provider": 999999}, format="json"),
        400,
        "provider_not_serving",
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "banquet"}, "kind"),
        ({"meal_type": "supper"}, "meal_type"),
        ({"room_type": "presidential"}, "room_type"),
        ({"guests_count": -1}, "guests_count"),
        ({"accompanying_count": -2}, "accompanying_count"),
        ({"unit_price": "-0.01"}, "unit_price"),
        ({"unit_price": "abc"}, "unit_price"),
        ({"unit_price": "1e20"}, "unit_price"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 2.5}, "quantity"),
        ({"starts_at": "yesterday"}, "starts_at"),
        ({"ends_at": "2026-05-06T11:00:00+08:00"}, "ends_at"),
        ({"venue": ""}, "venue"),
        ({"venue": "v" * 201}, "venue"),
        ({"menu": "菜\x00"}, "menu"),
        ({"working_meal": "often"}, "working_meal"),
        ({"provider": "hotel"}, "provider"),
        ({"provider": -3}, "provider"),
        ({"room_type": "suite"}, "room_type"),  # a meal has no room type
        ({"kind": "visit"}, "meal_type"),  # a visit has no meal type
    ],
)
def test_bad_items_are_400_on_the_field_and_change_nothing(draft, change, field):
    before = snapshot()
    response = drafter().post(task_url(draft, "items/"), {**LUNCH, **change}, format="json")
    assert response.status_code == 400, response.json()
    assert error_fields(response) == [field]
    assert snapshot() == before


def test_patch_an_item_with_and_without_version(draft):
    item = drafter().get(task_url(draft)).json()["items"][0]
    url = task_url(draft, f"items/{item['id']}/")
    first = drafter().patch(url, {"unit_price": "55.50"}, format="json")
    assert (first.status_code, first.json()["unit_price"], first.json()["version"]) == (200, "55.50", 2)
    before = snapshot()
    stale = drafter().patch(url, {"unit_price": "50.00", "version": 1}, format="json")
    refused(stale, 409, "stale_version")
    assert stale.json() == {"detail": "该记录已被他人修改，请刷新后重试。", "code": "stale_version", "version": 2}
    assert snapshot() == before
    fresh = drafter().patch(url, {"unit_price": "50.00", "version": 2}, format="json")
    assert (fresh.json()["unit_price"], fresh.json()["version"]) == ("50.00", 3)
    entry = AuditEntry.objects.filter(chain="340100", action="reception.item.updated").latest("sequence")
    assert (entry.before["unit_price"], entry.after["unit_price"], entry.after["task"]) == ("55.50", "50.00", draft.pk)


def test_changing_an_items_kind_clears_what_no_longer_applies(draft):
    item = drafter().get(task_url(draft)).json()["items"][0]
    response = drafter().patch(task_url(draft, f"items/{item['id']}/"), {"kind": "meeting"}, format="json")
    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["meal_type"]) == ("meeting", None)


@pytest.mark.parametrize(("change", "field"), [({"quantity": -1}, "quantity"), ({"meal_type": "x"}, "meal_type")])
def test_patch_bad_input_changes_nothing(draft, change, field):
    item = drafter().get(task_url(draft)).json()["items"][0]
    before = snapshot()
    response = drafter().patch(task_url(draft, f"items/{item['id']}/"), change, format="json")
    assert (response.status_code, error_fields(response)) == (400, [field])
    assert snapshot() == before


def test_delete_an_item(draft):
    item = drafter().get(task_url(draft)).json()["items"][0]
    assert drafter().delete(task_url(draft, f"items/{item['id']}/")).status_code == 204
    with in_tenant("340100"):
        assert not PlanItem.objects.filter(pk=item["id"]).exists()
    assert AuditEntry.objects.filter(chain="340100", action="reception.item.deleted").count() == 1


def test_an_item_of_another_task_is_404(draft):
    from tests.reception.factories import PlanItemFactory, TaskFactory

    with in_tenant("340100"):
        other = PlanItemFactory(task=TaskFactory())
    before = snapshot()
    refused(drafter().patch(task_url(draft, f"items/{other.pk}/"), {"venue": "x"}, format="json"), 404, "not_found")
    refused(drafter().delete(task_url(draft, f"items/{other.pk}/")), 404, "not_found")
    assert snapshot() == before


# --- Roles and states, for every plan endpoint -----------------------------------------------


def _writes(draft):
    with in_tenant("340100"):
        guest_id = draft.guests.first().pk
        item_id = draft.items.first().pk
    return [
        ("post", task_url(draft, "guests/"), GUEST),
        ("patch", task_url(draft, f"guests/{guest_id}/"), {"post": "x"}),
        ("delete", task_url(draft, f"guests/{guest_id}/"), None),
        ("post", task_url(draft, "accompanying/"), {"name": "a", "unit": "b", "post": "c"}),
        ("post", task_url(draft, "items/"), LUNCH),
        ("patch", task_url(draft, f"items/{item_id}/"), {"venue": "x"}),
        ("delete", task_url(draft, f"items/{item_id}/"), None),
    ]


@pytest.mark.parametrize(
    "username",
    ["340100-reviewer", "340100-counterpart", "340100-admin", "340000-supervisor", "340000-admin", "340200-drafter"],
)
def test_only_the_drafter_edits_the_plan(draft, username):
    client = api("340100", username)
    before = snapshot()
    for method, url, data in _writes(draft):
        assert getattr(client, method)(url, data, format="json").status_code == 403, (method, url)
    assert snapshot() == before


@pytest.mark.parametrize("status", ["submitted", "approved", "in_progress", "cancelled", "completed", "settled"])
def test_the_plan_is_frozen_outside_draft_and_returned(draft, status):
    with in_tenant("340100"):
        Task.objects.filter(pk=draft.pk).update(status=status)
    before = snapshot()
    for method, url, data in _writes(draft):
        response = getattr(drafter(), method)(url, data, format="json")
        assert response.status_code == 409, (method, url)
        assert response.json()["code"] == "not_editable"
    assert snapshot() == before


def test_the_plan_is_editable_when_returned(draft):
    with in_tenant("340100"):
        Task.objects.filter(pk=draft.pk).update(status="returned")
    assert drafter().post(task_url(draft, "items/"), LUNCH, format="json").status_code == 201


def test_plan_endpoints_on_an_unknown_task_are_404(tree):
    with unchanged():
        refused(drafter().post("/api/v1/tasks/999999/items/", LUNCH, format="json"), 404, "not_found")
    with unchanged():
        refused(drafter().post("/api/v1/tasks/999999/guests/", GUEST, format="json"), 404, "not_found")
