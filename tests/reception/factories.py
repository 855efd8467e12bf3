"""factory_boy factories for reception rows. Create them inside `in_tenant(code)`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from reception.models import AccompanyingStaff, Guest, Letter, LetterStatus, PlanItem, Task
from reception.models.plans import default_payer
from tests.conftest import user

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 5, 6)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


class LetterFactory(DjangoModelFactory):
    class Meta:
        model = Letter

    number = factory.Sequence(lambda n: f"皖发改函〔2026〕{n}号")
    sending_unit = "安徽省发展和改革委员会"
    purpose = "inspection_research"
    content = "拟于5月6日至7日赴合肥市调研重点项目建设情况。"
    itinerary = "5月6日上午抵达，下午座谈；7日上午考察项目。"
    people_count = 5
    received_on = dt.date(2026, 4, 28)
    status = LetterStatus.REGISTERED
    # entered by the tree's counterpart user, whose unit thus sees it (reception/scopes.py)
    created_by = factory.LazyFunction(lambda: user("340100-counterpart"))


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    letter = factory.SubFactory(LetterFactory)
    title = factory.Sequence(lambda n: f"省发改委调研接待 {n}")
    level = "bureau"
    counterpart_unit = "对口单位"  # the unit of the test tree's counterpart users: their own tasks
    start_date = DAY
    end_date = DAY + dt.timedelta(days=1)
    created_by = factory.LazyFunction(lambda: user("340100-drafter"))


class GuestFactory(DjangoModelFactory):
    class Meta:
        model = Guest

    task = factory.SubFactory(TaskFactory)
    name = factory.Sequence(lambda n: f"来宾{n}")
    unit = "安徽省发展和改革委员会"
    post = "处长"
    grade = "division"


class PlanItemFactory(DjangoModelFactory):
    class Meta:
        model = PlanItem

    task = factory.SubFactory(TaskFactory)
    kind = "meal"
    starts_at = factory.LazyFunction(lambda: at(12))
    venue = "市政府机关食堂"
    meal_type = "lunch"
    guests_count = 5
    accompanying_count = 2
    unit_price = Decimal("60.00")
    quantity = 7
    menu = "家常菜四菜一汤"
    payer = factory.LazyAttribute(lambda item: default_payer(item.kind, item.working_meal))
    working_meal = False


def order_for(item: PlanItem, *, provider: Any, status: str, cost: str | None = None) -> Any:
    """An order of `item` in `status`, as the provider flow leaves it (`cost`: the reported total)."""
    from provider_portal.orders.models import Order

    return Order.objects.create(
        task_id=item.task_id,
        item_id=item.pk,
        provider=provider,
        status=status,
        task_title=item.task.title,
        kind=item.kind,
        starts_at=item.starts_at,
        venue=item.venue,
        unit_price=item.unit_price,
        planned_amount=item.amount,
        cost_amount=Decimal(cost) if cost is not None else None,
        sent_by=user("340100-handler"),
    )


class StaffFactory(DjangoModelFactory):
    class Meta:
        model = AccompanyingStaff

    task = factory.SubFactory(TaskFactory)
    name = factory.Sequence(lambda n: f"陪同{n}")
    unit = "合肥市发展和改革委员会"
    post = "科长"
