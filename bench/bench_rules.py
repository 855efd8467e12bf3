"""Rules from facts: `GET tasks/{id}/checks/` of a 200-item plan with 60 guests (rosters, sittings,
suites per night, agreed prices, banned words normalised with OpenCC), and finance's
`POST orders/{id}/approve-cost/` judging a reported cost against that plan. Server time through
the whole Django stack; query counts must not grow with the plan (a 10-item, 5-guest plan is
measured first)."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from decimal import Decimal
from typing import Any

from bench.common import Context, Result, counted_queries, request_latency

CODE, SLUG = "970000", "bench-rules"
GUESTS, STAFF, ITEMS = 60, 20, 200
PASSWORD = "Bench-pass-2026"


def _jurisdiction() -> tuple[Any, dict[str, Any], Any]:
    from provider_portal.services import PriceInput, designation_set, provider_add
    from tenants.services import jurisdiction_create, membership_add, user_ensure

    jurisdiction, _c = jurisdiction_create(actor=None, code=CODE, name="规则基准省", level="province", slug=SLUG)
    users = {}
    for role in ("drafter", "finance", "handler", "admin"):
        user, _c = user_ensure(username=f"bench-rules-{role}", password=PASSWORD, display_name=role)
        membership_add(actor=None, user=user, jurisdiction=jurisdiction, role=role)
        users[role] = user
    hotel, _c = provider_add(actor=None, name="规则基准宾馆", kind="hotel", serves=[jurisdiction])
    restaurant, _c = provider_add(actor=None, name="规则基准餐厅", kind="restaurant", serves=[jurisdiction])
    designation_set(
        actor=users["admin"],
        jurisdiction=jurisdiction,
        provider_id=hotel.pk,
        agreed_prices=[
            PriceInput(item="标准间", unit="间·晚", price=Decimal("380.00")),
            PriceInput(item="普通套间", unit="间·晚", price=Decimal("580.00")),
        ],
    )
    designation_set(
        actor=users["admin"],
        jurisdiction=jurisdiction,
        provider_id=restaurant.pk,
        agreed_prices=[
            PriceInput(item="工作餐", unit="人·餐", price=Decimal("60.00")),
            PriceInput(item="早餐", unit="人·餐", price=Decimal("25.00")),
        ],
    )
    return jurisdiction, users, {"hotel": hotel, "restaurant": restaurant}


def _fill(jurisdiction: Any, users: dict[str, Any], providers: dict[str, Any], *, guests: int, items: int) -> int:
    """Replace the schema's reception rows with one task: `guests` guests, a third as many staff,
    and `items` items over three days (meals at the restaurant, rooms at the hotel, cars,
    meetings, visits), with menus and venues for the banned-word checks."""
    from django.utils import timezone

    from provider_portal.orders.models import Order
    from reception.models import AccompanyingStaff, Guest, Letter, PlanItem, Task
    from reception.models.plans import default_payer
    from tenants.schema import tenant_context

    day = dt.date(2026, 6, 1)
    with tenant_context(jurisdiction):
        Order.objects.all().delete()
        Task.objects.all().delete()
        Letter.objects.all().delete()
        letter = Letter.objects.create(
            number="规则基准〔2026〕1号",
            sending_unit="基准测试单位",
            purpose="inspection_research",
            content="基准测试",
            people_count=guests,
            received_on=day,
        )
        task = Task.objects.create(
            letter=letter,
            title="规则基准任务",
            level="bureau",
            counterpart_unit="基准对口单位",
            start_date=day,
            end_date=day + dt.timedelta(days=2),
            created_by=users["drafter"],
            status="in_progress",
        )
        grades = ["bureau", "division", "section"]
        Guest.objects.bulk_create(
            Guest(task=task, name=f"来宾{n}", unit="基准测试单位", post="处长", grade=grades[n % 3])
            for n in range(guests)
        )
        AccompanyingStaff.objects.bulk_create(
            AccompanyingStaff(task=task, name=f"陪同{n}", unit="基准对口单位", post="科长")
            for n in range(max(guests // 3, 1))
        )
        start = timezone.make_aware(dt.datetime(2026, 6, 1, 7, 0))
        kinds = ["meal", "lodging", "vehicle", "meeting", "visit"]
        rows = []
        for n in range(items):
            kind = kinds[n % 5]
            at = start + dt.timedelta(hours=(n * 5) % 60)
            per_meal = max(guests // 20, 1)
            rows.append(
                PlanItem(
                    task=task,
                    kind=kind,
                    starts_at=at,
                    venue=f"基准宾馆{n % 7}号楼 风景区管委会会议室",
                    provider=providers["restaurant"]
                    if kind == "meal"
                    else providers["hotel"]
                    if kind == "lodging"
                    else None,
                    meal_type="",
                    working_meal=False,
                    room_type="standard" if kind == "lodging" else "",
                    guests_count=per_meal if kind == "meal" else 2,
                    accompanying_count=0,
                    unit_price=Decimal("45.00") if kind == "meal" else Decimal("360.00"),
                    quantity=per_meal if kind == "meal" else 1,
                    menu="家常菜四菜一汤，米饭，時令蔬菜，清蒸鱼",
                    payer=default_payer(kind, False),
                )
            )
        for row in rows:
            if row.kind == "meal":
                hour = timezone.localtime(row.starts_at).hour
                row.meal_type = "breakfast" if hour < 10 else "lunch" if hour < 16 else "dinner"
        PlanItem.objects.bulk_create(rows)
        return task.pk


def _reported_order(jurisdiction: Any, users: dict[str, Any], task_id: int) -> str:
    """An order of the task's first lodging item with a reported cost (within the standards)."""
    from django.utils import timezone

    from provider_portal.models import OrderIndex
    from provider_portal.orders.models import Order, OrderCost, OrderCostLine
    from reception.models import PlanItem
    from tenants.schema import tenant_context

    with tenant_context(jurisdiction):
        item = PlanItem.objects.filter(task_id=task_id, kind="lodging").order_by("id").first()
        assert item is not None
        order = Order.objects.create(
            task_id=task_id,
            item_id=item.pk,
            provider_id=item.provider_id,
            status="cost_reported",
            task_title="规则基准任务",
            kind="lodging",
            starts_at=item.starts_at,
            venue=item.venue,
            unit_price=item.unit_price,
            planned_amount=item.amount,
            cost_amount=Decimal("360.00"),
            sent_by=users["handler"],
        )
        OrderIndex.objects.create(
            id=order.pk,
            provider_id=item.provider_id,
            jurisdiction=jurisdiction,
            schema_name=jurisdiction.schema_name,
            jurisdiction_code=jurisdiction.code,
            jurisdiction_name=jurisdiction.name,
            task_title="规则基准任务",
            kind="lodging",
            starts_at=item.starts_at,
            venue=item.venue,
            status="cost_reported",
            created_at=order.created_at,
        )
        cost = OrderCost.objects.create(
            order=order,
            invoice_number="No.1",
            total=Decimal("360.00"),
            reported_by=users["handler"],
            reported_at=timezone.now(),
        )
        OrderCostLine.objects.create(
            cost=cost, description="住宿费（标准间）", amount=Decimal("360.00"), payment_method="transfer"
        )
        return str(order.pk)


def _approve(client: Any, order_id: str, *, repeat: int) -> tuple[float, int, int]:
    """Median server time of approve-cost, each call rolled back so that the next one approves again."""
    from django.db import transaction

    path = f"/api/v1/orders/{order_id}/approve-cost/"

    def once() -> tuple[float, int]:
        with transaction.atomic():
            started = time.perf_counter()
            response = client.post(path, {}, format="json")
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed, response.status_code

    once()
    with counted_queries() as statements:
        _elapsed, status = once()
    samples = [once()[0] for _ in range(repeat)]
    return statistics.median(samples), status, len(statements)


def run(ctx: Context) -> list[Result]:
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    jurisdiction, users, providers = _jurisdiction()
    clients = {}
    for role in ("drafter", "finance"):
        client = APIClient(HTTP_HOST=jurisdiction.host)
        _instance, token = AuthToken.objects.create(user=users[role])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        clients[role] = client
    repeat = 10 if ctx.quick else 50

    small = _fill(jurisdiction, users, providers, guests=5, items=10)
    _s, _c, checks_few = request_latency(clients["drafter"], "get", f"/api/v1/tasks/{small}/checks/", repeat=1)
    _s, _c, approve_few = _approve(clients["finance"], _reported_order(jurisdiction, users, small), repeat=1)

    task_id = _fill(jurisdiction, users, providers, guests=GUESTS, items=ITEMS)
    checks_s, checks_status, checks_queries = request_latency(
        clients["drafter"], "get", f"/api/v1/tasks/{task_id}/checks/", repeat=repeat
    )
    approve_s, approve_status, approve_queries = _approve(
        clients["finance"], _reported_order(jurisdiction, users, task_id), repeat=repeat
    )
    assert (checks_status, approve_status) == (200, 200), (checks_status, approve_status)
    return [
        Result(
            f"rules: GET tasks/{{id}}/checks/ ({ITEMS} items, {GUESTS} guests)",
            checks_s * 1000,
            "ms",
            "<= 30 ms",
            f"{checks_queries} queries (10 items, 5 guests: {checks_few})",
            checks_s <= 0.030 and checks_queries == checks_few,
        ),
        Result(
            f"rules: POST orders/{{id}}/approve-cost/ ({ITEMS}-item plan)",
            approve_s * 1000,
            "ms",
            "<= 30 ms",
            f"{approve_queries} queries (10-item plan: {approve_few})",
            approve_s <= 0.030 and approve_queries == approve_few,
        ),
    ]
