"""Amendments: approving an amendment that changes 50 items, each with an open order, in one
transaction (the revision's changes, 50 orders updated with their index rows and audit entries,
the providers' and the parties' messages). Target ≤ 200 ms."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from decimal import Decimal
from typing import Any

from bench.common import Context, Result, counted_queries

CODE, SLUG = "950000", "bench-amendments"
ITEMS = 50
PASSWORD = "Bench-pass-2026"
TARGET = 0.200


def _setup() -> tuple[Any, int, dict[str, Any]]:
    """A task in progress with 50 vehicle items at a fleet, dispatched (50 open orders)."""
    from django.utils import timezone

    from provider_portal.models import OrderIndex
    from provider_portal.orders.models import Order
    from provider_portal.services import provider_add
    from reception.models import Letter, PlanItem, Revision, Task
    from reception.services.orders import task_dispatch
    from tenants.schema import tenant_context
    from tenants.services import jurisdiction_create, membership_add, user_ensure

    jurisdiction, _c = jurisdiction_create(actor=None, code=CODE, name="变更基准市", level="province", slug=SLUG)
    users = {}
    for role in ("drafter", "handler", "reviewer"):
        users[role], _c = user_ensure(username=f"bench-amend-{role}", password=PASSWORD, display_name=role)
        membership_add(actor=None, user=users[role], jurisdiction=jurisdiction, role=role)
    fleet, _c = provider_add(actor=None, name="变更基准车队", kind="fleet", serves=[jurisdiction])
    OrderIndex.objects.filter(jurisdiction=jurisdiction).delete()
    day = dt.date(2026, 6, 1)
    with tenant_context(jurisdiction):
        Order.objects.all().delete()
        Revision.objects.all().delete()
        Task.objects.all().delete()
        Letter.objects.all().delete()
        letter = Letter.objects.create(
            number="皖基准函〔2026〕50号",
            sending_unit="基准测试来访单位",
            purpose="inspection_research",
            content="基准测试：五十项安排的变更。",
            people_count=10,
            received_on=day,
        )
        task = Task.objects.create(
            letter=letter,
            title="变更基准任务",
            level="bureau",
            counterpart_unit="基准对口单位",
            start_date=day,
            end_date=day + dt.timedelta(days=4),
            created_by=users["drafter"],
            handler=users["handler"],
            status="in_progress",
        )
        start = timezone.make_aware(dt.datetime(2026, 6, 1, 7, 0))
        PlanItem.objects.bulk_create(
            PlanItem(
                task=task,
                kind="vehicle",
                starts_at=start + dt.timedelta(hours=n),
                venue=f"基准接站点{n}",
                provider=fleet,
                guests_count=10,
                unit_price=Decimal("300.00"),
                quantity=1,
                payer="host",
            )
            for n in range(ITEMS)
        )
        task_dispatch(actor=users["handler"], jurisdiction=jurisdiction, task_id=task.pk)
    return jurisdiction, task.pk, users


def _submitted_amendment(jurisdiction: Any, task_id: int, users: dict[str, Any], round_: int) -> None:
    """Open an amendment, change every item (quantity and venue), submit it (state set directly:
    the rules are not what is measured)."""
    from reception.models import PlanItem, Revision, RevisionStatus, Task
    from reception.services.transitions import task_amend

    task_amend(actor=users["handler"], jurisdiction=jurisdiction, task_id=task_id, reason=f"第{round_}次调整用车")
    for item in PlanItem.objects.filter(task_id=task_id):
        item.quantity = 2 + round_ % 2
        item.venue = f"{item.venue.split('·')[0]}·{round_}"
        item.save(update_fields=["quantity", "venue"])
    Task.objects.filter(pk=task_id).update(status="amendment_submitted", submitted_by=users["drafter"])
    Revision.objects.filter(task_id=task_id, status=RevisionStatus.OPEN).update(status=RevisionStatus.SUBMITTED)


def run(ctx: Context) -> list[Result]:
    from provider_portal.orders.models import Order
    from reception.services.transitions import task_approve
    from tenants.schema import activate_public, tenant_context

    activate_public()
    jurisdiction, task_id, users = _setup()
    rounds = 5 if ctx.quick else 15
    samples: list[float] = []
    queries = 0
    with tenant_context(jurisdiction):
        for round_ in range(rounds + 1):
            _submitted_amendment(jurisdiction, task_id, users, round_)
            with counted_queries() as statements:
                started = time.perf_counter()
                task_approve(actor=users["reviewer"], jurisdiction=jurisdiction, task_id=task_id)
                elapsed = time.perf_counter() - started
            if round_ == 0:
                queries = len(statements)  # the first round warms caches
                continue
            samples.append(elapsed)
        amended = Order.objects.filter(task_id=task_id, status="sent", amended_at__isnull=False).count()
    assert amended == ITEMS, amended
    median = statistics.median(samples)
    return [
        Result(
            "approve an amendment: 50 items, 50 orders",
            median * 1000,
            "ms",
            target=f"≤ {TARGET * 1000:.0f} ms",
            note=f"median of {rounds}; {queries} queries",
            ok=median <= TARGET,
        )
    ]
