"""Property-based tests (hypothesis): generated plans and reported costs, and the invariants a plan
or a cost that passes must keep, computed here independently of the rules' own code.

A plan without errors never has more diners at a meal than people on the rosters, covers other
than its diners, more suites a night than entitled guests, a host-paid meal that is not the
working meal, more than one working meal, or a price over its ceiling at the level the
standards apply at. A reported cost without findings is never above its ceiling.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reception.models import AccompanyingStaff, Guest, PlanItem, Task
from reception.models.common import ReceptionLevel
from reception.rules import PlanInput, check_plan
from reception.rules_costs import ReportedCost, judge_cost
from reception.standards import DEFAULT_STANDARD
from tests.reception.rules_helpers import SHANGHAI

LEVELS = ReceptionLevel.values
SENIORITY = {level: rank for rank, level in enumerate(LEVELS)}  # 0: most senior
MEAL_HOURS = {"breakfast": (6, 9), "lunch": (11, 14), "dinner": (17, 20)}

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("1200"), places=2)


@st.composite
def meals(draw: Any) -> PlanItem:
    day = draw(st.integers(6, 8))
    clock_type = draw(st.sampled_from(list(MEAL_HOURS)))
    hour = draw(st.integers(*MEAL_HOURS[clock_type]))
    guests, accompanying = draw(st.integers(0, 14)), draw(st.integers(0, 6))
    exact = draw(st.booleans())
    working = draw(st.booleans())
    return PlanItem(
        pk=draw(st.integers(1, 10**9)),
        kind="meal",
        starts_at=dt.datetime(2026, 5, day, hour, 0, tzinfo=SHANGHAI),
        venue="食堂",
        meal_type=draw(st.sampled_from([clock_type, "breakfast", "lunch", "dinner"])),
        working_meal=working,
        guests_count=guests,
        accompanying_count=accompanying,
        unit_price=draw(money),
        quantity=guests + accompanying if exact else draw(st.integers(1, 25)),
        menu="家常菜",
        payer=draw(st.sampled_from(["host", "guest"])),
    )


@st.composite
def rooms(draw: Any) -> PlanItem:
    day, nights, count = draw(st.integers(6, 8)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    return PlanItem(
        pk=draw(st.integers(1, 10**9)),
        kind="lodging",
        starts_at=dt.datetime(2026, 5, day, 14, 0, tzinfo=SHANGHAI),
        ends_at=dt.datetime(2026, 5, day + nights, 12, 0, tzinfo=SHANGHAI),
        venue="宾馆",
        guests_count=count,
        accompanying_count=0,
        unit_price=draw(money),
        quantity=count * nights,
        room_type=draw(st.sampled_from(["standard", "suite"])),
        meal_type="",
        menu="",
        payer=draw(st.sampled_from(["host", "guest"])),
    )


@st.composite
def plans(draw: Any) -> PlanInput:
    task = Task(
        title="调研",
        level=draw(st.sampled_from(LEVELS)),
        start_date=dt.date(2026, 5, 6),
        end_date=dt.date(2026, 5, 9),
    )
    guests = [
        Guest(name="来宾", unit="单位", post="职务", grade=g)
        for g in draw(st.lists(st.sampled_from(LEVELS), max_size=12))
    ]
    staff = [AccompanyingStaff(name="陪同", unit="单位", post="职务") for _ in range(draw(st.integers(0, 6)))]
    items = draw(st.lists(st.one_of(meals(), rooms()), max_size=8))
    return PlanInput(task=task, guests=guests, accompanying=staff, items=items, standard=DEFAULT_STANDARD)


def applied_level(plan: PlanInput) -> str:
    """Independently: the lower of the task's level and the guests' most senior grade."""
    if not plan.guests:
        return plan.task.level
    top = min((g.grade for g in plan.guests), key=SENIORITY.__getitem__)
    return max(plan.task.level, top, key=SENIORITY.__getitem__)


def clock_type(item: PlanItem) -> str:
    hour = item.starts_at.astimezone(SHANGHAI).hour
    return "breakfast" if hour < 10 else "lunch" if hour < 16 else "dinner"


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(plans())
def test_a_plan_that_passes_keeps_every_invariant(plan: PlanInput) -> None:
    if check_plan(plan).errors:
        return
    meals_ = [i for i in plan.items if i.kind == "meal"]
    by_meal: dict[tuple[Any, str], list[PlanItem]] = defaultdict(list)
    for meal in meals_:
        by_meal[(meal.starts_at.astimezone(SHANGHAI).date(), clock_type(meal))].append(meal)
    level = applied_level(plan)
    for sitting in by_meal.values():
        guests = sum(m.guests_count for m in sitting)
        accompanying = sum(m.accompanying_count for m in sitting)
        assert guests <= len(plan.guests)
        assert accompanying <= len(plan.accompanying)
        assert accompanying <= (3 if guests <= 10 else guests // 3)
    for meal in meals_:
        assert meal.quantity == meal.guests_count + meal.accompanying_count
        assert meal.payer == "guest" or meal.working_meal
        ceilings = [DEFAULT_STANDARD.meal_ceilings[(level, t)] for t in {meal.meal_type, clock_type(meal)}]
        assert meal.unit_price <= min(ceilings)
    assert sum(1 for sitting in by_meal.values() if any(m.working_meal for m in sitting)) <= 1
    entitled = 0 if level != "provincial_ministerial" else sum(g.grade == "provincial_ministerial" for g in plan.guests)
    suites: dict[Any, int] = defaultdict(int)
    for room in plan.items:
        if room.kind != "lodging":
            continue
        assert room.unit_price <= DEFAULT_STANDARD.lodging_ceilings[level]
        if room.room_type == "suite":
            first = room.starts_at.astimezone(SHANGHAI).date()
            nights = (room.ends_at.astimezone(SHANGHAI).date() - first).days
            for n in range(nights):
                suites[first + dt.timedelta(days=n)] += room.quantity // nights
    assert all(count <= entitled for count in suites.values())


@SETTINGS
@given(plans(), st.data())
def test_a_reported_cost_without_findings_is_within_its_ceiling(plan: PlanInput, data: Any) -> None:
    if not plan.items:
        return
    item = data.draw(st.sampled_from(list(plan.items)))
    total = data.draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000"), places=2))
    findings = judge_cost(plan, item, ReportedCost(total=total, lines=["服务费"]))
    if findings:
        assert {f.code for f in findings} == {"actual_over_standard"}
        return
    level = applied_level(plan)
    if item.kind == "meal" and item.guests_count + item.accompanying_count:
        ceiling = min(DEFAULT_STANDARD.meal_ceilings[(level, t)] for t in {item.meal_type, clock_type(item)})
        assert total <= ceiling * (item.guests_count + item.accompanying_count)
    if item.kind == "lodging":
        assert total <= DEFAULT_STANDARD.lodging_ceilings[level] * item.quantity
