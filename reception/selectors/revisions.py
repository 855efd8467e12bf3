"""Reads of amendments (变更): the approved revisions of a task, and the open one with its diff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Field, Model, QuerySet, prefetch_related_objects

from provider_portal.models import Provider
from reception.models import (
    OPEN_REVISION_STATUSES,
    AccompanyingStaff,
    Guest,
    PlanItem,
    Revision,
    RevisionStatus,
    Task,
)
from reception.models.tasks import AMENDMENT_STATUSES
from reception.revisions import plan_changes, plan_snapshot


def task_revisions(task: Task) -> QuerySet[Revision]:
    """Every approved amendment of the task, oldest first, with its people (one query)."""
    return (
        Revision.objects.filter(task=task, status=RevisionStatus.APPROVED)
        .select_related("opened_by", "submitted_by", "approved_by")
        .order_by("number")
    )


@dataclass(frozen=True)
class OpenAmendment:
    revision: Revision
    changes: list[dict[str, Any]]  # against the approved plan, as it stands now


def open_amendment(task: Task) -> OpenAmendment | None:
    """The task's amendment in progress and what it changes so far (None without one)."""
    revision = (
        Revision.objects.filter(task=task, status__in=OPEN_REVISION_STATUSES)
        .select_related("opened_by", "submitted_by")
        .first()
    )
    if revision is None:
        return None
    prefetch_related_objects([task], "items", "guests", "accompanying")
    return OpenAmendment(revision, plan_changes(revision.baseline, plan_snapshot(task)))


def approved_revisions(task: Task) -> list[Revision]:
    """The task's approved amendments, oldest first (no people)."""
    return list(Revision.objects.filter(task=task, status=RevisionStatus.APPROVED).order_by("number"))


@dataclass(frozen=True)
class ApprovedPlan:
    """The plan in force: while an amendment is open, the approved revision it started from
    (unsaved objects built from its baseline, with their original ids); otherwise the plan."""

    items: list[PlanItem]
    guests: list[Guest]
    staff: list[AccompanyingStaff]
    amending: bool


def _rebuilt(model: type[Model], task: Task, rows: dict[str, dict[str, Any]]) -> list[Any]:
    built = []
    for key, values in rows.items():
        data = {}
        for name, value in values.items():
            field = cast(Field, model._meta.get_field(name))  # type: ignore[type-arg]
            data[field.attname] = field.to_python(value)
        built.append(model(pk=int(key), task=task, **data))
    return built


def approved_plan(task: Task, parts: tuple[str, ...] = ("items", "guests", "accompanying")) -> ApprovedPlan:
    """What everyone outside the plan's editors sees of a task (the itinerary, the schedule, the
    seating chart, the directives pushing it down): never an amendment's edits before they are
    approved. Only `parts` are read (the others are empty)."""
    revision = None
    if task.status in AMENDMENT_STATUSES:
        revision = Revision.objects.filter(task=task, status__in=OPEN_REVISION_STATUSES).first()
    if revision is None:
        prefetch_related_objects([task], *parts)

        def live(related: str) -> list[Any]:
            return list(getattr(task, related).all()) if related in parts else []

        items = sorted(live("items"), key=lambda i: (i.starts_at, i.pk))
        return ApprovedPlan(items, live("guests"), live("accompanying"), amending=False)
    baseline = revision.baseline
    items = sorted(_rebuilt(PlanItem, task, baseline.get("item", {})), key=lambda i: (i.starts_at, i.pk))
    providers = Provider.objects.in_bulk({i.provider_id for i in items if i.provider_id is not None})
    for item in items:
        if item.provider_id is not None:
            item.provider = providers.get(item.provider_id)
    guests = sorted(_rebuilt(Guest, task, baseline.get("guest", {})), key=lambda g: g.pk)
    staff = sorted(_rebuilt(AccompanyingStaff, task, baseline.get("staff", {})), key=lambda s: s.pk)
    return ApprovedPlan(items, guests, staff, amending=True)
