"""The regulation's rules with its own boundary numbers, both sides of each (pure: no database).

Numbers: 《党政机关国内公务接待管理规定》第十条 (≤ 10 guests: 3 accompanying; more: a third; one
working meal), the default meal ceilings (breakfast 20–50, lunch and dinner 50–110 by level), the
合肥 lodging ceilings (800 / 480 / 350 per room-night), suites only for 省部级 guests, one each.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from reception.rules import RULES, RuleCode
from reception.standards import DEFAULT_MEAL_CEILINGS, DEFAULT_STANDARD, StandardValues
from tests.reception.rules_helpers import (
    codes,
    guest,
    guests,
    item,
    lodging,
    meal,
    price,
    run,
    staff,
    task,
)

# --- Accompanying diners (陪餐) and headcounts ------------------------------------------------


@pytest.mark.parametrize(
    ("diners", "accompanying", "blocked"),
    [
        (10, 3, False),
        (10, 4, True),
        (11, 3, False),
        (11, 4, True),
        (12, 4, False),
        (12, 5, True),
        (1, 3, False),
        (1, 4, True),
        (30, 10, False),
        (30, 11, True),
    ],
)
def test_accompany_limit_uses_the_regulations_numbers(diners: int, accompanying: int, blocked: bool) -> None:
    errors, _w = codes(
        items=[meal(guests=diners, accompanying=accompanying)],
        guest_list=guests(diners),
        staff_list=staff(accompanying),
    )
    assert errors == (["accompany_limit"] if blocked else [])


def test_accompany_limit_names_its_numbers_and_source_in_chinese() -> None:
    lunch = meal(guests=12, accompanying=5)
    checks = run(items=[lunch], guest_list=guests(12), staff_list=staff(5))
    assert checks.errors[0].as_dict() == {
        "code": "accompany_limit",
        "message": "第1项（午餐 05-06 12:00 机关食堂）：客人 12 人，陪餐最多 4 人，现为 5 人"
        "（《党政机关国内公务接待管理规定》第十条；系统默认接待标准）",
        "item": lunch.pk,
        "field": "accompanying_count",
        "source": "《党政机关国内公务接待管理规定》第十条；系统默认接待标准",
    }


def test_accompany_limit_follows_the_tenants_numbers() -> None:
    strict = StandardValues(meal_ceilings=DEFAULT_MEAL_CEILINGS, accompany_small_group_limit=2, accompany_ratio=4)
    people = {"guest_list": guests(12), "staff_list": staff(4)}
    assert codes(items=[meal(guests=10, accompanying=3)], standard=strict, **people)[0] == ["accompany_limit"]
    assert codes(items=[meal(guests=12, accompanying=3)], standard=strict, **people)[0] == []
    assert codes(items=[meal(guests=12, accompanying=4)], standard=strict, **people)[0] == ["accompany_limit"]


@pytest.mark.parametrize(
    ("on_roster", "at_meal", "blocked"),
    [(5, 5, False), (5, 6, True), (1, 1, False), (0, 1, True), (12, 11, False)],
)
def test_a_meals_guests_are_on_the_guest_list(on_roster: int, at_meal: int, blocked: bool) -> None:
    errors, _w = codes(items=[meal(guests=at_meal)], guest_list=guests(on_roster))
    assert errors == (["meal_headcount"] if blocked else [])


@pytest.mark.parametrize(
    ("on_roster", "at_meal", "blocked"), [(3, 3, False), (2, 3, True), (0, 0, False), (0, 1, True)]
)
def test_a_meals_accompanying_are_on_the_staff_list(on_roster: int, at_meal: int, blocked: bool) -> None:
    errors, _w = codes(items=[meal(guests=5, accompanying=at_meal)], staff_list=staff(on_roster))
    assert errors == (["meal_headcount"] if blocked else [])


@pytest.mark.parametrize(("quantity", "blocked"), [(7, False), (6, True), (8, True)])
def test_covers_are_guests_plus_accompanying(quantity: int, blocked: bool) -> None:
    checks = run(items=[meal(guests=5, accompanying=2, quantity=quantity)])
    assert [f.code for f in checks.errors] == (["meal_headcount"] if blocked else [])
    if blocked:
        assert checks.errors[0].field == "quantity"
        assert "共 7 份，现为" in checks.errors[0].message


# --- Level, meal and lodging standards ------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "grades", "blocked"),
    [
        ("bureau", ["bureau", "division"], False),
        ("bureau", ["division"], True),
        ("provincial_ministerial", ["bureau"], True),
        ("division", ["bureau"], False),  # lower than the guests: allowed, standards at the task's
        ("provincial_ministerial", [], False),  # no guests: not judged
        ("other", ["section"], False),
        ("section", ["other"], True),
    ],
)
def test_level_may_not_be_above_the_guests(level: str, grades: list[str], blocked: bool) -> None:
    errors, _w = codes(t=task(level), guest_list=[guest(g) for g in grades], items=[])
    assert errors == (["level_above_guests"] if blocked else [])


@pytest.mark.parametrize(
    ("level", "meal_type", "hour", "price", "errors", "warnings"),
    [
        ("bureau", "lunch", 12, "90.00", [], ["meal_standard_near"]),  # at the ceiling: allowed, warns
        ("bureau", "lunch", 12, "90.01", ["meal_standard"], []),
        ("bureau", "lunch", 12, "81.00", [], []),  # exactly 90% of 90 is not above it
        ("bureau", "lunch", 12, "81.01", [], ["meal_standard_near"]),
        ("other", "breakfast", 7, "20.00", [], ["meal_standard_near"]),
        ("other", "breakfast", 7, "20.01", ["meal_standard"], []),
        ("provincial_ministerial", "dinner", 18, "110.00", [], ["meal_standard_near"]),
        ("provincial_ministerial", "dinner", 18, "110.01", ["meal_standard"], []),
        ("section", "breakfast", 7, "22.50", [], []),
        ("division", "dinner", 19, "70.00", [], ["meal_standard_near"]),
        ("division", "dinner", 19, "70.01", ["meal_standard"], []),
    ],
)
def test_meal_standard_by_level_and_meal_type(
    level: str, meal_type: str, hour: int, price: str, errors: list[str], warnings: list[str]
) -> None:
    result = codes(
        t=task(level),
        guest_list=[guest(level)],
        items=[meal(guests=1, price=price, meal_type=meal_type, hour=hour)],
    )
    assert result == (errors, warnings)


def test_the_standard_applies_at_the_guests_grade_when_the_task_claims_more() -> None:
    # The brief's example: the guests' highest grade is 县处级, lunch 70 per person, 100 planned.
    checks = run(
        t=task("bureau"), guest_list=[guest("division"), guest("section")], items=[meal(guests=2, price="100")]
    )
    assert [f.code for f in checks.errors] == ["level_above_guests", "meal_standard"]
    assert checks.errors[1].message == (
        "第1项（午餐 05-06 12:00 机关食堂）：来宾最高级别为县处级，午餐标准 70.00 元/人，现为 100.00 元/人"
        "（《党政机关国内公务接待管理规定》第十条；系统默认接待标准）"
    )


def test_the_standard_applies_at_the_tasks_level_when_it_is_lower() -> None:
    checks = run(t=task("division"), guest_list=[guest("bureau")], items=[meal(guests=1, price="75")])
    assert [f.code for f in checks.errors] == ["meal_standard"]
    assert "接待级别为县处级，午餐标准 70.00 元/人" in checks.errors[0].message


@pytest.mark.parametrize(
    ("grade", "price", "blocked"),
    [
        ("provincial_ministerial", "800.00", False),
        ("provincial_ministerial", "800.01", True),
        ("bureau", "480.00", False),
        ("bureau", "480.01", True),
        ("division", "350.00", False),
        ("division", "350.01", True),
        ("section", "350.01", True),
        ("other", "350.00", False),
    ],
)
def test_lodging_ceiling_per_room_night_by_grade(grade: str, price: str, blocked: bool) -> None:
    errors, _w = codes(t=task(grade), guest_list=[guest(grade)], items=[lodging(price=price)])
    assert errors == (["lodging_standard"] if blocked else [])


def test_lodging_ceilings_are_tenant_standards() -> None:
    tenant = StandardValues(meal_ceilings=DEFAULT_MEAL_CEILINGS, lodging_ceilings={"bureau": Decimal("400.00")})
    room = lodging(price="450")
    assert codes(guest_list=[guest("bureau")], items=[room])[0] == []
    assert codes(guest_list=[guest("bureau")], items=[room], standard=tenant)[0] == ["lodging_standard"]


# --- Suites ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "grades", "suites", "blocked"),
    [
        ("provincial_ministerial", ["provincial_ministerial", "bureau"], 1, False),
        ("provincial_ministerial", ["provincial_ministerial", "bureau"], 2, True),  # one per entitled guest
        ("provincial_ministerial", ["provincial_ministerial"] * 2, 2, False),
        ("bureau", ["bureau", "division"], 1, True),
        ("bureau", ["provincial_ministerial"], 1, True),  # the task's lower level applies
        ("provincial_ministerial", [], 1, True),  # no guests, no one to give a suite
    ],
)
def test_suites_per_entitled_guest(level: str, grades: list[str], suites: int, blocked: bool) -> None:
    errors, _w = codes(
        t=task(level), guest_list=[guest(g) for g in grades], items=[lodging(rooms=suites, room_type="suite")]
    )
    assert errors == (["suite_not_allowed"] if blocked else [])


def test_suites_are_counted_per_night_over_every_lodging_item() -> None:
    vip = {"t": task("provincial_ministerial"), "guest_list": [guest("provincial_ministerial")]}
    one, other_night = lodging(room_type="suite", day=6), lodging(room_type="suite", day=7)
    assert codes(items=[one, other_night], **vip)[0] == []
    same_night = lodging(room_type="suite", day=6)
    checks = run(items=[one, same_night], **vip)
    assert [f.code for f in checks.errors] == ["suite_not_allowed", "suite_not_allowed"]
    assert "每晚套间 2 间，可安排套间的来宾 1 人" in checks.errors[0].message
    two_nights = lodging(room_type="suite", day=6, nights=2)  # overlaps `other_night` on the 7th
    assert codes(items=[two_nights, other_night], **vip)[0] == ["suite_not_allowed", "suite_not_allowed"]


def test_standard_rooms_are_always_allowed() -> None:
    assert codes(items=[lodging(rooms=5, room_type="standard")])[0] == []


# --- Who pays, working meals --------------------------------------------------------------


@pytest.mark.parametrize(
    ("working", "payer", "blocked"),
    [(True, "host", False), (False, "guest", False), (False, "host", True), (True, "guest", False)],
)
def test_only_the_working_meal_is_the_hosts(working: bool, payer: str, blocked: bool) -> None:
    checks = run(items=[meal(working=working, payer=payer)])
    assert [f.code for f in checks.errors] == (["hosted_meal_not_allowed"] if blocked else [])
    if blocked:
        assert checks.errors[0].field == "payer"


def test_one_working_meal_per_reception() -> None:
    assert codes(items=[meal(working=True), meal(day=7)])[0] == []
    errors, _w = codes(items=[meal(working=True), meal(working=True, day=7)])
    assert errors == ["working_meal_count"]


def test_a_tenant_may_allow_no_working_meal_at_all() -> None:
    none = StandardValues(meal_ceilings=DEFAULT_MEAL_CEILINGS, working_meals_per_reception=0)
    assert codes(items=[meal(working=True)], standard=none)[0] == ["working_meal_count"]
    assert codes(items=[meal()], standard=none)[0] == []


# --- Agreed prices ----------------------------------------------------------------------------


@pytest.mark.parametrize(("planned", "blocked"), [("380.00", False), ("380.01", True), ("200.00", False)])
def test_an_item_at_a_provider_may_not_cost_more_than_the_agreed_price(planned: str, blocked: bool) -> None:
    prices = [price(7, "lodging", "380.00", room_type="standard", item="标准间")]
    errors, _w = codes(items=[lodging(price=planned, provider=7)], prices=prices)
    assert errors == (["agreed_price_exceeded"] if blocked else [])


def test_agreed_prices_bind_only_in_their_period_and_for_their_provider() -> None:
    import datetime as dt

    may = [price(7, "lodging", "300.00", room_type="standard", start=dt.date(2026, 5, 7))]
    assert codes(items=[lodging(price="350", provider=7, day=6)], prices=may)[0] == []  # before it
    assert codes(items=[lodging(price="350", provider=7, day=7)], prices=may)[0] == ["agreed_price_exceeded"]
    ended = [price(7, "lodging", "300.00", until=dt.date(2026, 5, 5))]
    assert codes(items=[lodging(price="350", provider=7)], prices=ended)[0] == []
    assert codes(items=[lodging(price="350", provider=8)], prices=may + ended)[0] == []  # another provider
    assert codes(items=[lodging(price="350")], prices=may)[0] == []  # no provider


def test_the_most_specific_agreed_price_binds() -> None:
    prices = [
        price(7, "meal", "60.00", item="工作餐", unit="人·餐"),
        price(7, "meal", "25.00", meal_type="breakfast", item="早餐", unit="人·餐"),
    ]
    breakfast = meal(meal_type="breakfast", hour=7, price="30.00", provider=7)
    lunch = meal(price="59.00", provider=7, day=7)
    checks = run(items=[breakfast, lunch], prices=prices)
    assert [(f.code, f.item) for f in checks.errors] == [("agreed_price_exceeded", breakfast.pk)]
    assert "稻香楼宾馆协议价（早餐）25.00 元/人·餐，现为 30.00 元" in checks.errors[0].message


def test_of_a_fleets_variants_the_highest_binds_an_item_that_does_not_say_which() -> None:
    prices = [price(9, "vehicle", "350.00", item="轿车", unit="辆·天"), price(9, "vehicle", "800.00", item="中巴车")]
    assert codes(items=[item("vehicle", unit_price=Decimal("800"), provider_id=9)], prices=prices)[0] == []
    assert codes(items=[item("vehicle", unit_price=Decimal("800.01"), provider_id=9)], prices=prices)[0] == [
        "agreed_price_exceeded"
    ]


# --- Banned items and activities --------------------------------------------------------------


def test_banned_menu_words_are_errors_naming_the_words() -> None:
    checks = run(items=[meal(menu="清蒸鱼、鱼翅羹、茅台")])
    assert [(f.code, f.field) for f in checks.errors] == [("banned_item", "menu")]
    assert "含禁止事项：茅台、鱼翅" in checks.errors[0].message


def test_banned_words_come_from_the_standard() -> None:
    dry = StandardValues(meal_ceilings=DEFAULT_MEAL_CEILINGS, banned_menu_words=("白酒",))
    assert codes(items=[meal(menu="白酒两瓶")], standard=dry)[0] == ["banned_item"]
    assert codes(items=[meal(menu="鱼翅")], standard=dry)[0] == []


@pytest.mark.parametrize(
    ("venue", "banned"),
    [
        ("游览黄山风景区", True),
        ("黄山风景区管委会调研座谈", False),
        ("市文化和旅游局座谈", False),
        ("旅游观光", True),
        ("ＫＴＶ包厢", True),
        ("黃山風景區遊覽", True),  # traditional characters
        ("赠送纪念品", True),
        ("悬挂欢迎横幅", True),
        ("高新区管委会项目考察", False),
        ("省农业观光园区管理处调研", False),
    ],
)
def test_banned_activities_name_activities_not_places(venue: str, banned: bool) -> None:
    errors, _w = codes(items=[item("visit", venue=venue)])
    assert errors == (["banned_activity"] if banned else [])


# --- Cars, budget, dates ------------------------------------------------------------------------


def test_a_car_per_guest_warns() -> None:
    assert codes(items=[item("vehicle", guests_count=4, quantity=4)])[1] == ["vehicle_per_guest"]
    assert codes(items=[item("vehicle", guests_count=4, quantity=1)])[1] == []


def test_the_budget_counts_the_hosts_spending_only() -> None:
    budget = task(budget=Decimal("100.00"))
    assert codes(t=budget, items=[item("meeting", unit_price=Decimal("100.00"))])[1] == []
    assert codes(t=budget, items=[item("meeting", unit_price=Decimal("100.01"))])[1] == ["budget_exceeded"]
    guests_own = lodging(price="300.00")  # the guests pay their rooms
    assert codes(t=budget, items=[guests_own])[1] == []


def test_items_outside_the_dates_warn() -> None:
    assert codes(items=[meal(day=9, price="10.00")])[1] == ["item_outside_dates"]


def test_every_rule_has_a_stable_code_and_a_clean_plan_has_no_findings() -> None:
    assert {code.value for code in RuleCode} >= {
        "accompany_limit",
        "meal_headcount",
        "meal_standard",
        "meal_standard_near",
        "banned_item",
        "banned_activity",
        "suite_not_allowed",
        "working_meal_count",
        "level_above_guests",
        "lodging_standard",
        "agreed_price_exceeded",
        "hosted_meal_not_allowed",
        "actual_over_standard",
        "booking_conflict",
    }
    assert len(RULES) == 15
    clean = [meal(price="50.00", working=True), lodging(), item("meeting")]
    assert codes(items=clean) == ([], [])
    assert DEFAULT_STANDARD.lodging_ceiling("bureau") == Decimal("480.00")


def test_every_finding_names_its_source_article() -> None:
    plans = [
        run(items=[meal(guests=12, accompanying=5)], guest_list=guests(12), staff_list=staff(5)),
        run(items=[lodging(price="999", room_type="suite")]),
        run(items=[item("visit", venue="游览景点")]),
    ]
    for checks in plans:
        for finding in [*checks.errors, *checks.warnings]:
            assert finding.source.startswith("《党政机关国内公务接待管理规定》第"), finding
            assert finding.message.endswith(f"（{finding.source}）")
