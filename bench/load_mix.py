"""The load test's request mix. Grows with the product: list, detail, checks, transitions,
provider inbox, oversight summary."""

from __future__ import annotations

import time
from typing import Any


def _token(username: str) -> str:
    from knox.models import AuthToken

    from core.models import User

    _instance, token = AuthToken.objects.create(user=User.objects.get(username=username))
    return token


def _member(city: Any, username: str, role: str) -> str:
    from tenants.services import membership_add, user_ensure

    user, _created = user_ensure(username=username, password="Load-pass-2026")
    membership_add(actor=None, user=user, jurisdiction=city, role=role)
    return _token(username)


def _tasks(city: Any, drafter: str, count: int) -> list[int]:
    """`count` draft tasks with 5 guests and a 10-item plan that passes every rule."""
    import datetime as dt
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django_tenants.utils import tenant_context

    from core.models import User
    from reception.models import Guest, Letter, PlanItem, Task
    from reception.models.plans import default_payer

    day = dt.date(2026, 5, 6)
    created_by = User.objects.get(username=drafter)
    ids = []
    run = int(time.time())  # each run adds its own tasks
    with tenant_context(city):
        for n in range(count):
            letter = Letter.objects.create(
                number=f"压测函〔2026〕{run}-{n}号",
                sending_unit="安徽省发展和改革委员会",
                purpose="inspection_research",
                content="调研",
                itinerary="行程",
                people_count=5,
                received_on=day,
                status="registered",
            )
            task = Task.objects.create(
                letter=letter,
                title=f"压测接待 {n}",
                level="bureau",
                counterpart_unit="合肥市发展和改革委员会",
                start_date=day,
                end_date=day,
                created_by=created_by,
            )
            Guest.objects.bulk_create(
                Guest(task=task, name=f"来宾{i}", unit="省发改委", post="处长", grade="division") for i in range(5)
            )
            PlanItem.objects.bulk_create(
                PlanItem(
                    task=task,
                    kind="meal",
                    starts_at=dt.datetime(2026, 5, 6, 12, tzinfo=ZoneInfo("Asia/Shanghai")),
                    venue="机关食堂",
                    meal_type="lunch",
                    guests_count=5,
                    accompanying_count=1,
                    unit_price=Decimal("50.00"),
                    quantity=6,
                    payer=default_payer("meal", False),
                )
                for _ in range(10)
            )
            ids.append(task.pk)
    return ids


def _provider_with_orders(city: Any, task_ids: list[int]) -> str:
    """A hotel serving the city whose inbox holds an order for each of `task_ids` (dispatched by
    the real service); returns its staff's token."""
    from django_tenants.utils import tenant_context

    from core.models import User
    from provider_portal.services import provider_add
    from reception.models import PlanItem, Task
    from reception.services.orders import task_dispatch
    from tenants.services import user_ensure

    staff, _created = user_ensure(username="load-hotel", password="Load-pass-2026")
    hotel, _created = provider_add(actor=None, name="压测宾馆", kind="hotel", serves=[city], staff_user=staff)
    handler = User.objects.get(username="load-handler")
    with tenant_context(city):
        for task_id in task_ids:
            PlanItem.objects.filter(task_id=task_id).update(provider=hotel)
            Task.objects.filter(pk=task_id).update(status="in_progress", handler=handler)
            task_dispatch(actor=handler, jurisdiction=city, task_id=task_id)
    return _token("load-hotel")


def build_mix() -> list[tuple[Any, ...]]:
    """list, detail, checks, transitions (submit / return on a pool of tasks: a transition the
    state no longer allows answers 409, as with real users), the provider inbox, the province's
    oversight summary, directory reads."""
    import json

    from django.utils import timezone

    from tenants.models import Jurisdiction

    city = Jurisdiction.objects.get(code="340100")
    province = Jurisdiction.objects.get(code="340000")
    admin = _member(city, "load-admin", "admin")
    drafter = _member(city, "load-drafter", "drafter")
    reviewer = _member(city, "load-reviewer", "reviewer")
    _member(city, "load-handler", "handler")
    overseer = _member(province, "load-province-admin", "admin")
    ids = _tasks(city, "load-drafter", 250)
    hotel = _provider_with_orders(city, ids[200:])
    ids = ids[:200]
    host = city.host
    period = timezone.localdate().strftime("%Y-%m")
    return_body = json.dumps({"comment": "请补充陪同人员名单"}).encode()

    def detail(rng: Any) -> tuple[str, None]:
        return f"/api/v1/tasks/{rng.choice(ids)}/", None

    def checks(rng: Any) -> tuple[str, None]:
        return f"/api/v1/tasks/{rng.choice(ids)}/checks/", None

    def submit(rng: Any) -> tuple[str, bytes]:
        return f"/api/v1/tasks/{rng.choice(ids)}/submit/", b"{}"

    def give_back(rng: Any) -> tuple[str, bytes]:
        return f"/api/v1/tasks/{rng.choice(ids)}/return/", return_body

    return [
        (4, "GET tasks/", "GET", "/api/v1/tasks/", host, drafter, None),
        (4, "GET tasks/{id}/", "GET", detail, host, drafter, None),
        (3, "GET tasks/{id}/checks/", "GET", checks, host, drafter, None),
        (1, "POST tasks/{id}/submit/", "POST", submit, host, drafter, None),
        (1, "POST tasks/{id}/return/", "POST", give_back, host, reviewer, None),
        (2, "GET provider/orders/", "GET", "/api/v1/provider/orders/", "localhost", hotel, None),
        (
            2,
            "GET oversight/summary/",
            "GET",
            f"/api/v1/oversight/summary/?period={period}",
            province.host,
            overseer,
            None,
        ),
        (1, "GET jurisdiction/", "GET", "/api/v1/jurisdiction/", host, admin, None),
        (1, "GET me/", "GET", "/api/v1/me/", host, admin, None),
    ]
