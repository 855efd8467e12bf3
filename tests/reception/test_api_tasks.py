"""POST/GET tasks/, GET/PATCH tasks/{id}/, checks/, history/ and providers/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from reception.models import LetterStatus, Task
from tests.conftest import api, count_queries, error_codes, error_fields, in_tenant, refused
from tests.reception.conftest import TASKS, snapshot, task_url
from tests.reception.factories import DAY, GuestFactory, LetterFactory, PlanItemFactory, StaffFactory, TaskFactory, at

NEXT = DAY + dt.timedelta(days=1)

pytestmark = pytest.mark.django_db


def body(letter, /, **change):
    return {
        "letter": letter.pk,
        "title": "省发改委调研接待",
        "level": "bureau",
        "counterpart_unit": "合肥市发展和改革委员会",
        "start_date": "2026-05-06",
        "end_date": "2026-05-07",
        **change,
    }


@pytest.mark.parametrize("role", ["counterpart", "drafter"])
def test_open_a_task_from_a_registered_letter(letter, role):
    response = api("340100", f"340100-{role}").post(TASKS, body(letter, budget="3000.50"), format="json")
    assert response.status_code == 201, response.json()
    task = response.json()
    assert task["status"] == "draft"
    assert (task["letter"], task["letter_number"], task["purpose"]) == (letter.pk, letter.number, letter.purpose)
    assert (task["title"], task["level"], task["start_date"], task["end_date"]) == (
        "省发改委调研接待",
        "bureau",
        "2026-05-06",
        "2026-05-07",
    )
    assert (task["budget"], task["handler"], task["version"]) == ("3000.50", None, 1)
    assert (task["guests"], task["items"], task["accompanying"], task["total"]) == ([], [], [], "0.00")
    history = api("340100", "340100-reviewer").get(task_url_id(task["id"], "history/")).json()
    assert [(h["action"], h["actor"], h["comment"]) for h in history] == [
        ("reception.task.created", f"340100-{role}", "")
    ]


def task_url_id(task_id, suffix=""):
    return f"{TASKS}{task_id}/{suffix}"


def test_dates_may_lie_in_the_past(letter):
    response = api("340100", "340100-drafter").post(
        TASKS, body(letter, start_date="2019-03-01", end_date="2019-03-01"), format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"letter": None}, "letter", "null"),
        ({"letter": 999999}, "letter", "does_not_exist"),
        ({"letter": "abc"}, "letter", "incorrect_type"),
        ({"level": "vice_premier"}, "level", "invalid_choice"),
        ({"end_date": "2026-05-05"}, "end_date", "end_before_start"),
        ({"start_date": "not a date"}, "start_date", "invalid"),
        ({"budget": "-1.00"}, "budget", "min_value"),
        ({"budget": "1.234"}, "budget", "max_decimal_places"),
        ({"budget": "NaN"}, "budget", "invalid"),
        ({"title": "t" * 201}, "title", "max_length"),
        ({"title": "\x00"}, "title", "null_characters_not_allowed"),
        ({"counterpart_unit": ""}, "counterpart_unit", "blank"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(letter, change, field, code):
    before = snapshot()
    response = api("340100", "340100-drafter").post(TASKS, body(letter, **change), format="json")
    refused(response, 400, code)
    assert error_fields(response) == [field]
    assert snapshot() == before


def test_without_a_letter_is_400_on_letter(letter):
    data = body(letter)
    del data["letter"]
    response = api("340100", "340100-drafter").post(TASKS, data, format="json")
    refused(response, 400, "required")
    assert error_fields(response) == ["letter"]


@pytest.mark.parametrize("status", [LetterStatus.SUBMITTED_BY_VISITOR, LetterStatus.REJECTED])
def test_an_unregistered_letter_cannot_open_a_task(tree, status):
    with in_tenant("340100"):
        letter = LetterFactory(status=status)
    before = snapshot()
    response = api("340100", "340100-drafter").post(TASKS, body(letter), format="json")
    refused(response, 400, "letter_required")
    assert error_codes(response) == {("letter", "letter_required")}
    assert snapshot() == before


def test_a_letter_of_another_jurisdiction_is_unknown_here(tree):
    with in_tenant("340200"):
        foreign = LetterFactory()
    with in_tenant("340100"):
        from reception.models import Letter

        assert not Letter.objects.filter(pk=foreign.pk).exists()
    before = snapshot()
    response = api("340100", "340100-drafter").post(TASKS, body(foreign), format="json")
    refused(response, 400, "does_not_exist")
    assert error_fields(response) == ["letter"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "username", ["340100-reviewer", "340100-handler", "340100-admin", "340000-supervisor", "340200-drafter"]
)
def test_who_may_not_open_a_task(letter, username):
    before = snapshot()
    refused(api("340100", username).post(TASKS, body(letter), format="json"), 403, "permission_denied")
    assert snapshot() == before


def test_list_newest_first_filtered_and_paginated(tree):
    with in_tenant("340100"):
        first = TaskFactory(title="甲")
        second = TaskFactory(title="乙", status="submitted")
        third = TaskFactory(title="丙", status="submitted")
    client = api("340100", "340100-counterpart")
    listing = client.get(TASKS).json()
    assert listing["count"] == 3 and listing["next"] is None
    assert [row["id"] for row in listing["results"]] == [third.pk, second.pk, first.pk]
    assert [row["title"] for row in client.get(TASKS + "?status=submitted").json()["results"]] == ["丙", "乙"]
    page = client.get(TASKS + "?page_size=2").json()
    assert (len(page["results"]), page["next"] is not None) == (2, True)
    assert client.get(TASKS + "?page_size=2&page=2").json()["results"][0]["id"] == first.pk
    assert client.get(TASKS + "?q=乙").json()["count"] == 1
    assert client.get(TASKS + "?status=unknown").status_code == 400
    assert client.get(TASKS + "?status=%00").status_code == 400


@pytest.mark.parametrize(
    ("username", "expected"),
    [("340000-supervisor", 200), ("340000-admin", 200), ("340200-admin", 403), ("340123-admin", 403)],
)
def test_reads_by_overseers_and_others(draft, username, expected):
    client = api("340100", username)
    for path in ("", "checks/", "history/"):
        assert client.get(task_url(draft, path)).status_code == expected
    assert client.get(TASKS).status_code == expected


def test_detail_has_guests_items_status_and_handler(draft):
    task = api("340100", "340100-finance").get(task_url(draft)).json()
    assert task["status"] == "draft" and task["handler"] is None
    assert [g["name"] for g in task["guests"]] == ["王明", "李华"]
    assert task["guests"][0] == {
        "id": task["guests"][0]["id"],
        "name": "王明",
        "unit": "安徽省发展和改革委员会",
        "post": "副主任",
        "grade": "bureau",
        "phone": "",
        "version": 1,
    }
    item = task["items"][0]
    assert item["starts_at"] == "2026-05-06T12:00:00+08:00"
    assert (item["kind"], item["meal_type"], item["room_type"], item["provider"]) == ("meal", "lunch", None, None)
    assert (item["unit_price"], item["quantity"], item["amount"], item["payer"]) == ("60.00", 3, "180.00", "guest")
    # The lunch is not the working meal: the guests pay it, so it is not the host's spending.
    assert (task["total"], task["guest_paid_total"]) == ("0.00", "180.00")


def test_unknown_task_is_404(tree):
    client = api("340100", "340100-drafter")
    for path in ("", "checks/", "history/"):
        refused(client.get(f"{TASKS}999999/{path}"), 404, "not_found")
    refused(client.get(f"{TASKS}99999999999999999999/"), 404, "not_found")


def test_a_task_id_of_another_jurisdiction_is_404_here(tree):
    with in_tenant("340200"):
        foreign = TaskFactory(title="芜湖的任务")
    with in_tenant("340100"):
        assert not Task.objects.filter(pk=foreign.pk).exists()
    refused(api("340100", "340100-drafter").get(task_url(foreign)), 404, "not_found")


def test_checks_list_errors_and_warnings(draft):
    with in_tenant("340100"):
        GuestFactory.create_batch(10, task=draft, grade="division")  # 12 guests
        StaffFactory.create_batch(4, task=draft)  # 5 accompanying
        lunch = PlanItemFactory(
            task=draft,
            guests_count=12,
            accompanying_count=5,
            unit_price="95.00",
            quantity=17,
            starts_at=at(12, day=NEXT),
        )
        PlanItemFactory(task=draft, kind="lodging", meal_type="", room_type="suite", unit_price="400", quantity=1)
        PlanItemFactory(
            task=draft,
            meal_type="dinner",
            unit_price="85.00",
            menu="红烧肉、鱼翅",
            guests_count=2,
            accompanying_count=0,
            quantity=2,
            starts_at=at(18, day=NEXT),
        )
    checks = api("340100", "340100-drafter").get(task_url(draft, "checks/")).json()
    assert [f["code"] for f in checks["errors"]] == [
        "accompany_limit",
        "meal_standard",
        "banned_item",
        "suite_not_allowed",
    ]
    assert [f["code"] for f in checks["warnings"]] == ["meal_standard_near"]
    assert checks["errors"][0] == {
        "code": "accompany_limit",
        "message": "第3项（午餐 05-07 12:00 市政府机关食堂）：客人 12 人，陪餐最多 4 人，现为 5 人"
        "（《党政机关国内公务接待管理规定》第十条；接待标准第 1 版）",
        "item": lunch.pk,
        "field": "accompanying_count",
        "source": "《党政机关国内公务接待管理规定》第十条；接待标准第 1 版",
    }
    assert set(checks) == {"errors", "warnings"}
    assert all(set(f) == {"code", "message", "item", "field", "source"} for f in checks["errors"] + checks["warnings"])


def test_clean_plan_has_no_findings(draft):
    assert api("340100", "340100-drafter").get(task_url(draft, "checks/")).json() == {"errors": [], "warnings": []}


def _tasks(n):
    with in_tenant("340100"):
        letter = LetterFactory()
        for i in range(n):
            TaskFactory(letter=letter, handler=None, title=f"任务{i}")


def _queries(client, path):
    client.get(path)  # warm caches (content types, the token's user)
    with count_queries() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_list_queries_do_not_grow_with_rows(tree):
    client = api("340100", "340100-drafter")
    _tasks(5)
    few = _queries(client, TASKS)
    _tasks(45)
    assert _queries(client, TASKS) == few


def test_detail_and_checks_queries_do_not_grow_with_the_plan(draft):
    client = api("340100", "340100-drafter")
    few_detail, few_checks = _queries(client, task_url(draft)), _queries(client, task_url(draft, "checks/"))
    with in_tenant("340100"):
        PlanItemFactory.create_batch(49, task=draft)
        GuestFactory.create_batch(30, task=draft)
    assert _queries(client, task_url(draft)) == few_detail
    assert _queries(client, task_url(draft, "checks/")) == few_checks


def test_patch_task_fields_with_and_without_version(draft):
    client = api("340100", "340100-drafter")
    response = client.patch(task_url(draft), {"title": "改名", "budget": "5000"}, format="json")
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["budget"], response.json()["version"]) == ("改名", "5000.00", 2)
    before = snapshot()
    stale = client.patch(task_url(draft), {"title": "又改", "version": 1}, format="json")
    refused(stale, 409, "stale_version")
    assert stale.json()["code"] == "stale_version"
    assert snapshot() == before
    assert client.patch(task_url(draft), {"title": "又改", "version": 2}, format="json").json()["version"] == 3


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"end_date": "2026-05-01"}, "end_date", "end_before_start"),
        ({"level": "x"}, "level", "invalid_choice"),
        ({"title": ""}, "title", "blank"),
        ({"version": 0}, "version", "min_value"),
    ],
)
def test_patch_task_bad_input(draft, change, field, code):
    before = snapshot()
    response = api("340100", "340100-drafter").patch(task_url(draft), change, format="json")
    refused(response, 400, code)
    assert error_fields(response) == [field]
    assert snapshot() == before


@pytest.mark.parametrize("username", ["340100-reviewer", "340100-counterpart", "340000-supervisor", "340200-drafter"])
def test_patch_task_roles(draft, username):
    before = snapshot()
    refused(api("340100", username).patch(task_url(draft), {"title": "x"}, format="json"), 403, "permission_denied")
    assert snapshot() == before


def test_patch_task_after_submission_is_409(draft):
    with in_tenant("340100"):
        Task.objects.filter(pk=draft.pk).update(status="submitted")
    before = snapshot()
    refused(api("340100", "340100-drafter").patch(task_url(draft), {"title": "x"}, format="json"), 409, "not_editable")
    assert snapshot() == before


def test_providers_are_those_serving_this_jurisdiction(hotel, elsewhere_hotel):
    response = api("340100", "340100-drafter").get("/api/v1/providers/")
    # The contract's fields; the designated list adds contact data and agreed prices (issue 4).
    assert [{k: p[k] for k in ("id", "name", "kind")} for p in response.json()] == [
        {"id": hotel.pk, "name": "稻香楼宾馆", "kind": "hotel"}
    ]
    assert api("340100", "340000-supervisor").get("/api/v1/providers/").status_code == 200
    refused(api("340100", "340200-drafter").get("/api/v1/providers/"), 403, "permission_denied")


def test_list_rows_are_what_the_summary_serializer_gives(tree):
    """The list builds its rows from `.values()` (no model instances); they must be exactly what
    `TaskSummaryOutput` makes of the tasks: dates, the decimal budget, times, handler, letter."""
    from decimal import Decimal

    from reception import selectors
    from reception.api.serializers import TaskSummaryOutput
    from tests.conftest import user

    with in_tenant("340100"):
        TaskFactory(title="无经办人")
        TaskFactory(title="有经办人", budget=Decimal("1234.5"), handler=user("340100-handler"), status="in_progress")
        expected = TaskSummaryOutput(list(selectors.task_list()), many=True).data
    listing = api("340100", "340100-drafter").get(TASKS).json()
    assert listing["results"] == [dict(row) for row in expected]
    assert {row["handler"] for row in listing["results"]} == {None, "340100-handler"}
    assert "1234.50" in {row["budget"] for row in listing["results"]}


def test_list_runs_three_queries(tree):
    """Host; token with the user's memberships; page with its count. No `SET search_path`, no
    sweep of the user's tokens, no separate membership or count query."""
    from django.test.utils import CaptureQueriesContext

    client = api("340100", "340100-drafter")
    _tasks(3)
    client.get(TASKS)
    with CaptureQueriesContext(connection) as context:
        assert client.get(TASKS).status_code == 200
    assert len(context.captured_queries) == 3, [q["sql"][:80] for q in context.captured_queries]


@pytest.mark.parametrize(
    "query", ["", "?page=2&page_size=2", "?page=3&page_size=2", "?page_size=500", "?page=last&page_size=2"]
)
def test_list_pages_are_what_drf_paginates(tree, query):
    """The page read with its count in one statement (`core.api.Pagination`) is DRF's page:
    same count, links and rows as DRF's own count-then-slice."""
    from unittest import mock

    _tasks(5)
    client = api("340100", "340100-drafter")
    windowed = client.get(TASKS + query)
    with mock.patch("core.api._windowable", return_value=False):
        plain = client.get(TASKS + query)
    assert windowed.status_code == plain.status_code == 200
    assert windowed.json() == plain.json()
    assert windowed.json()["count"] == 5


@pytest.mark.parametrize("query", ["?page=4&page_size=2", "?page=0", "?page=x", "?page=1.0"])
def test_list_page_out_of_range_is_still_a_404(tree, query):
    _tasks(5)
    response = api("340100", "340100-drafter").get(TASKS + query)
    assert response.status_code == 404


def test_list_filters_still_apply_and_refuse(tree):
    _tasks(2)
    client = api("340100", "340100-drafter")
    assert client.get(TASKS + "?page=1&status=draft").json()["count"] == 2
    assert client.get(TASKS + "?page=1&status=approved").json()["count"] == 0
    before = snapshot()
    response = client.get(TASKS + "?status=bogus")
    assert response.status_code == 400
    assert snapshot() == before


def test_an_empty_list_counts_zero(tree):
    response = api("340100", "340100-drafter").get(TASKS)
    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (0, [])
