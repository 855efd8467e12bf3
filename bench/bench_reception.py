"""Reception API latency: `GET tasks/` with 1,000 tasks in a tenant, `GET tasks/{id}/checks/` for a
40-item plan, and the SQL queries per request, which must not grow with the rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from bench.common import Context, Result, request_latency

CODE, SLUG, USERNAME = "990000", "bench-reception", "bench-reception-drafter"
TASKS, ITEMS = 1000, 40


def _jurisdiction() -> Any:
    from tenants.services import jurisdiction_create, membership_add, user_ensure

    jurisdiction, _created = jurisdiction_create(actor=None, code=CODE, name="基准测试省", level="province", slug=SLUG)
    user, _created = user_ensure(username=USERNAME, password="Bench-pass-2026", display_name="bench drafter")
    membership_add(actor=None, user=user, jurisdiction=jurisdiction, role="drafter")
    return jurisdiction, user


def _fill(jurisdiction: Any, user: Any, *, tasks: int, items: int) -> int:
    """Replace the schema's reception rows: `tasks` tasks, the newest with an `items`-item plan."""
    from django.utils import timezone

    from reception.models import Guest, Letter, PlanItem, Task
    from reception.models.plans import default_payer
    from tenants.schema import tenant_context

    day = dt.date(2026, 6, 1)
    with tenant_context(jurisdiction):
        Task.objects.all().delete()
        Letter.objects.all().delete()
        letter = Letter.objects.create(
            number="基准〔2026〕1号",
            sending_unit="基准测试单位",
            purpose="inspection_research",
            content="基准测试",
            people_count=10,
            received_on=day,
        )
        Task.objects.bulk_create(
            Task(
                letter=letter,
                title=f"基准任务 {n}",
                level="bureau",
                counterpart_unit="基准对口单位",
                start_date=day,
                end_date=day + dt.timedelta(days=1),
                created_by=user,
                status=("draft", "submitted", "approved")[n % 3],
            )
            for n in range(tasks)
        )
        task = Task.objects.order_by("-created_at", "-id").first()
        assert task is not None
        Guest.objects.bulk_create(
            Guest(task=task, name=f"来宾{n}", unit="基准测试单位", post="处长", grade="division") for n in range(10)
        )
        start = timezone.make_aware(dt.datetime(2026, 6, 1, 7, 0))
        kinds = ["meal", "lodging", "vehicle", "meeting", "visit"]
        PlanItem.objects.bulk_create(
            PlanItem(
                task=task,
                kind=kinds[n % 5],
                starts_at=start + dt.timedelta(hours=n),
                venue=f"地点{n}",
                meal_type="lunch" if n % 5 == 0 else "",
                room_type="standard" if n % 5 == 1 else "",
                guests_count=10,
                accompanying_count=3,
                unit_price=Decimal("60.00"),
                quantity=13,
                menu="家常菜",
                payer=default_payer(kinds[n % 5], False),
            )
            for n in range(items)
        )
        return task.pk


def run(ctx: Context) -> list[Result]:
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    jurisdiction, user = _jurisdiction()
    client = APIClient(HTTP_HOST=jurisdiction.host)
    _instance, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    repeat = 10 if ctx.quick else 50

    # Query counts with few rows, then the measured sizes: they must be equal.
    task_id = _fill(jurisdiction, user, tasks=10, items=5)
    _s, _c, list_few = request_latency(client, "get", "/api/v1/tasks/", repeat=1)
    _s, _c, checks_few = request_latency(client, "get", f"/api/v1/tasks/{task_id}/checks/", repeat=1)
    task_id = _fill(jurisdiction, user, tasks=TASKS, items=ITEMS)
    list_s, list_status, list_queries = request_latency(client, "get", "/api/v1/tasks/", repeat=repeat)
    big_s, _c, big_queries = request_latency(client, "get", "/api/v1/tasks/?page_size=500", repeat=repeat)
    checks_s, checks_status, checks_queries = request_latency(
        client, "get", f"/api/v1/tasks/{task_id}/checks/", repeat=repeat
    )
    detail_s, _c, detail_queries = request_latency(client, "get", f"/api/v1/tasks/{task_id}/", repeat=repeat)
    assert (list_status, checks_status) == (200, 200)
    return [
        Result(
            f"reception: GET tasks/ ({TASKS:,} tasks, page of 50)",
            list_s * 1000,
            "ms",
            "<= 50 ms",
            f"{list_queries} queries (10 tasks: {list_few})",
            list_s <= 0.050 and list_queries == list_few,
        ),
        Result(
            f"reception: GET tasks/?page_size=500 ({TASKS:,} tasks)",
            big_s * 1000,
            "ms",
            "",
            f"{big_queries} queries",
            None,
        ),
        Result(
            f"reception: GET tasks/{{id}}/checks/ ({ITEMS} items)",
            checks_s * 1000,
            "ms",
            "<= 30 ms",
            f"{checks_queries} queries (5 items: {checks_few})",
            checks_s <= 0.030 and checks_queries == checks_few,
        ),
        Result(
            f"reception: GET tasks/{{id}}/ ({ITEMS} items, 10 guests)",
            detail_s * 1000,
            "ms",
            "",
            f"{detail_queries} queries",
            None,
        ),
    ]
