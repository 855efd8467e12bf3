"""Unsaved plans for the pure rule tests: tasks, guests, staff, items and agreed prices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from provider_portal.prices import AgreedPriceBook, PriceRow
from reception.models import AccompanyingStaff, Guest, PlanItem, Task
from reception.models.plans import default_payer
from reception.rules import Checks, PlanInput, check_plan
from reception.standards import DEFAULT_STANDARD, StandardValues

SHANGHAI = ZoneInfo("Asia/Shanghai")
_ids = count(1000)


def task(level: str = "bureau", budget: Any = None) -> Task:
    return Task(title="调研", level=level, start_date=dt.date(2026, 5, 6), end_date=dt.date(2026, 5, 8), budget=budget)


def guest(grade: str = "bureau") -> Guest:
    return Guest(name="张三", unit="省厅", post="处长", grade=grade)


def guests(n: int, grade: str = "bureau") -> list[Guest]:
    return [guest(grade) for _ in range(n)]


def staff(n: int) -> list[AccompanyingStaff]:
    return [AccompanyingStaff(name=f"陪同{i}", unit="市政府", post="科长") for i in range(n)]


def at(hour: int, day: int = 6, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 5, day, hour, minute, tzinfo=SHANGHAI)


def meal(
    guests: int = 5,
    accompanying: int = 0,
    price: str = "60.00",
    meal_type: str = "lunch",
    working: bool = False,
    menu: str = "家常菜",
    hour: int = 12,
    day: int = 6,
    quantity: int | None = None,
    payer: str | None = None,
    provider: int | None = None,
    venue: str = "机关食堂",
) -> PlanItem:
    return PlanItem(
        pk=next(_ids),
        kind="meal",
        starts_at=at(hour, day),
        venue=venue,
        meal_type=meal_type,
        working_meal=working,
        guests_count=guests,
        accompanying_count=accompanying,
        unit_price=Decimal(price),
        quantity=guests + accompanying if quantity is None else quantity,
        menu=menu,
        payer=payer or default_payer("meal", working),
        provider_id=provider,
    )


def lodging(
    rooms: int = 1,
    nights: int = 1,
    price: str = "300.00",
    room_type: str = "standard",
    day: int = 6,
    provider: int | None = None,
    payer: str | None = None,
) -> PlanItem:
    return PlanItem(
        pk=next(_ids),
        kind="lodging",
        starts_at=at(14, day),
        ends_at=at(12, day + nights),
        venue="稻香楼宾馆",
        guests_count=rooms,
        accompanying_count=0,
        unit_price=Decimal(price),
        quantity=rooms * nights,
        room_type=room_type,
        menu="",
        meal_type="",
        payer=payer or default_payer("lodging", False),
        provider_id=provider,
    )


def item(kind: str, **fields: Any) -> PlanItem:
    values: dict[str, Any] = {
        "pk": next(_ids),
        "starts_at": at(15),
        "venue": "市政府",
        "guests_count": 5,
        "accompanying_count": 0,
        "unit_price": Decimal("100.00"),
        "quantity": 1,
        "menu": "",
        "meal_type": "",
        "room_type": "",
        "payer": default_payer(kind, False),
    }
    values.update(fields)
    return PlanItem(kind=kind, **values)


def price(
    provider: int,
    kind: str,
    amount: str,
    *,
    room_type: str = "",
    meal_type: str = "",
    item: str = "协议项目",
    unit: str = "间·晚",
    start: dt.date | None = None,
    until: dt.date | None = None,
) -> PriceRow:
    return PriceRow(provider, "稻香楼宾馆", kind, room_type, meal_type, Decimal(amount), item, unit, start, until)


def plan(
    t: Task | None = None,
    items: Any = (),
    guest_list: Any = None,
    staff_list: Any = None,
    standard: StandardValues = DEFAULT_STANDARD,
    prices: Any = (),
) -> PlanInput:
    return PlanInput(
        task=t or task(),
        guests=guests(5) if guest_list is None else list(guest_list),
        accompanying=staff(3) if staff_list is None else list(staff_list),
        items=list(items),
        standard=standard,
        prices=AgreedPriceBook(prices),
    )


def run(*args: Any, **kwargs: Any) -> Checks:
    return check_plan(plan(*args, **kwargs))


def codes(*args: Any, **kwargs: Any) -> tuple[list[str], list[str]]:
    checks = run(*args, **kwargs)
    return [f.code for f in checks.errors], [f.code for f in checks.warnings]
