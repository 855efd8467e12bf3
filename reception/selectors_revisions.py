"""Reads of amendments (变更): the approved revisions of a task, and the open one with its diff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, prefetch_related_objects

from reception.models import OPEN_REVISION_STATUSES, Revision, RevisionStatus, Task
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
