"""What a counterpart user (对口接待单位) sees: the tasks, letters and guests of their own unit.

Every other role of the jurisdiction, and the ancestors' overseers, see the whole jurisdiction.
A counterpart user's unit is the `unit_name` of their membership; their tasks are those whose
`counterpart_unit` is that name. Their letters are those registered or entered by a member of
their unit, those of their unit's tasks, and the visitors' letters still waiting in the shared
intake inbox for someone to register them (the counterpart role's own job).
Object routes (`task_id`, `letter_id` in the URL) outside the scope answer 404, as if the object
did not exist (`check_route`, called by every API view and page of the app).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.errors import NotFound
from reception.models import Guest, Letter, LetterStatus, Task
from tenants.models import Membership, Role
from tenants.permissions import Access


@dataclass(frozen=True)
class UnitScope:
    """The limits of a counterpart user; None in their place means the whole jurisdiction."""

    unit: str
    user_id: int
    jurisdiction_id: int


def scope_of(access: Access | None, user: Any) -> UnitScope | None:
    if access is None or not access.counterpart_only:
        return None
    return UnitScope(unit=access.unit_name, user_id=user.pk, jurisdiction_id=access.jurisdiction.pk)


def tasks_in_scope(tasks: QuerySet[Task], scope: UnitScope | None) -> QuerySet[Task]:
    if scope is None:
        return tasks
    return tasks.filter(counterpart_unit=scope.unit) if scope.unit else tasks.none()


def _unit_member_ids(scope: UnitScope) -> list[int]:
    if not scope.unit:
        return [scope.user_id]
    members = Membership.objects.filter(
        jurisdiction_id=scope.jurisdiction_id, role=Role.COUNTERPART, unit_name=scope.unit
    ).values_list("user_id", flat=True)
    return [scope.user_id, *members]


def letters_in_scope(letters: QuerySet[Letter], scope: UnitScope | None) -> QuerySet[Letter]:
    if scope is None:
        return letters
    members = _unit_member_ids(scope)
    unit_tasks = tasks_in_scope(Task.objects.all(), scope).values("letter_id")
    return letters.filter(
        Q(status=LetterStatus.SUBMITTED_BY_VISITOR)
        | Q(created_by_id__in=members)
        | Q(registered_by_id__in=members)
        | Q(pk__in=unit_tasks)
    )


def guests_in_scope(guests: QuerySet[Guest], scope: UnitScope | None) -> QuerySet[Guest]:
    if scope is None:
        return guests
    return guests.filter(task__counterpart_unit=scope.unit) if scope.unit else guests.none()


def check_route(*, access: Access | None, user: Any, kwargs: dict[str, Any]) -> None:
    """A task or letter named in the URL outside the caller's scope is not found (404)."""
    scope = scope_of(access, user)
    if scope is None:
        return
    task_id = kwargs.get("task_id")
    if task_id is not None and not tasks_in_scope(Task.objects.filter(pk=task_id), scope).exists():
        raise NotFound(_("接待任务不存在。"))
    letter_id = kwargs.get("letter_id")
    if letter_id is not None:
        letters = letters_in_scope(Letter.objects.filter(pk=letter_id), scope)
        if not letters.exists():
            raise NotFound(_("公函不存在。"))
