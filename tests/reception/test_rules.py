"""The regulation's rules with its own boundary numbers (pure: no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reception.models import Guest, PlanItem, Task
from reception.rules import RULES, PlanInput, RuleCode, check_plan
from reception.standards import DEFAULT_MEAL_CEILINGS, DEFAULT_STANDARD, StandardValues

SHANGHAI = ZoneInfo("Asia/Shanghai")


def task(level="bureau", budget=None):
    return Task(title="调研", level=level, start_date=dt.date(2026, 5, 6), end_date=dt.date(2026, 5, 7), budget=budget)


def meal(guests=5, accompanying=0, price="60.00", meal_type="lunch", working=False, menu="家常菜", hour=12, day=6):
    return PlanItem(
        kind="meal",
        starts_at=dt.datetime(2026, 5, day, hour, 0, tzinfo=SHANGHAI),
        venue="机关食堂",
        meal_type=meal_type,
        working_meal=working,
        guests_count=guests,
        accompanying_count=accompanying,
        unit_price=Decimal(price),
        quantity=guests + accompanying,
        menu=menu,
    )


def item(kind, **kw):
    fields = {
        "starts_at": dt.datetime(2026, 5, 6, 15, 0, tzinfo=SHANGHAI),
        "venue": "市政府",
        "guests_count": 5,
        "accompanying_count": 0,
        "unit_price": Decimal("100.00"),
        "quantity": 1,
        "menu": "",
        "meal_type": "",
        "room_type": "",
    }
    fields.update(kw)
    return PlanItem(kind=kind, **fields)


def guest(grade="bureau"):
    return Guest(name="张三", unit="省厅", post="处长", grade=grade)


def codes(t=None, items=(), guests=None, standard=DEFAULT_STANDARD):
    guests = [guest()] if guests is None else list(guests)
    checks = check_plan(PlanInput(task=t or task(), guests=guests, items=list(items), standard=standard))
    return [f.code for f in checks.errors], [f.code for f in checks.warnings]


@pytest.mark.parametrize(
    ("guests", "accompanying", "blocked"),
    [(10, 3, False), (10, 4, True), (12, 4, False), (12, 5, True), (1, 3, False), (11, 3, False), (11, 4, True)],
)
def test_accompany_limit_uses_the_regulations_numbers(guests, accompanying, blocked):
    errors, _warnings = codes(items=[meal(guests=guests, accompanying=accompanying)])
    assert errors == (["accompany_limit"] if blocked else [])


def test_accompany_limit_message_names_the_numbers_in_chinese():
    checks = check_plan(PlanInput(task(), [guest()], [meal(guests=12, accompanying=5)], DEFAULT_STANDARD))
    assert checks.errors[0].as_dict() == {
        "code": "accompany_limit",
        "message": "第1项（午餐 05-06 12:00 机关食堂）：客人 12 人，陪餐最多 4 人，现为 5 人。",
    }


def test_accompany_limit_follows_the_tenants_numbers():
    strict = StandardValues(meal_ceilings=DEFAULT_MEAL_CEILINGS, accompany_small_group_limit=2, accompany_ratio=4)
    assert codes(items=[meal(guests=10, accompanying=3)], standard=strict)[0] == ["accompany_limit"]
    assert codes(items=[meal(guests=12, accompanying=3)], standard=strict)[0] == []
    assert codes(items=[meal(guests=12, accompanying=4)], standard=strict)[0] == ["accompany_limit"]


@pytest.mark.parametrize(
    ("level", "meal_type", "price", "errors", "warnings"),
    [
        ("bureau", "lunch", "90.00", [], ["meal_standard_near"]),  # at the ceiling: allowed, warns
        ("bureau", "lunch", "90.01", ["meal_standard"], []),
        ("bureau", "lunch", "81.00", [], []),  # exactly 90% of 90 is not above it
        ("bureau", "lunch", "81.01", [], ["meal_standard_near"]),
        ("other", "breakfast", "20.00", [], ["meal_standard_near"]),
        ("other", "breakfast", "20.50", ["meal_standard"], []),
        ("provincial_ministerial", "dinner", "110.00", [], ["meal_standard_near"]),
        ("provincial_ministerial", "dinner", "110.01", ["meal_standard"], []),
        ("section", "breakfast", "22.50", [], []),  # exactly 90% of 25 is not above it
    ],
)
def test_meal_standard_by_level_and_meal_type(level, meal_type, price, errors, warnings):
    result = codes(t=task(level=level), items=[meal(price=price, meal_type=meal_type)])
    assert result == (errors, warnings)


def test_meal_standard_message():
    checks = check_plan(PlanInput(task("division"), [guest()], [meal(price="75.50")], DEFAULT_STANDARD))
    assert checks.errors[0].message == "第1项（午餐 05-06 12:00 机关食堂）：人均 75.50 元，超过标准 70.00 元。"


def test_banned_menu_words_are_errors_naming_the_words():
    checks = check_plan(PlanInput(task(), [guest()], [meal(menu="清蒸鱼、鱼翅羹、茅台")], DEFAULT_STANDARD))
    assert [f.as_dict() for f in checks.errors] == [
        {"code": "banned_item", "message": "第1项（午餐 05-06 12:00 机关食堂）：菜单含禁止事项：鱼翅、茅台。"}
    ]


def test_banned_words_come_from_the_standard():
    dry = StandardValues(meal_ceilings=DEFAULT_MEAL_CEILINGS, banned_menu_words=("白酒",))
    assert codes(items=[meal(menu="白酒两瓶")], standard=dry)[0] == ["banned_item"]
    assert codes(items=[meal(menu="鱼翅")], standard=dry)[0] == []


def test_sightseeing_and_gifts_are_banned_activities():
    errors, _w = codes(items=[item("visit", venue="黄山风景区游览"), item("visit", venue="园区", menu="赠送纪念品")])
    assert errors == ["banned_activity", "banned_activity"]


@pytest.mark.parametrize(
    ("grades", "level", "blocked"),
    [
        (["bureau", "division"], "bureau", True),
        (["provincial_ministerial", "bureau"], "bureau", False),
        ([], "provincial_ministerial", False),  # no guests yet: the task's level stands for them
        ([], "bureau", True),
    ],
)
def test_suite_only_for_provincial_ministerial_guests(grades, level, blocked):
    lodging = item("lodging", room_type="suite", venue="稻香楼宾馆")
    errors, _w = codes(t=task(level=level), items=[lodging], guests=[guest(g) for g in grades])
    assert errors == (["suite_not_allowed"] if blocked else [])


def test_standard_rooms_are_always_allowed():
    assert codes(items=[item("lodging", room_type="standard")])[0] == []


def test_one_working_meal_per_reception():
    assert codes(items=[meal(working=True), meal(working=False, day=7)])[0] == []
    errors, _w = codes(items=[meal(working=True), meal(working=True, day=7)])
    assert errors == ["working_meal_count"]


def test_a_car_per_guest_warns():
    assert codes(items=[item("vehicle", guests_count=4, quantity=4)])[1] == ["vehicle_per_guest"]
    assert codes(items=[item("vehicle", guests_count=4, quantity=1)])[1] == []


def test_budget_and_dates_warn():
    over_budget = task(budget=Decimal("99.99"))
    assert codes(t=over_budget, items=[item("meeting")])[1] == ["budget_exceeded"]
    assert codes(items=[meal(day=9, price="10.00")])[1] == ["item_outside_dates"]
    assert codes(guests=[]) == ([], [])


def test_every_rule_has_a_stable_code_and_a_clean_plan_has_no_findings():
    assert {code.value for code in RuleCode} >= {
        "accompany_limit",
        "meal_standard",
        "meal_standard_near",
        "banned_item",
        "suite_not_allowed",
        "working_meal_count",
    }
    assert len(RULES) == 9
    assert codes(items=[meal(price="50.00"), item("lodging", room_type="standard"), item("meeting")]) == ([], [])
