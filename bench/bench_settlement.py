"""Settlement and the provider portal: the reception-list PDF of a 30-guest, 60-item task, and the
provider inbox with 2,000 orders across 20 jurisdictions (one public index, never a schema scan)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from bench.common import Context, Result, median_seconds, request_latency

PROVINCE, SLUG = "980000", "bench-settlement"
GUESTS, ITEMS = 30, 60
JURISDICTIONS, ORDERS = 20, 2000
PROVIDER_USER = "bench-provider-staff"
PASSWORD = "Bench-pass-2026"


def _province() -> Any:
    from tenants.services import jurisdiction_create, membership_add, user_ensure

    province, _c = jurisdiction_create(actor=None, code=PROVINCE, name="结算基准省", level="province", slug=SLUG)
    for role in ("finance", "handler"):
        user, _c = user_ensure(username=f"bench-settlement-{role}", password=PASSWORD, display_name=role)
        membership_add(actor=None, user=user, jurisdiction=province, role=role)
    return province


def _completed_task(province: Any) -> int:
    """A completed task with 30 guests, 5 accompanying, 60 items; its list drafted from the plan."""
    from django.utils import timezone

    from core.models import User
    from provider_portal.orders.models import Order
    from reception.models import AccompanyingStaff, Guest, Letter, PlanItem, ReceptionList, Task
    from reception.models.plans import default_payer
    from reception.services.settlement import reception_list_draft
    from tenants.schema import tenant_context

    finance = User.objects.get(username="bench-settlement-finance")
    day = dt.date(2026, 6, 1)
    with tenant_context(province):
        Order.objects.all().delete()
        ReceptionList.objects.all().delete()
        Task.objects.all().delete()
        Letter.objects.all().delete()
        letter = Letter.objects.create(
            number="皖基准函〔2026〕8号",
            sending_unit="基准测试来访单位",
            purpose="inspection_research",
            content="基准测试：三十位来宾的调研接待。",
            people_count=GUESTS,
            received_on=day,
        )
        task = Task.objects.create(
            letter=letter,
            title="结算基准任务",
            level="bureau",
            counterpart_unit="基准对口单位",
            start_date=day,
            end_date=day + dt.timedelta(days=2),
            created_by=finance,
            status="completed",
        )
        Guest.objects.bulk_create(
            Guest(task=task, name=f"来宾{n:02d}", unit="安徽省基准测试委员会", post="处长", grade="division")
            for n in range(GUESTS)
        )
        AccompanyingStaff.objects.bulk_create(
            AccompanyingStaff(task=task, name=f"陪同{n}", unit="基准市政府办公室", post="科长") for n in range(5)
        )
        start = timezone.make_aware(dt.datetime(2026, 6, 1, 7, 0))
        kinds = ["meal", "lodging", "vehicle", "meeting", "visit"]
        PlanItem.objects.bulk_create(
            PlanItem(
                task=task,
                kind=kinds[n % 5],
                starts_at=start + dt.timedelta(hours=n),
                venue=f"基准宾馆{n % 7}号楼会议室",
                meal_type="lunch" if n % 5 == 0 else "",
                room_type="standard" if n % 5 == 1 else "",
                guests_count=GUESTS,
                accompanying_count=5,
                unit_price=Decimal("58.50") + n,
                quantity=7,
                menu="家常菜四菜一汤",
                payer=default_payer(kinds[n % 5], False),
            )
            for n in range(ITEMS)
        )
        reception_list_draft(actor=finance, jurisdiction=province, task_id=task.pk)
        return task.pk


def _inbox(province: Any) -> tuple[Any, list[str]]:
    """20 jurisdictions (the province and 19 cities under it) with 100 orders each for one provider."""
    from django.utils import timezone

    from core.models import User
    from provider_portal.models import OrderIndex, ProviderServiceArea
    from provider_portal.orders.models import Order
    from provider_portal.services import provider_add
    from tenants.schema import tenant_context
    from tenants.services import jurisdiction_create, user_ensure

    jurisdictions = [province]
    for n in range(1, JURISDICTIONS):
        code = f"98{n:02d}00"
        j, _c = jurisdiction_create(
            actor=None, code=code, name=f"基准市{n}", level="city", parent_code=PROVINCE, slug=f"bench-city-{n}"
        )
        jurisdictions.append(j)
    staff, _c = user_ensure(username=PROVIDER_USER, password=PASSWORD, display_name="基准宾馆")
    provider, _c = provider_add(actor=None, name="结算基准宾馆", kind="hotel", serves=jurisdictions, staff_user=staff)
    sender = User.objects.get(username="bench-settlement-handler")
    OrderIndex.objects.filter(provider=provider).delete()
    start = timezone.make_aware(dt.datetime(2026, 6, 1, 7, 0))
    per = ORDERS // JURISDICTIONS
    sent: list[str] = []
    for j in jurisdictions:
        assert ProviderServiceArea.objects.filter(provider=provider, jurisdiction=j).exists()
        with tenant_context(j):
            Order.objects.all().delete()
            orders = [
                Order(
                    id=uuid.uuid4(),
                    task_id=100000 + n // 4,  # no real task: the inbox reads the index only
                    item_id=n + 1,
                    provider=provider,
                    task_title=f"{j.name}接待任务{n // 4}",
                    kind="lodging",
                    starts_at=start + dt.timedelta(hours=n),
                    venue="基准宾馆",
                    quantity=3,
                    room_type="standard",
                    unit_price=Decimal("380.00"),
                    planned_amount=Decimal("1140.00"),
                    sent_by=sender,
                )
                for n in range(per)
            ]
            Order.objects.bulk_create(orders)
        OrderIndex.objects.bulk_create(
            OrderIndex(
                id=o.pk,
                provider=provider,
                jurisdiction=j,
                schema_name=j.schema_name,
                jurisdiction_code=j.code,
                jurisdiction_name=j.name,
                task_title=o.task_title,
                kind=o.kind,
                starts_at=o.starts_at,
                venue=o.venue,
                status="sent",
                created_at=timezone.now(),
            )
            for o in orders
        )
        sent.extend(str(o.pk) for o in orders[:2])
    return staff, sent


def _client(user: Any, host: str) -> Any:
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST=host)
    _instance, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def run(ctx: Context) -> list[Result]:
    from django.conf import settings

    from core.models import User
    from provider_portal.models import OrderIndex
    from reception.selectors.settlement import reception_list_view
    from reception.settlement_pdf import reception_list_pdf, reimbursement_bundle_pdf
    from tenants.schema import activate_public, tenant_context

    activate_public()
    repeat = 5 if ctx.quick else 20
    province = _province()
    task_id = _completed_task(province)
    with tenant_context(province):
        view = reception_list_view(task_id)
        size = len(reception_list_pdf(view, jurisdiction_name=province.name))
        pdf_s = median_seconds(lambda: reception_list_pdf(view, jurisdiction_name=province.name), repeat=repeat)
        bundle_s = median_seconds(
            lambda: reimbursement_bundle_pdf(view, [], jurisdiction_name=province.name), repeat=repeat
        )
    finance = _client(User.objects.get(username="bench-settlement-finance"), province.host)
    api_s, api_status, api_queries = request_latency(
        finance, "get", f"/api/v1/tasks/{task_id}/reception-list.pdf", repeat=repeat
    )
    assert api_status == 200

    activate_public()  # the tenant request left its schema active
    staff, sent = _inbox(province)
    assert OrderIndex.objects.filter(provider__staff__user=staff).count() == ORDERS
    portal = _client(staff, settings.BASE_DOMAIN)
    inbox_s, inbox_status, inbox_queries = request_latency(portal, "get", "/api/v1/provider/orders/", repeat=repeat * 2)
    filtered_s, _st, _q = request_latency(portal, "get", "/api/v1/provider/orders/?status=sent&page=20", repeat=repeat)
    assert inbox_status == 200
    accept = [sent.pop() for _ in range(min(len(sent), 10))]
    timings = []
    for order_id in accept:
        timings.append(
            median_seconds(
                lambda order_id=order_id: portal.post(f"/api/v1/provider/orders/{order_id}/accept/"), repeat=1, warmup=0
            )
        )
    accept_s = sorted(timings)[len(timings) // 2]
    return [
        Result(
            f"settlement: reception-list PDF ({GUESTS} guests, {ITEMS} items)",
            pdf_s * 1000,
            "ms",
            "<= 300 ms",
            f"{size // 1024} KiB",
            pdf_s <= 0.300,
        ),
        Result(
            "settlement: GET tasks/{id}/reception-list.pdf (whole stack)",
            api_s * 1000,
            "ms",
            "",
            f"{api_queries} queries",
            None,
        ),
        Result("settlement: reimbursement bundle PDF", bundle_s * 1000, "ms", "", "", None),
        Result(
            f"provider: GET provider/orders/ ({ORDERS:,} orders, {JURISDICTIONS} jurisdictions)",
            inbox_s * 1000,
            "ms",
            "<= 80 ms",
            f"{inbox_queries} queries",
            inbox_s <= 0.080,
        ),
        Result("provider: GET provider/orders/?status=sent&page=20", filtered_s * 1000, "ms", "", "", None),
        Result(
            "provider: POST provider/orders/{id}/accept/ (tenant row + index)",
            accept_s * 1000,
            "ms",
            "",
            "median of 10 orders in 10 schemas",
            None,
        ),
    ]
