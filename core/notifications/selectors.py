"""Reads of the outbox: a jurisdiction's messages, a task's messages. Always by jurisdiction."""

from __future__ import annotations

from django.db.models import QuerySet

from core.models import Notification


def outbox_messages(*, jurisdiction_code: str, status: str = "") -> QuerySet[Notification]:
    """The jurisdiction's messages, newest first; `status` one of queued, sent, failed."""
    rows = Notification.objects.filter(jurisdiction_code=jurisdiction_code)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def task_messages(*, jurisdiction_code: str, task_id: int) -> QuerySet[Notification]:
    """The messages about one task of the jurisdiction, newest first."""
    return Notification.objects.filter(jurisdiction_code=jurisdiction_code, task_id=task_id).order_by(
        "-created_at", "-pk"
    )


def outbox_counts(*, jurisdiction_code: str) -> dict[str, int]:
    from django.db.models import Count

    rows = Notification.objects.filter(jurisdiction_code=jurisdiction_code).values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(Notification.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
