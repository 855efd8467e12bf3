"""Demo data for `seed_demo`: letters and tasks in 合肥市 (340100) at each step of the cycle.

Idempotent: a second run finds the first demo letter and leaves everything as it is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.models import User
from provider_portal.models import Provider
from reception.models import Letter
from reception.selectors import providers_serving
from reception.services import letters, plans, tasks, transitions
from tenants.models import Jurisdiction
from tenants.schema import tenant_context

DEMO_CODE = "340100"
MARKER = "皖发改函〔2026〕1号"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _letter(actor: User, jurisdiction: Jurisdiction, number: str, unit: str, purpose: str, people: int) -> Letter:
    return letters.letter_register(
        actor=actor,
        jurisdiction=jurisdiction,
        number=number,
        sending_unit=unit,
        purpose=purpose,
        content=f"{unit}拟派员来合肥市{'调研' if purpose == 'inspection_research' else '开展工作'}，请予接洽。",
        itinerary="抵达当日下午座谈，次日上午实地考察后返回。",
        people_count=people,
        received_on=timezone.localdate() - dt.timedelta(days=3),
    )


def _plan(
    drafter: User, jurisdiction: Jurisdiction, task_id: int, day: dt.date, guests: int, accompanying: int, provider: Any
) -> None:
    plans.guests_add(
        actor=drafter,
        jurisdiction=jurisdiction,
        task_id=task_id,
        guests=[
            {"name": "王建国", "unit": "省直单位", "post": "副厅长", "grade": "bureau"},
            *(
                {"name": f"随行人员{n}", "unit": "省直单位", "post": "干部", "grade": "section"}
                for n in range(1, guests)
            ),
        ],
    )
    plans.staff_add(
        actor=drafter,
        jurisdiction=jurisdiction,
        task_id=task_id,
        staff=[
            {"name": "李明", "unit": "合肥市对口单位", "post": "副局长"},
            *({"name": f"陪同人员{n}", "unit": "合肥市对口单位", "post": "科长"} for n in range(1, accompanying)),
        ],
    )
    base = {"guests_count": guests, "unit_price": Decimal("60.00"), "menu": "家常菜四菜一汤"}
    for fields in (
        {
            **base,
            "kind": "meal",
            "starts_at": _at(day, 12),
            "venue": "市政府机关食堂",
            "meal_type": "lunch",
            "working_meal": True,
            "accompanying_count": accompanying,
            "quantity": guests + accompanying,
        },
        {
            "kind": "lodging",
            "starts_at": _at(day, 21),
            "venue": "稻香楼宾馆",
            "guests_count": guests,
            "unit_price": Decimal("380.00"),
            "quantity": guests,
            "room_type": "standard",
            "provider": provider.pk if provider else None,
        },
        {
            "kind": "vehicle",
            "starts_at": _at(day + dt.timedelta(days=1), 8, 30),
            "venue": "宾馆大堂",
            "guests_count": guests,
            "unit_price": Decimal("600.00"),
            "quantity": 1,
        },
    ):
        plans.item_add(actor=drafter, jurisdiction=jurisdiction, task_id=task_id, fields=fields)


def seed_reception(password: str, out: Any) -> None:
    jurisdiction = Jurisdiction.objects.filter(code=DEMO_CODE).first()
    if jurisdiction is None:
        return
    users = {u.username.split("-", 1)[1]: u for u in User.objects.filter(username__startswith=f"{DEMO_CODE}-")}
    with tenant_context(jurisdiction), transaction.atomic():
        if Letter.objects.filter(number=MARKER).exists():
            out.write("demo reception: already present\n")
            return
        hotel: Provider | None = providers_serving(jurisdiction=jurisdiction).filter(kind="hotel").first()
        drafter, reviewer = users["drafter"], users["reviewer"]
        day = timezone.localdate() + dt.timedelta(days=7)
        letters.letter_intake(
            jurisdiction=jurisdiction,
            number="苏发改函〔2026〕5号",
            sending_unit="江苏省发展和改革委员会",
            purpose="study_exchange",
            content="拟来合肥学习交流营商环境建设经验。",
            people_count=6,
            contact_name="周九",
            contact_phone="025-12345678",
        )
        samples = [
            (MARKER, "安徽省发展和改革委员会", "inspection_research", "省发改委重点项目调研接待", 8, 4, "draft"),
            ("皖财函〔2026〕2号", "安徽省财政厅", "inspection_guidance", "省财政厅预算执行检查接待", 5, 2, "submitted"),
            (
                "皖农函〔2026〕3号",
                "安徽省农业农村厅",
                "inspection_research",
                "省农业农村厅高标准农田调研接待",
                6,
                2,
                "assigned",
            ),
        ]
        for number, unit, purpose, title, guests, accompanying, stage in samples:
            letter = _letter(users["counterpart"], jurisdiction, number, unit, purpose, guests)
            task = tasks.task_create(
                actor=users["counterpart"],
                jurisdiction=jurisdiction,
                letter=letter,
                title=title,
                level="bureau",
                counterpart_unit="合肥市发展和改革委员会",
                start_date=day,
                end_date=day + dt.timedelta(days=1),
                budget=Decimal("8000.00"),
            )
            _plan(drafter, jurisdiction, task.pk, day, guests, accompanying, hotel)
            if stage in ("submitted", "assigned"):
                transitions.task_submit(actor=drafter, jurisdiction=jurisdiction, task_id=task.pk)
            if stage == "assigned":
                transitions.task_approve(actor=reviewer, jurisdiction=jurisdiction, task_id=task.pk)
                transitions.task_assign(
                    actor=reviewer, jurisdiction=jurisdiction, task_id=task.pk, handler=users["handler"].username
                )
    out.write("demo reception: 4 letters, 3 tasks in 340100 (draft with a rule error, submitted, in progress)\n")


def seed_orders(password: str, out: Any) -> None:
    """The task in progress is dispatched to its providers; the hotel accepts (once)."""
    from provider_portal.models import OrderIndex
    from provider_portal.orders import services as order_services
    from reception.models import Task
    from reception.services import orders

    jurisdiction = Jurisdiction.objects.filter(code=DEMO_CODE).first()
    handler = User.objects.filter(username=f"{DEMO_CODE}-handler").first()
    if jurisdiction is None or handler is None:
        return
    if OrderIndex.objects.filter(jurisdiction=jurisdiction).exists():
        out.write("demo orders: already present\n")
        return
    with tenant_context(jurisdiction), transaction.atomic():
        task = Task.objects.filter(status="in_progress", items__provider__isnull=False).first()
        if task is None:
            return
        orders.task_dispatch(actor=handler, jurisdiction=jurisdiction, task_id=task.pk)
    index = OrderIndex.objects.filter(jurisdiction=jurisdiction).select_related("provider").first()
    staff = index.provider.staff.select_related("user").first() if index is not None else None
    if index is not None and staff is not None:
        order_services.order_accept(actor=staff.user, order_id=index.pk)
    out.write("demo orders: the task in progress in 340100 dispatched; the hotel accepted\n")
