"""Early warning: the current findings of every task not cancelled (drafts included), the annual
budget at 80 % and 100 %, and finance and supervisors told once per finding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from provider_portal.services import provider_add
from reception.selectors.rules import task_checks
from tests.conftest import api, in_tenant, refused, user
from tests.reception.factories import GuestFactory, PlanItemFactory, StaffFactory, TaskFactory, at

WARNINGS = "/api/v1/warnings/"
BUDGETS = "/api/v1/reception-budgets/"


def _meal(
    task: Any, *, hour: int, meal_type: str, price: str, guests: int = 5, accompanying: int = 2, working: bool = False
) -> None:
    PlanItemFactory(
        task=task,
        starts_at=at(hour),
        meal_type=meal_type,
        unit_price=Decimal(price),
        quantity=guests + accompanying,
        guests_count=guests,
        accompanying_count=accompanying,
        working_meal=working,
        payer="host" if working else "guest",
    )


def _rosters(task: Any, *, guests: int = 5, staff: int = 4) -> None:
    GuestFactory.create_batch(guests, task=task, grade="bureau")
    StaffFactory.create_batch(staff, task=task)


@pytest.fixture
def findings(tree: Any) -> dict[str, Any]:
    """In 合肥 (bureau level: lunch and dinner ceilings 90, warning above 81), each with 5 guests
    and 4 accompanying on its rosters:
    a draft with the working lunch at 95 (over; the host's 665.00), a dinner at 85 (near; the
    guests'), a breakfast for 5 guests with 4 accompanying (limit 3), and a budget of 100 under the
    host's 665.00; a settled clean reception whose working lunch cost the host 420.00 on 1 May; a
    cancelled task with the same faults."""
    with in_tenant("340100"):
        draft = TaskFactory(title="超标草稿", budget=Decimal("100.00"))
        _rosters(draft)
        _meal(draft, hour=12, meal_type="lunch", price="95.00", working=True)
        _meal(draft, hour=18, meal_type="dinner", price="85.00")
        _meal(draft, hour=7, meal_type="breakfast", price="30.00", guests=5, accompanying=4)
        settled = TaskFactory(title="已结算", status="settled", start_date=dt.date(2026, 5, 1))
        _rosters(settled)
        PlanItemFactory(
            task=settled,
            starts_at=at(12, day=dt.date(2026, 5, 1)),
            unit_price=Decimal("60.00"),
            quantity=7,
            working_meal=True,
            payer="host",
        )
        cancelled = TaskFactory(title="已取消", status="cancelled", budget=Decimal("1.00"))
        _meal(cancelled, hour=12, meal_type="lunch", price="200.00")
    return {"draft": draft, "settled": settled, "cancelled": cancelled}


def _codes(data: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [(w["code"], w["severity"], w["task"]) for w in data]


def test_a_drafts_findings_are_listed_at_once(findings: dict[str, Any]) -> None:
    response = api("340100", "340100-finance").get(WARNINGS)
    assert response.status_code == 200
    draft = findings["draft"].pk
    data = response.json()
    assert _codes(data) == [
        ("accompany_limit", "error", draft),
        ("meal_standard", "error", draft),
        ("meal_standard_near", "warning", draft),
        ("budget_exceeded", "warning", draft),
    ]
    assert "95.00" in data[1]["message"] and "90.00" in data[1]["message"]
    assert data[3]["message"] == (
        "方案中接待单位付费合计 665.00 元，超过预算 100.00 元（《党政机关国内公务接待管理规定》第十二条）"
    )
    assert findings["cancelled"].pk not in {w["task"] for w in data}


def test_the_annual_budget_at_80_and_100_percent(findings: dict[str, Any]) -> None:
    client = api("340100", "340100-finance")
    response = client.post(BUDGETS, {"year": 2026, "amount": "1350.00"}, format="json")
    assert response.status_code == 200, response.content
    # The host's spending 2026: 420.00 (1 May) + 665.00 (6 May) = 1,085.00 = 80.4 % of 1,350: the
    # draft crossed 80 % (the guests' dinner and breakfast are theirs, not the budget's).
    annual = [w for w in client.get(WARNINGS).json() if w["code"].startswith("annual")]
    assert annual == [
        {
            "code": "annual_budget_near",
            "severity": "warning",
            "task": findings["draft"].pk,
            "task_title": "超标草稿",
            "message": "2026年度接待支出 1085.00 元，已达年度接待预算 1350.00 元的 80.4%。",
        }
    ]
    client.post(BUDGETS, {"year": 2026, "amount": "1080.00"}, format="json")
    annual = [w for w in client.get(WARNINGS).json() if w["code"].startswith("annual")]
    assert _codes(annual) == [("annual_budget_exceeded", "error", findings["draft"].pk)]
    client.post(BUDGETS, {"year": 2026, "amount": "5000.00"}, format="json")
    assert not [w for w in client.get(WARNINGS).json() if w["code"].startswith("annual")]
    assert client.get(BUDGETS).json()[0]["amount"] == "5000.00"
    # One figure of spending for the API, the budget page and the warning (reporting.supervision.selectors)
    listed = client.get(BUDGETS).json()[0]
    assert (listed["spent"], round(listed["share"], 1)) == ("1085.00", 21.7)
    from reporting.supervision.selectors import budget_status

    with in_tenant("340100"):
        assert budget_status(2026)["spent"] == Decimal("1085.00")
    from tests.reporting.test_pages import browser

    page = browser("340100", "340100-finance").get("/reporting/budget/")
    assert page.status_code == 200 and '<td class="num">1085.00</td>' in page.content.decode()

    from core.models import AuditEntry

    assert AuditEntry.objects.filter(chain="340100", action="reporting.budget.set").count() == 3


def test_budget_input_and_roles(tree: Any) -> None:
    assert (
        api("340100", "340100-finance").post(BUDGETS, {"year": 2026, "amount": "-1"}, format="json").status_code == 400
    )
    assert (
        api("340100", "340100-finance").post(BUDGETS, {"year": 1999, "amount": "1"}, format="json").status_code == 400
    )
    assert (
        api("340100", "340100-supervisor").post(BUDGETS, {"year": 2026, "amount": "1"}, format="json").status_code
        == 403
    )
    refused(
        api("340100", "340000-admin").post(BUDGETS, {"year": 2026, "amount": "1"}, format="json"),
        403,
        "permission_denied",
    )


def test_finance_is_told_once_per_finding(findings: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    from core.models import AuditEntry, Notification
    from reporting.supervision.services import warnings_notify

    for username in ("340100-finance", "340100-supervisor", "340100-drafter"):
        person = user(username)
        person.email = f"{username}@example.gov.cn"
        person.save()
    with in_tenant("340100") as hefei:
        assert warnings_notify(jurisdiction=hefei) == 4
        assert warnings_notify(jurisdiction=hefei) == 0  # nothing new
    sent = Notification.objects.filter(jurisdiction_code="340100", event__startswith="reporting.warning.")
    assert sent.count() == 4  # 4 findings × finance, e-mail only (no phones); supervisors get the digest
    assert set(sent.values_list("address", flat=True)) == {"340100-finance@example.gov.cn"}
    assert AuditEntry.objects.filter(chain="340100", action="reporting.warning.notified").count() == 4

    # A new finding is told; the old ones are not told again.
    with in_tenant("340100") as hefei:
        _meal(findings["settled"], hour=19, meal_type="dinner", price="99.00")
        assert warnings_notify(jurisdiction=hefei) == 1
    assert sent.count() == 5


def test_supervisors_get_one_daily_digest_of_every_current_finding(
    findings: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    from core.models import AuditEntry, Notification
    from reporting.supervision.digest import warnings_digest
    from reporting.supervision.tasks import warnings_digest_sweep

    for username in ("340100-finance", "340100-supervisor"):
        person = user(username)
        person.email = f"{username}@example.gov.cn"
        person.save()
    day = dt.date(2026, 5, 8)
    with in_tenant("340100") as hefei, django_capture_on_commit_callbacks(execute=True):
        assert warnings_digest(jurisdiction=hefei, today=day) == 1
        assert warnings_digest(jurisdiction=hefei, today=day) == 0  # once a day
    [message] = mail.outbox
    assert message.to == ["340100-supervisor@example.gov.cn"]
    assert "4" in message.subject and "2026-05-08" in message.subject
    assert "http://hefei.localhost:8000/reporting/warnings/" in message.body
    for title in {f["title"] for f in Notification.objects.get(event="reporting.warning.digest").context["findings"]}:
        assert title in message.body
    assert AuditEntry.objects.filter(chain="340100", action="reporting.warning.digest_sent").count() == 1
    with in_tenant("340100") as hefei:
        assert warnings_digest(jurisdiction=hefei, today=day + dt.timedelta(days=1)) == 1  # the next day again
    assert warnings_digest_sweep()["queued"] >= 5


def test_the_sweep_runs_in_every_jurisdiction(findings: dict[str, Any]) -> None:
    from reporting.local.models import WarningNotice
    from reporting.supervision.tasks import warnings_sweep

    assert warnings_sweep()["queued"] >= 5
    with in_tenant("340100"):
        assert WarningNotice.objects.count() == 4
    with in_tenant("340200"):
        assert WarningNotice.objects.count() == 0


def _meeting(task: Any, provider: Any, hour: int, *, ends: int, venue: str = "第一会议室") -> Any:
    return PlanItemFactory(
        task=task,
        kind="meeting",
        meal_type="",
        menu="",
        provider=provider,
        venue=venue,
        starts_at=at(hour),
        ends_at=at(ends),
        guests_count=1,
        accompanying_count=0,
        quantity=1,
        unit_price=Decimal("0"),
        payer="host",
    )


@pytest.mark.django_db
def test_a_venue_two_tasks_hold_at_once_is_a_booking_conflict_warning(tree):
    """`booking_conflict` is listed for both tasks, drafts included; another venue, a later time
    or a cancelled task holds nothing."""
    hotel, _created = provider_add(actor=None, name="稻香楼宾馆", kind="hotel", serves=[tree["340100"]])
    with in_tenant("340100"):
        first = TaskFactory(title="省发改委调研", status="approved")
        second = TaskFactory(title="省财政厅检查")
        elsewhere = TaskFactory(title="另一会议室")
        cancelled = TaskFactory(title="已取消", status="cancelled")
        mine = _meeting(first, hotel, 9, ends=11)
        theirs = _meeting(second, hotel, 10, ends=12)
        _meeting(second, hotel, 14, ends=15)  # later: free
        _meeting(elsewhere, hotel, 9, ends=11, venue="第二会议室")
        _meeting(cancelled, hotel, 9, ends=11)
    found = api("340100", "340100-finance").get(WARNINGS).json()
    conflicts = sorted((w["task"], w["severity"]) for w in found if w["code"] == "booking_conflict")
    assert conflicts == sorted([(first.pk, "error"), (second.pk, "error")])
    messages = {w["task"]: w["message"] for w in found if w["code"] == "booking_conflict"}
    assert "省财政厅检查" in messages[first.pk] and "省发改委调研" in messages[second.pk]
    # the task's own checks say the same
    with in_tenant("340100"):
        for task, item in ((first, mine), (second, theirs)):
            errors = task_checks(task, jurisdiction=tree["340100"]).errors
            assert [(f.code, f.item) for f in errors if f.code == "booking_conflict"] == [("booking_conflict", item.pk)]
