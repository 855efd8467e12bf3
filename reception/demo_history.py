"""Demo data for `seed_demo`: the receptions 合肥市 (340100) held in the ten months before this one,
so that statistics, charts, the yearly PDF, disclosure and the reports upward show figures.

Each one goes through the real services: letter, task, plan, submit, approve, assign, complete
(recorded afterwards: the dates lie in the past). Idempotent: a second run finds the first
letter and adds nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.models import User
from reception.demo import DEMO_CODE, _at
from reception.models import Letter
from reception.selectors import providers_serving
from reception.services import letters, orders, plans, tasks, transitions
from tenants.models import Jurisdiction
from tenants.schema import tenant_context

MARKER = "皖历史函〔1〕号"
MONTHS = 10

# (sending unit, purpose, level, counterpart unit, guests, accompanying, lunch price, nights)
VISITS = [
    ("安徽省商务厅", "inspection_research", "bureau", "合肥市商务局", 6, 2, Decimal("55.00"), 1),
    ("安徽省教育厅", "inspection_guidance", "division", "合肥市教育局", 4, 1, Decimal("50.00"), 0),
    ("安徽省交通运输厅", "inspection_research", "bureau", "合肥市交通运输局", 8, 3, Decimal("58.00"), 1),
    ("江苏省南京市人民政府", "study_exchange", "bureau", "合肥市人民政府办公室", 5, 2, Decimal("60.00"), 1),
    ("安徽省审计厅", "inspection_guidance", "division", "合肥市审计局", 3, 1, Decimal("45.00"), 0),
]


def _months_back(today: dt.date, count: int) -> list[dt.date]:
    """The first day of each of the `count` months before today's, oldest first."""
    firsts = []
    year, month = today.year, today.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        firsts.append(dt.date(year, month, 1))
    return list(reversed(firsts))


def seed_history(password: str, out: Any) -> None:
    jurisdiction = Jurisdiction.objects.filter(code=DEMO_CODE).first()
    if jurisdiction is None:
        return
    users = {u.username.split("-", 1)[1]: u for u in User.objects.filter(username__startswith=f"{DEMO_CODE}-")}
    if not {"counterpart", "drafter", "reviewer", "handler"} <= set(users):
        return
    held = 0
    with tenant_context(jurisdiction), transaction.atomic():
        if Letter.objects.filter(number=MARKER).exists():
            out.write("demo history: already present\n")
            return
        hotel = providers_serving(jurisdiction=jurisdiction).filter(kind="hotel").first()
        restaurant = providers_serving(jurisdiction=jurisdiction).filter(kind="restaurant").first()
        for n, first in enumerate(_months_back(timezone.localdate(), MONTHS)):
            # one reception a month, two in every third month
            for k in range(2 if n % 3 == 2 else 1):
                visit = VISITS[(n + k) % len(VISITS)]
                day = first + dt.timedelta(days=9 + 10 * k)
                number = MARKER if held == 0 else f"皖历史函〔{held + 1}〕号"
                _held(users, jurisdiction, number, day, visit, hotel, restaurant)
                held += 1
    out.write(f"demo history: {held} receptions held in 340100 over the {MONTHS} months before this one\n")


def _held(
    users: dict[str, User],
    jurisdiction: Jurisdiction,
    number: str,
    day: dt.date,
    visit: tuple[Any, ...],
    hotel: Any,
    restaurant: Any,
) -> None:
    unit, purpose, level, counterpart, guests, accompanying, lunch, nights = visit
    letter = letters.letter_register(
        actor=users["counterpart"],
        jurisdiction=jurisdiction,
        number=number,
        sending_unit=unit,
        purpose=purpose,
        content=f"{unit}拟派员来合肥市开展工作，请予接洽。",
        itinerary="上午座谈，下午实地考察。",
        people_count=guests,
        received_on=day - dt.timedelta(days=5),
    )
    end = day + dt.timedelta(days=nights)
    task = tasks.task_create(
        actor=users["counterpart"],
        jurisdiction=jurisdiction,
        letter=letter,
        title=f"{unit.removeprefix('安徽省')}来肥工作接待",
        level=level,
        counterpart_unit=counterpart,
        start_date=day,
        end_date=end,
        budget=Decimal("6000.00"),
    )
    drafter = users["drafter"]
    plans.guests_add(
        actor=drafter,
        jurisdiction=jurisdiction,
        task_id=task.pk,
        guests=[
            {"name": "带队领导", "unit": unit, "post": "副厅长" if level == "bureau" else "处长", "grade": level},
            *({"name": f"工作人员{i}", "unit": unit, "post": "干部", "grade": "section"} for i in range(1, guests)),
        ],
    )
    plans.staff_add(
        actor=drafter,
        jurisdiction=jurisdiction,
        task_id=task.pk,
        staff=[{"name": f"陪同{i}", "unit": counterpart, "post": "科长"} for i in range(1, accompanying + 1)],
    )
    items: list[dict[str, Any]] = [
        {
            "kind": "meal",
            "starts_at": _at(day, 12),
            "venue": restaurant.name if restaurant else "机关食堂",
            "meal_type": "lunch",
            "working_meal": True,
            "guests_count": guests,
            "accompanying_count": accompanying,
            "unit_price": lunch,
            "quantity": guests + accompanying,
            "menu": "家常菜四菜一汤",
            "provider": restaurant.pk if restaurant else None,
        },
        {
            "kind": "vehicle",
            "starts_at": _at(day, 8, 30),
            "venue": "高铁南站",
            "guests_count": guests,
            "unit_price": Decimal("400.00"),
            "quantity": 1,
        },
    ]
    if nights:
        items.append(
            {
                "kind": "lodging",
                "starts_at": _at(day, 21),
                "venue": hotel.name if hotel else "宾馆",
                "guests_count": guests,
                "unit_price": Decimal("360.00"),
                "quantity": guests * nights,
                "room_type": "standard",
                "provider": hotel.pk if hotel else None,
            }
        )
    for fields in items:
        plans.item_add(actor=drafter, jurisdiction=jurisdiction, task_id=task.pk, fields=fields)
    transitions.task_submit(actor=drafter, jurisdiction=jurisdiction, task_id=task.pk)
    transitions.task_approve(actor=users["reviewer"], jurisdiction=jurisdiction, task_id=task.pk)
    transitions.task_assign(
        actor=users["reviewer"], jurisdiction=jurisdiction, task_id=task.pk, handler=users["handler"].username
    )
    # Recorded afterwards: carried out without sending orders through the portal.
    orders.task_complete(actor=users["handler"], jurisdiction=jurisdiction, task_id=task.pk)
