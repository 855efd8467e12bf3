"""Statistics against hand-computed fixtures (tests/reporting/conftest.py): exact Decimal sums,
人次 counts, group keys, rows adding up to totals, the subtree from current reports only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import api, count_queries
from tests.reporting.conftest import STATISTICS, UNIT_A, UNIT_B

RANGE = "from=2026-05-01&to=2026-06-30"


def get(code: str, username: str, query: str) -> Any:
    response = api(code, username).get(f"{STATISTICS}?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def compact(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row.get("key"), row["receptions"], row["guests"], row["accompanying"], row["cost_total"])


def assert_rows_add_up(data: dict[str, Any]) -> None:
    totals = data["totals"]
    for field in ("receptions", "guests", "accompanying", "over_standard"):
        assert sum(row[field] for row in data["rows"]) == totals[field]
    assert sum(Decimal(row["cost_total"]) for row in data["rows"]) == Decimal(totals["cost_total"])
    for kind, amount in totals["cost_by_kind"].items():
        assert sum(Decimal(row["cost_by_kind"][kind]) for row in data["rows"]) == Decimal(amount)


def test_totals_are_exact(hefei_receptions: Any) -> None:
    data = get("340100", "340100-finance", f"{RANGE}&group_by=level")
    assert data["totals"] == {
        "receptions": 3,
        "guests": 9,
        "accompanying": 3,
        "cost_total": "1409.79",
        "cost_by_kind": {"meal": "749.49", "lodging": "660.00", "vehicle": "0.30", "meeting": "0.00", "visit": "0.00"},
        "guest_paid_total": "0.00",
        "average_per_guest": "156.64",  # 1409.79 / 9 = 156.643…
        "over_standard": 1,
    }


def test_by_month(hefei_receptions: Any) -> None:
    data = get("340100", "340100-admin", f"{RANGE}&group_by=month&scope=own")
    assert [compact(r) for r in data["rows"]] == [("2026-05", 2, 5, 1, "1309.80"), ("2026-06", 1, 4, 2, "99.99")]
    assert data["rows"][1]["average_per_guest"] == "25.00"  # 99.99 / 4 = 24.9975, rounded half up
    assert data["scope"] == "own"
    assert_rows_add_up(data)


def test_by_level_in_the_levels_order(hefei_receptions: Any) -> None:
    data = get("340100", "340100-supervisor", f"{RANGE}&group_by=level")
    assert [compact(r) for r in data["rows"]] == [("bureau", 2, 7, 3, "1169.49"), ("division", 1, 2, 0, "240.30")]
    assert [r["label"] for r in data["rows"]] == ["厅局级", "县处级"]
    assert [r["over_standard"] for r in data["rows"]] == [0, 1]
    assert data["scope"] == "own"
    assert_rows_add_up(data)


def test_by_purpose(hefei_receptions: Any) -> None:
    data = get("340100", "340100-finance", f"{RANGE}&group_by=purpose")
    assert [compact(r) for r in data["rows"]] == [
        ("attend_meeting", 2, 6, 2, "340.29"),
        ("inspection_research", 1, 3, 1, "1069.50"),
    ]
    assert_rows_add_up(data)


def test_by_counterpart_unit(hefei_receptions: Any) -> None:
    data = get("340100", "340100-finance", f"{RANGE}&group_by=counterpart_unit")
    assert [compact(r) for r in data["rows"]] == [(UNIT_A, 2, 7, 3, "1169.49"), (UNIT_B, 1, 2, 0, "240.30")]
    assert_rows_add_up(data)


def test_a_superior_sees_its_subtree_from_current_reports(hefei_receptions: Any, subtree_reports: Any) -> None:
    data = get("340100", "340100-supervisor", f"{RANGE}&group_by=jurisdiction")
    assert data["scope"] == "subtree"
    assert [compact(r) for r in data["rows"]] == [("340100", 3, 9, 3, "1409.79"), ("340123", 3, 8, 1, "600.50")]
    assert data["rows"][1]["label"] == "肥西县"
    assert data["totals"]["cost_total"] == "2010.29"
    assert_rows_add_up(data)

    by_month = get("340100", "340100-supervisor", f"{RANGE}&group_by=month")
    assert [compact(r) for r in by_month["rows"]] == [("2026-05", 4, 11, 2, "1809.80"), ("2026-06", 2, 6, 2, "200.49")]
    assert_rows_add_up(by_month)


def test_the_province_reads_reports_never_the_childrens_schemas(hefei_receptions: Any, subtree_reports: Any) -> None:
    data = get("340000", "340000-admin", f"{RANGE}&group_by=jurisdiction")
    # 合肥's receptions are in its schema only (it has not reported): the province does not see them.
    assert [compact(r) for r in data["rows"]] == [
        ("340000", 0, 0, 0, "0.00"),
        ("340123", 3, 8, 1, "600.50"),
        ("340200", 7, 7, 7, "77.00"),
    ]
    assert data["totals"]["receptions"] == 10


def test_a_county_has_no_subtree(hefei_receptions: Any, subtree_reports: Any) -> None:
    data = get("340123", "340123-admin", f"{RANGE}&group_by=jurisdiction")
    assert data["scope"] == "own"
    assert [compact(r) for r in data["rows"]] == [("340123", 0, 0, 0, "0.00")]


def test_queries_do_not_grow_with_the_rows(hefei_receptions: Any, subtree_reports: Any) -> None:
    from reporting.statistics.selectors import statistics
    from tests.conftest import in_tenant

    with in_tenant("340100") as hefei, count_queries() as queries:
        statistics(
            jurisdiction=hefei,
            start=__import__("datetime").date(2026, 1, 1),
            end=__import__("datetime").date(2026, 12, 31),
            group_by="jurisdiction",
        )
    assert len(queries) <= 10, queries


def test_nothing_held_gives_zeros(tree: Any) -> None:
    data = get("340100", "340100-finance", f"{RANGE}&group_by=level")
    assert data["rows"] == []
    assert data["totals"]["cost_total"] == "0.00"
    assert data["totals"]["average_per_guest"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-06-01&to=2026-05-01", "to"),
        ("group_by=colour", "group_by"),
        ("scope=everything", "scope"),
        ("format=pdf", "format"),
        ("from=2000-01-01&to=2026-01-01", "to"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(tree: Any, query: str, field: str) -> None:
    response = api("340100", "340100-finance").get(f"{STATISTICS}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert field in response.json()


def test_over_standard_uses_the_version_each_task_recorded(hefei_receptions: Any) -> None:
    """T2's lunch at 80.00 for a division-level reception is over the default ceiling of 70. Once
    the tasks record a version whose division lunch ceiling is 85 and which allows one accompanying
    diner per small group, every meal (each with 2 accompanying for 5 guests) is over on that count
    instead; with generous numbers nothing is."""
    import datetime as dt

    from reception.models import MealCeiling, Standard, Task
    from reception.standards import DEFAULT_MEAL_CEILINGS
    from tests.conftest import in_tenant

    with in_tenant("340100"):
        version = (Standard.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
        strict = Standard.objects.create(
            version=version, effective_from=dt.date(2020, 1, 1), accompany_small_group_limit=1
        )
        MealCeiling.objects.bulk_create(
            MealCeiling(standard=strict, level=level, meal_type=meal, amount=amount)
            for (level, meal), amount in DEFAULT_MEAL_CEILINGS.items()
        )
        MealCeiling.objects.filter(standard=strict, level="division", meal_type="lunch").update(amount=85)
        Task.objects.filter(pk__in=[t.pk for t in hefei_receptions.values()]).update(standard=strict)
    data = get("340100", "340100-finance", f"{RANGE}&group_by=level")
    assert [(r["key"], r["over_standard"]) for r in data["rows"]] == [("bureau", 2), ("division", 1)]

    with in_tenant("340100"):
        MealCeiling.objects.filter(standard=strict).update(amount=1000)
        Standard.objects.filter(pk=strict.pk).update(accompany_small_group_limit=3)
    data = get("340100", "340100-finance", f"{RANGE}&group_by=level")
    assert data["totals"]["over_standard"] == 0


def test_over_standard_judges_at_the_guests_grade_and_counts_rooms(hefei_receptions: Any) -> None:
    """T1 is a bureau-level reception. Its guests are all 县处级, so the standards apply at
    division level: a lunch at 75.00 (within bureau's 90, over division's 70) and a room-night at
    400.00 (within bureau's 480, over division's 350) are both over the standard, as the plan's
    rules would say; with one 厅局级 guest neither is."""
    from reception.models import Guest, PlanItem
    from tests.conftest import in_tenant

    t1 = hefei_receptions["t1"]
    with in_tenant("340100"):
        PlanItem.objects.filter(task=t1, kind="meal").update(unit_price=Decimal("75.00"))
        PlanItem.objects.filter(task=t1, kind="lodging").update(unit_price=Decimal("400.00"))
        Guest.objects.filter(task=t1).update(grade="division")
    data = get("340100", "340100-finance", f"{RANGE}&group_by=level")
    assert [(r["key"], r["over_standard"]) for r in data["rows"]] == [("bureau", 2), ("division", 1)]

    with in_tenant("340100"):
        Guest.objects.filter(pk=Guest.objects.filter(task=t1).order_by("id").values("pk")[:1]).update(grade="bureau")
    data = get("340100", "340100-finance", f"{RANGE}&group_by=level")
    assert [(r["key"], r["over_standard"]) for r in data["rows"]] == [("bureau", 0), ("division", 1)]


def test_a_report_row_keeps_its_total_and_tolerates_missing_or_bad_fields() -> None:
    from reporting.statistics.selectors import report_row

    row = report_row("340123", "肥西县", {"receptions": 2, "cost_total": "100.00", "cost_by_kind": {"meal": "90.00"}})
    assert (row.receptions, row.guests, row.cost_total) == (2, 0, Decimal("100.00"))
    assert row.as_json()["cost_by_kind"]["meal"] == "90.00"
    assert report_row("x", "x", {"cost_total": "not money"}).cost_total == Decimal("0.00")


def test_scope_own_at_a_superior_leaves_the_reports_out(hefei_receptions: Any, subtree_reports: Any) -> None:
    data = get("340100", "340100-admin", f"{RANGE}&group_by=jurisdiction&scope=own")
    assert data["scope"] == "own"
    assert [compact(r) for r in data["rows"]] == [("340100", 3, 9, 3, "1409.79")]


@pytest.mark.parametrize("group_by", ["month", "level", "purpose", "counterpart_unit", "jurisdiction"])
def test_each_groups_costs_are_its_tasks_task_costs(hefei_receptions: Any, tree: Any, group_by: str) -> None:
    """Costs are summed per group in SQL; they must be what adding up `task_costs` per group gives,
    approved order costs included (T1's lodging approved at 612.30, T3's meal at 100.00; T2's
    meal only reported, so its plan counts)."""
    import datetime as dt

    from provider_portal.services import provider_add
    from reception.figures import ZERO, counted_tasks, task_costs
    from reporting.statistics.selectors import _grouping, own_rows
    from tests.conftest import in_tenant
    from tests.reception.factories import order_for

    hotel, _created = provider_add(actor=None, name="稻香楼宾馆", kind="hotel", serves=[tree["340100"]])
    start, end = dt.date(2026, 5, 1), dt.date(2026, 6, 30)
    with in_tenant("340100") as hefei:
        t1, t2, t3 = (hefei_receptions[name] for name in ("t1", "t2", "t3"))
        order_for(t1.items.get(kind="lodging"), provider=hotel, status="cost_approved", cost="612.30")
        order_for(t2.items.get(kind="meal"), provider=hotel, status="cost_reported", cost="1.00")
        order_for(t3.items.get(kind="meal"), provider=hotel, status="cost_approved", cost="100.00")
        rows = own_rows(jurisdiction=hefei, start=start, end=end, group_by=group_by)
        tasks = list(
            counted_tasks(start, end).values("id", "start_date", "level", "letter__purpose", "counterpart_unit")
        )
        per_task = task_costs(task["id"] for task in tasks)
        expected: dict[str, dict[str, Decimal]] = {}
        key_of = _grouping(group_by, hefei)
        for task in tasks:
            group = expected.setdefault(key_of(task), {})
            for kind, amount in per_task.get(task["id"], {}).items():
                group[kind] = group.get(kind, ZERO) + amount

    assert {row.key: {k: v for k, v in row.cost_by_kind.items() if v} for row in rows} == expected
    assert sum((row.cost_total for row in rows), ZERO) == Decimal("1362.10")  # 1409.79 − 47.70 + 0.01
