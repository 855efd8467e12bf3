"""Every way round a rule an auditor would try, through the API: each one is refused (or shown)
with its code, and a refused submission changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.models import AuditEntry
from provider_portal.services import PriceInput, designation_set
from reception.models import Task
from tests.conftest import api, error_codes, in_tenant, refused, user
from tests.reception.conftest import TASKS, snapshot, task_url
from tests.reception.factories import GuestFactory, LetterFactory, StaffFactory, TaskFactory

pytestmark = pytest.mark.django_db

DRAFTER = "340100-drafter"


def drafter() -> Any:
    return api("340100", DRAFTER)


def checks(task: Any) -> dict[str, list[str]]:
    body = drafter().get(task_url(task, "checks/")).json()
    return {kind: [f["code"] for f in body[kind]] for kind in ("errors", "warnings")}


def submit_refused(task: Any, code: str) -> dict[str, Any]:
    before = snapshot()
    response = drafter().post(task_url(task, "submit/"), {}, format="json")
    assert response.status_code == 400, response.content
    found = [e for e in response.json()["errors"] if e["code"] == code]
    assert found, response.json()
    assert snapshot() == before
    return found[0]


def add_item(task: Any, **fields: Any) -> dict[str, Any]:
    body = {
        "kind": "meal",
        "starts_at": "2026-05-06T12:00:00+08:00",
        "venue": "机关食堂",
        "guests_count": 2,
        "accompanying_count": 1,
        "unit_price": "60.00",
        "quantity": 3,
        **fields,
    }
    response = drafter().post(task_url(task, "items/"), body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_dinner_split_in_two_is_one_dinner(draft: Any) -> None:
    with in_tenant("340100"):
        GuestFactory.create_batch(8, task=draft, grade="section")  # 10 guests
        StaffFactory.create_batch(5, task=draft)  # 6 accompanying on the roster
    # 5 guests and 3 accompanying at each of two tables: each item alone is within 3 per 10 guests.
    for hour in ("18:00", "18:30"):
        add_item(
            draft,
            starts_at=f"2026-05-06T{hour}:00+08:00",
            meal_type="dinner",
            guests_count=5,
            accompanying_count=3,
            quantity=8,
            unit_price="50.00",
        )
    assert "accompany_limit" in checks(draft)["errors"]
    finding = submit_refused(draft, "accompany_limit")
    assert "客人 10 人，陪餐最多 3 人，现为 6 人" in finding["message"]


def test_diners_declared_beyond_the_rosters_are_refused(draft: Any) -> None:
    # Two guests on the list; the meal claims 12 to be allowed 4 accompanying.
    with in_tenant("340100"):
        StaffFactory.create_batch(3, task=draft)
    add_item(draft, starts_at="2026-05-07T12:00:00+08:00", guests_count=12, accompanying_count=4, quantity=16)
    finding = submit_refused(draft, "meal_headcount")
    assert finding["field"] == "guests_count" and "来宾名单共 2 人" in finding["message"]


def test_moving_diners_between_meals_does_not_hide_them(draft: Any) -> None:
    # The lunch keeps its 2 guests; a second lunch item at 13:00 the same day adds accompanying
    # that the staff list does not have (1 on the roster, 1 + 2 at lunch).
    add_item(draft, starts_at="2026-05-06T13:00:00+08:00", guests_count=0, accompanying_count=2, quantity=2)
    finding = submit_refused(draft, "meal_headcount")
    assert finding["field"] == "accompanying_count" and "陪同人员名单共 1 人，该餐陪餐合计 3 人" in finding["message"]


def test_covers_that_do_not_add_up_are_refused(draft: Any) -> None:
    add_item(draft, starts_at="2026-05-07T12:00:00+08:00", guests_count=2, accompanying_count=1, quantity=10)
    assert submit_refused(draft, "meal_headcount")["field"] == "quantity"


def test_claiming_a_level_above_the_guests_does_not_raise_the_standard(draft: Any) -> None:
    response = drafter().patch(task_url(draft), {"level": "provincial_ministerial"}, format="json")
    assert response.status_code == 200
    item = add_item(draft, starts_at="2026-05-07T12:00:00+08:00", unit_price="100.00")
    assert checks(draft)["errors"] == ["level_above_guests", "meal_standard"]
    finding = submit_refused(draft, "meal_standard")
    assert finding["item"] == item["id"] and "来宾最高级别为厅局级，午餐标准 90.00 元/人" in finding["message"]


def test_a_breakfast_relabelled_as_lunch_keeps_breakfasts_ceiling(draft: Any) -> None:
    add_item(
        draft, starts_at="2026-05-07T07:30:00+08:00", meal_type="lunch", unit_price="45.00"
    )  # 厅局级 breakfast: 40
    finding = submit_refused(draft, "meal_standard")
    assert "早餐（按开始时间计）标准 40.00 元/人" in finding["message"]


def test_a_second_hosted_meal_relabelled_as_breakfast_is_still_hosted(draft: Any) -> None:
    add_item(draft, starts_at="2026-05-06T12:00:00+08:00", working_meal=True, payer="host")
    add_item(draft, starts_at="2026-05-07T07:30:00+08:00", meal_type="breakfast", unit_price="20.00", payer="host")
    assert submit_refused(draft, "hosted_meal_not_allowed")["field"] == "payer"


def test_a_second_working_meal_is_refused_but_one_meal_in_two_rooms_is_one(draft: Any) -> None:
    with in_tenant("340100"):
        GuestFactory.create_batch(2, task=draft, grade="division")  # 4 guests
    for minute in ("00", "30"):  # one lunch, two rooms
        add_item(
            draft,
            starts_at=f"2026-05-07T12:{minute}:00+08:00",
            working_meal=True,
            guests_count=2,
            accompanying_count=0,
            quantity=2,
        )
    assert "working_meal_count" not in checks(draft)["errors"]
    add_item(draft, starts_at="2026-05-06T18:00:00+08:00", working_meal=True, accompanying_count=0, quantity=2)
    finding = submit_refused(draft, "working_meal_count")
    assert "每次接待最多安排 1 次工作餐，现为 2 次" in finding["message"]


def test_a_hosted_meal_may_not_hide_as_guest_paid_when_omitted(draft: Any) -> None:
    item = add_item(draft, starts_at="2026-05-07T12:00:00+08:00")
    assert item["payer"] == "guest"  # the regulation's default for a meal that is not the working meal
    working = add_item(
        draft, starts_at="2026-05-07T18:00:00+08:00", working_meal=True, accompanying_count=0, quantity=2
    )
    assert working["payer"] == "host"
    lodging = add_item(
        draft,
        kind="lodging",
        starts_at="2026-05-06T20:00:00+08:00",
        room_type="standard",
        accompanying_count=0,
        quantity=2,
        unit_price="300.00",
    )
    assert lodging["payer"] == "guest"


def test_suites_spread_over_items_on_one_night_are_counted_together(draft: Any) -> None:
    with in_tenant("340100"):
        Task.objects.filter(pk=draft.pk).update(level="provincial_ministerial")
        GuestFactory(task=draft, grade="provincial_ministerial", name="省领导")
    for _n in range(2):
        add_item(
            draft,
            kind="lodging",
            starts_at="2026-05-06T20:00:00+08:00",
            room_type="suite",
            accompanying_count=0,
            guests_count=1,
            quantity=1,
            unit_price="600.00",
        )
    finding = submit_refused(draft, "suite_not_allowed")
    assert "每晚套间 2 间，可安排套间的来宾 1 人" in finding["message"]


def test_a_suite_for_a_guest_added_after_approval_is_checked_again(draft: Any, hotel: Any) -> None:
    """After approval the handler's lodging allocation gives the 省部级 guest a suite; the task's
    level (厅局级) allows none: the early warning and the checks show it at once."""
    with in_tenant("340100"):
        task = TaskFactory(level="bureau", status="approved")
        GuestFactory(task=task, grade="provincial_ministerial", name="省领导")
        GuestFactory(task=task, grade="bureau", name="厅领导")
    response = api("340100", "340100-handler").post(
        task_url(task, "lodging/allocate/"),
        {"provider": hotel.pk, "rooms": [{"number": "8101", "type": "suite"}, {"number": "8102", "type": "standard"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert "suite_not_allowed" in checks(task)["errors"]
    found = {(w["code"], w["task"]) for w in api("340100", "340100-finance").get("/api/v1/warnings/").json()}
    assert ("suite_not_allowed", task.pk) in found


def test_a_price_just_above_the_agreed_one_is_refused(draft: Any, hotel: Any, tree: Any) -> None:
    designation_set(
        actor=user("340100-admin"),
        jurisdiction=tree["340100"],
        provider_id=hotel.pk,
        agreed_prices=[PriceInput(item="标准间", unit="间·晚", price=Decimal("380.00"))],
    )
    add_item(
        draft,
        kind="lodging",
        provider=hotel.pk,
        starts_at="2026-05-06T20:00:00+08:00",
        room_type="standard",
        accompanying_count=0,
        quantity=2,
        unit_price="380.01",
    )
    finding = submit_refused(draft, "agreed_price_exceeded")
    assert "稻香楼宾馆协议价（标准间）380.00 元/间·晚，现为 380.01 元" in finding["message"]


@pytest.mark.parametrize("menu", ["茅 台", "茅臺酒", "ＸＯ洋酒", "紅　酒", "香菸", "啤-酒", "五糧液"])
def test_alcohol_however_it_is_written_is_refused(draft: Any, menu: str) -> None:
    add_item(draft, starts_at="2026-05-07T12:00:00+08:00", menu=f"家常菜四菜一汤，{menu}")
    assert submit_refused(draft, "banned_item")["field"] == "menu"


def test_an_outing_is_refused_but_a_meeting_at_the_scenic_areas_office_is_not(draft: Any) -> None:
    meeting = add_item(
        draft,
        kind="meeting",
        starts_at="2026-05-06T15:00:00+08:00",
        venue="黄山风景区管委会调研座谈",
        accompanying_count=0,
        quantity=1,
        unit_price="0",
    )
    assert meeting["payer"] == "host"
    assert "banned_activity" not in checks(draft)["errors"]
    add_item(
        draft,
        kind="visit",
        starts_at="2026-05-07T09:00:00+08:00",
        venue="游览黄山风景区",
        accompanying_count=0,
        quantity=1,
        unit_price="0",
    )
    assert submit_refused(draft, "banned_activity")["field"] == "venue"


def test_the_submitter_may_not_approve_or_return_her_own_plan(draft: Any, tree: Any) -> None:
    from tenants.services import membership_add

    both = user(DRAFTER)
    membership_add(actor=None, user=both, jurisdiction=tree["340100"], role="reviewer")
    assert drafter().post(task_url(draft, "submit/"), {}, format="json").status_code == 200
    before = snapshot()
    for action, body in (("approve/", {}), ("return/", {"comment": "自己退回"})):
        refusal = drafter().post(task_url(draft, action), body, format="json")
        refused(refusal, 403, "separation_of_duties")
    assert snapshot() == before
    assert api("340100", "340100-reviewer").post(task_url(draft, "approve/"), {}, format="json").status_code == 200


def test_one_letter_one_task(tree: Any) -> None:
    with in_tenant("340100"):
        letter = LetterFactory()
    body = {
        "letter": letter.pk,
        "title": "第一次",
        "level": "bureau",
        "counterpart_unit": "市发改委",
        "start_date": "2026-05-06",
        "end_date": "2026-05-07",
    }
    first = api("340100", DRAFTER).post(TASKS, body, format="json")
    assert first.status_code == 201
    before = snapshot()
    second = api("340100", DRAFTER).post(TASKS, {**body, "title": "第二次"}, format="json")
    refused(second, 400, "letter_in_use")
    assert ("letter", "letter_in_use") in error_codes(second)
    assert snapshot() == before
    cancelled = api("340100", "340100-reviewer").post(
        f"{TASKS}{first.json()['id']}/cancel/", {"reason": "行程取消"}, format="json"
    )
    assert cancelled.status_code == 200
    assert api("340100", DRAFTER).post(TASKS, {**body, "title": "改期后"}, format="json").status_code == 201


def test_checks_point_at_the_item_and_field(draft: Any) -> None:
    item = add_item(draft, starts_at="2026-05-07T12:00:00+08:00", unit_price="95.00")
    body = drafter().get(task_url(draft, "checks/")).json()
    assert [(e["code"], e["item"], e["field"]) for e in body["errors"]] == [("meal_standard", item["id"], "unit_price")]
    assert body["errors"][0]["source"].startswith("《党政机关国内公务接待管理规定》第十条；")


def test_a_refused_submission_records_nothing(draft: Any) -> None:
    add_item(draft, starts_at="2026-05-07T12:00:00+08:00", unit_price="95.00")
    entries = AuditEntry.objects.filter(chain="340100", action="reception.task.submitted").count()
    submit_refused(draft, "meal_standard")
    assert AuditEntry.objects.filter(chain="340100", action="reception.task.submitted").count() == entries
    with in_tenant("340100"):
        assert Task.objects.get(pk=draft.pk).submitted_by_id is None
