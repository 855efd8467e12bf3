"""Who pays: host spending is `cost_total` everywhere totals are given (statistics, reports up the
tree, oversight, disclosure, the budget and its warning, the task, the reception list, exports)
and what the guests paid themselves is `guest_paid_total`, shown apart; the migration gave
existing items the regulation's defaults."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.apps import apps
from openpyxl import load_workbook

from reception.figures import period_figures
from reception.models import PlanItem
from reporting.supervision.selectors import budget_status
from tests.conftest import api, in_tenant, user
from tests.reception.factories import GuestFactory, LetterFactory, PlanItemFactory, StaffFactory, TaskFactory, at

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 6)


@pytest.fixture
def mixed(tree: dict[str, Any]) -> Any:
    """A settled reception: the working meal 100 × 3 and a car 500 (host: 800); a dinner 60 × 3
    and two room-nights 380 × 2 (the guests': 940)."""
    with in_tenant("340100"):
        task = TaskFactory(
            status="settled", start_date=DAY, end_date=DAY + dt.timedelta(days=1), letter=LetterFactory()
        )
        GuestFactory.create_batch(2, task=task, grade="bureau")
        StaffFactory(task=task)
        common = {"task": task, "guests_count": 2, "accompanying_count": 1, "menu": ""}
        PlanItemFactory(**common, kind="meal", working_meal=True, unit_price=Decimal("100.00"), quantity=3)
        PlanItemFactory(
            **common, kind="meal", meal_type="dinner", starts_at=at(18), unit_price=Decimal("60.00"), quantity=3
        )
        PlanItemFactory(
            **common, kind="lodging", meal_type="", room_type="standard", unit_price=Decimal("380.00"), quantity=2
        )
        PlanItemFactory(**common, kind="vehicle", meal_type="", unit_price=Decimal("500.00"), quantity=1)
        assert sorted(task.items.values_list("kind", "payer")) == [
            ("lodging", "guest"),
            ("meal", "guest"),
            ("meal", "host"),
            ("vehicle", "host"),
        ]
        return task


def test_figures_count_the_hosts_spending_and_the_guests_own_apart(mixed: Any) -> None:
    with in_tenant("340100"):
        figures = period_figures(DAY, DAY)
    assert figures.cost_total == Decimal("800.00")
    assert figures.guest_paid_total == Decimal("940.00")
    assert figures.as_json()["cost_by_kind"] == {
        "meal": "300.00",
        "lodging": "0.00",
        "vehicle": "500.00",
        "meeting": "0.00",
        "visit": "0.00",
    }


def test_statistics_disclosure_and_exports_show_both(mixed: Any) -> None:
    finance = api("340100", "340100-finance")
    stats = finance.get("/api/v1/statistics/?from=2026-05-01&to=2026-05-31&group_by=month").json()
    assert (stats["totals"]["cost_total"], stats["totals"]["guest_paid_total"]) == ("800.00", "940.00")
    assert stats["rows"][0]["guest_paid_total"] == "940.00"
    disclosure = finance.get("/api/v1/disclosure/?year=2026").json()
    assert (disclosure["cost_total"], disclosure["guest_paid_total"]) == ("800.00", "940.00")
    xlsx = finance.get("/api/v1/statistics/?from=2026-05-01&to=2026-05-31&group_by=month&format=xlsx")
    sheet = load_workbook(BytesIO(xlsx.content)).active
    header = [cell.value for cell in sheet[2]]
    column = header.index("来宾自理（元，不计入接待费用）")
    assert (
        sheet.cell(row=3, column=column + 1).value == Decimal("940.00")
        or float(sheet.cell(row=3, column=column + 1).value) == 940.0
    )
    assert sheet.cell(row=3, column=header.index("接待费用合计（元）") + 1).value in (Decimal("800.00"), 800)


def test_reports_up_the_tree_and_oversight_carry_both(mixed: Any) -> None:
    report = api("340100", "340100-finance").post("/api/v1/reports/", {"period": "2026-05"}, format="json")
    assert report.status_code == 201, report.content
    assert report.json()["figures"]["cost_total"] == "800.00"
    assert report.json()["figures"]["guest_paid_total"] == "940.00"
    summary = api("340000", "340000-admin").get("/api/v1/oversight/summary/?period=2026-05").json()
    assert (summary["totals"]["cost_total"], summary["totals"]["guest_paid_total"]) == ("800.00", "940.00")
    subtree = (
        api("340000", "340000-admin")
        .get("/api/v1/statistics/?from=2026-05-01&to=2026-05-31&group_by=jurisdiction")
        .json()
    )
    assert subtree["totals"]["guest_paid_total"] == "940.00"


def test_the_budget_and_the_task_count_the_hosts_spending(mixed: Any) -> None:
    from reporting.supervision.services import budget_set

    with in_tenant("340100") as hefei:
        budget_set(actor=user("340100-finance"), jurisdiction=hefei, year=2026, amount=Decimal("1000.00"))
        status = budget_status(2026)
    assert status["spent"] == Decimal("800.00")  # 80 %: the default warning threshold
    warnings = {w["code"] for w in api("340100", "340100-finance").get("/api/v1/warnings/").json()}
    assert "annual_budget_near" in warnings and "annual_budget_exceeded" not in warnings
    task = api("340100", "340100-finance").get(f"/api/v1/tasks/{mixed.pk}/").json()
    assert (task["total"], task["guest_paid_total"]) == ("800.00", "940.00")


def test_the_annual_warning_threshold_is_a_tenant_standard(mixed: Any) -> None:
    from reporting.supervision.services import budget_set

    admin = api("340100", "340100-admin")
    today = dt.date.today().isoformat()
    assert (
        admin.post(
            "/api/v1/standards/", {"effective_from": today, "annual_budget_warning_percent": 90}, format="json"
        ).status_code
        == 201
    )
    with in_tenant("340100") as hefei:
        budget_set(actor=user("340100-finance"), jurisdiction=hefei, year=2026, amount=Decimal("1000.00"))
    codes = {w["code"] for w in api("340100", "340100-finance").get("/api/v1/warnings/").json()}
    assert "annual_budget_near" not in codes  # 80 % spent, the tenant warns at 90 %
    assert (
        admin.post(
            "/api/v1/standards/", {"effective_from": today, "annual_budget_warning_percent": 80}, format="json"
        ).status_code
        == 201
    )
    codes = {w["code"] for w in api("340100", "340100-finance").get("/api/v1/warnings/").json()}
    assert "annual_budget_near" in codes


def test_the_migration_gave_existing_items_the_regulations_defaults(mixed: Any) -> None:
    migration = importlib.import_module("reception.migrations.0006_rules_from_facts")
    with in_tenant("340100"):
        PlanItem.objects.filter(task=mixed).update(payer="guest")  # as the AddField left them
        migration.payer_defaults(apps, None)
        assert sorted(PlanItem.objects.filter(task=mixed).values_list("kind", "working_meal", "payer")) == [
            ("lodging", False, "guest"),
            ("meal", False, "guest"),
            ("meal", True, "host"),
            ("vehicle", False, "host"),
        ]
