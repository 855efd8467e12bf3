"""Reads of settlement: a task's orders, its reception list (JSON and PDF data), its evaluations."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.errors import NotFound
from provider_portal.orders.models import Order
from provider_portal.orders.selectors import task_orders
from reception.models import (
    AccompanyingStaff,
    Evaluation,
    EvaluationParty,
    Guest,
    ReceptionList,
    ReceptionListLine,
    Task,
)


def task_row(task_id: int) -> Task:
    task = Task.objects.select_related("letter").filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("接待任务不存在。"))
    return task


def orders_of_task(task_id: int) -> list[Order]:
    task_row(task_id)
    return list(task_orders(task_id))


@dataclass(frozen=True)
class ListView:
    """Everything the list shows: JSON, page and PDF read this one shape."""

    task: Task
    reception_list: ReceptionList
    guests: list[Guest]
    accompanying: list[AccompanyingStaff]
    lines: list[ReceptionListLine]

    @property
    def total(self) -> Decimal:
        """Host-paid spending (the reception budget's)."""
        return self.reception_list.total

    @property
    def guest_paid_total(self) -> Decimal:
        return self.reception_list.guest_paid_total

    def as_json(self) -> dict[str, Any]:
        rl = self.reception_list
        return {
            "status": rl.status,
            "task": self.task.pk,
            "title": self.task.title,
            "letter_number": rl.letter_number,
            "sending_unit": rl.sending_unit,
            "guests": [{"name": g.name, "unit": g.unit, "post": g.post} for g in self.guests],
            "accompanying": [{"name": a.name, "unit": a.unit, "post": a.post} for a in self.accompanying],
            "items": [
                {
                    "item": line.activity,
                    "time": line.starts_at,
                    "venue": line.venue,
                    "provider": line.provider_name,
                    "invoice_number": line.invoice_number,
                    "payment_method": line.payment_method,
                    "cost": str(line.cost),
                    "payer": line.payer,
                }
                for line in self.lines
            ],
            "total": str(rl.total),
            "guest_paid_total": str(rl.guest_paid_total),
            "drafted_at": rl.drafted_at,
            "approved_at": rl.approved_at,
            "return_comment": rl.return_comment,
            "returned_at": rl.returned_at,
        }


def reception_list_view(task_id: int) -> ListView:
    task = task_row(task_id)
    reception_list = (
        ReceptionList.objects.select_related("drafted_by", "approved_by", "returned_by").filter(task=task).first()
    )
    if reception_list is None:
        raise NotFound(_("尚未编制接待清单。"))
    return ListView(
        task=task,
        reception_list=reception_list,
        guests=list(Guest.objects.filter(task=task).order_by("id")),
        accompanying=list(AccompanyingStaff.objects.filter(task=task).order_by("id")),
        lines=list(reception_list.lines.order_by("starts_at", "id")),
    )


def invoices_of(task_id: int) -> list[Order]:
    """Orders with an approved cost (invoice, lines), for the reimbursement bundle."""
    return [order for order in task_orders(task_id) if order.status == "cost_approved"]


def task_evaluations(task: Task) -> list[Evaluation]:
    return list(Evaluation.objects.filter(task=task).order_by("submitted_at", "id"))


def evaluation_summary(task: Task) -> dict[str, Any]:
    evaluations = task_evaluations(task)
    parties = dict(EvaluationParty.choices)
    return {
        "evaluations": [
            {
                "party": e.party,
                "party_label": str(parties[e.party]),
                "score": e.score,
                "comment": e.comment,
                "filed_by": e.filed_by,
                "at": e.submitted_at,
            }
            for e in evaluations
        ],
        "average": (
            (Decimal(sum(e.score for e in evaluations)) / len(evaluations)).quantize(Decimal("0.1"))
            if evaluations
            else None
        ),
    }
