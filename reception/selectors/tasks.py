"""Reads of the reception workflow: lists without N+1, a task with its plan, checks, history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Case, CharField, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from core.audit import object_history
from core.errors import NotFound
from core.models import User
from provider_portal import selectors as provider_selectors
from provider_portal.models import Provider
from reception.models import (
    TRANSITIONS,
    Letter,
    LetterAttachment,
    LetterStatus,
    LodgingCeiling,
    MealCeiling,
    PlanItem,
    Standard,
    Task,
    TaskAction,
    TaskStatus,
)
from reception.models.tasks import TASK_ACTIONS
from reception.standards import DEFAULT_STANDARD, StandardValues
from reception.tokens import intake_letter_id, itinerary_claim
from tenants.models import Jurisdiction, Membership, Role
from tenants.permissions import Access

#: Guests see their itinerary once the plan is approved, until the visit is over.
ITINERARY_STATUSES = frozenset(
    {
        TaskStatus.APPROVED,
        TaskStatus.IN_PROGRESS,
        TaskStatus.COMPLETED,
        TaskStatus.AMENDING,
        TaskStatus.AMENDMENT_SUBMITTED,
    }
)

# --- Standards ----------------------------------------------------------------------------


def _standards() -> QuerySet[Standard]:
    """Versions with their ceilings in the same row (one query, no prefetch): arrays of
    `level|meal_type|amount` and `level|amount` texts, read by `standard_values`. The amounts
    travel as text so that no decimal passes through a float."""
    meals = MealCeiling.objects.filter(standard=OuterRef("pk")).order_by("id")
    lodging = LodgingCeiling.objects.filter(standard=OuterRef("pk")).order_by("id")
    return Standard.objects.annotate(
        meal_rows=ArraySubquery(
            meals.values(row=Concat("level", Value("|"), "meal_type", Value("|"), Cast("amount", CharField())))
        ),
        lodging_rows=ArraySubquery(lodging.values(row=Concat("level", Value("|"), Cast("amount", CharField())))),
    )


def standard_in_force(day: date) -> Standard | None:
    """The version in force on `day`: the latest effective on or before it, else the oldest one
    (one query: the versions in force first, latest first; then the others, oldest first)."""
    in_force = Q(effective_from__lte=day)
    return (
        _standards()
        .order_by(
            Case(When(in_force, then=Value(0)), default=Value(1)),
            Case(When(in_force, then=F("effective_from"))).desc(nulls_last=True),
            Case(When(in_force, then=F("version"))).desc(nulls_last=True),
            "effective_from",
            "version",
        )
        .first()
    )


def standard_versions() -> QuerySet[Standard]:
    return _standards().select_related("created_by").order_by("-version")


def standard_values(standard: Standard | None) -> StandardValues:
    """The rules' view of a stored version (the built-in defaults when there is none)."""
    if standard is None:
        return DEFAULT_STANDARD
    meal_rows = getattr(standard, "meal_rows", None)
    lodging_rows = getattr(standard, "lodging_rows", None)
    if meal_rows is None or lodging_rows is None:  # a version not read by `_standards()`
        meal_rows = [f"{c.level}|{c.meal_type}|{c.amount}" for c in standard.meal_ceilings.all()]
        lodging_rows = [f"{c.level}|{c.amount}" for c in standard.lodging_ceilings.all()]
    meals = {}
    for row in meal_rows:
        level, meal_type, amount = row.split("|")
        meals[(level, meal_type)] = Decimal(amount)
    lodging = {}
    for row in lodging_rows:
        level, amount = row.split("|")
        lodging[level] = Decimal(amount)
    return StandardValues(
        meal_ceilings=meals,
        lodging_ceilings=lodging,
        accompany_small_group_size=standard.accompany_small_group_size,
        accompany_small_group_limit=standard.accompany_small_group_limit,
        accompany_ratio=standard.accompany_ratio,
        working_meals_per_reception=standard.working_meals_per_reception,
        meal_warning_percent=standard.meal_warning_percent,
        annual_budget_warning_percent=standard.annual_budget_warning_percent,
        suite_grades=frozenset(standard.suite_grades),
        banned_menu_words=tuple(standard.banned_menu_words),
        banned_activity_words=tuple(standard.banned_activity_words),
        version=standard.version,
        effective_from=standard.effective_from,
    )


def task_standard(task: Task) -> StandardValues:
    """A submitted task keeps the version it was checked against; a draft uses the one in force
    on its start date."""
    if not task.is_editable and task.standard_id is not None:
        return standard_values(_standards().filter(pk=task.standard_id).first())
    return standard_values(standard_in_force(task.start_date))


# --- Tasks --------------------------------------------------------------------------------


def tasks_matching(tasks: QuerySet[Task], q: str) -> QuerySet[Task]:
    return tasks.filter(Q(title__icontains=q) | Q(counterpart_unit__icontains=q) | Q(letter__number__icontains=q))


#: The pages' order: what waits for someone first (sent back, waiting for review, being drafted,
#: to assign, under way, to settle), history last; soonest first within each.
ACTION_ORDER = [
    TaskStatus.RETURNED,
    TaskStatus.SUBMITTED,
    TaskStatus.AMENDMENT_SUBMITTED,
    TaskStatus.DRAFT,
    TaskStatus.AMENDING,
    TaskStatus.APPROVED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.COMPLETED,
    TaskStatus.SETTLED,
    TaskStatus.CANCELLED,
]


def task_list(
    *, status: str | None = None, handler_id: int | None = None, q: str | None = None, by_action: bool = False
) -> QuerySet[Task]:
    """Newest first (the API), or by what needs action (`by_action`, the pages), with what a list
    row shows, in a constant number of queries."""
    tasks = Task.objects.select_related("letter", "handler")
    if by_action:
        rank = Case(
            *(When(status=value, then=Value(index)) for index, value in enumerate(ACTION_ORDER)),
            default=Value(len(ACTION_ORDER)),
            output_field=IntegerField(),
        )
        tasks = tasks.annotate(action_rank=rank).order_by("action_rank", "start_date", "id")
    else:
        tasks = tasks.order_by("-created_at", "-id")
    if status:
        tasks = tasks.filter(status=status)
    if handler_id is not None:
        tasks = tasks.filter(handler_id=handler_id)
    return tasks_matching(tasks, q) if q else tasks


def task_detail(task_id: int) -> Task:
    """A task with its letter, handler, guests, staff and items (five queries, whatever the size)."""
    task = (
        Task.objects.select_related("letter", "handler", "standard", "submitted_by")
        .prefetch_related(
            "guests", "accompanying", Prefetch("items", queryset=PlanItem.objects.select_related("provider"))
        )
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound(_("接待任务不存在。"))
    return task


#: What each recorded step of a task is called on its page (the audit action codes stay in the log).
TASK_STEP_LABELS: dict[str, Any] = {
    **{TASK_ACTIONS[t.done]: TaskAction(action).label for action, t in TRANSITIONS.items()},
    "reception.task.created": _("创建任务"),
    "reception.task.updated": _("修改方案"),
    "reception.task.evaluated": _("满意度评价"),
    "reception.task.itinerary_issued": _("发出来宾行程链接"),
    "reception.task.itinerary_revoked": _("收回来宾行程链接"),
}


def task_history(*, jurisdiction: Jurisdiction, task: Task) -> list[dict[str, Any]]:
    """The task's recorded steps, oldest first: what was done (its label) and by whom (by name)."""
    return [
        {
            "action": entry.action,
            "label": TASK_STEP_LABELS.get(entry.action, _("其他操作")),
            "actor": entry.actor_username,
            "actor_name": entry.actor.label if entry.actor else entry.actor_username,
            "at": entry.at,
            "comment": entry.comment,
        }
        for entry in object_history(
            jurisdiction_code=jurisdiction.code, object_type="reception.task", object_id=task.pk
        )
    ]


def task_allowed_actions(*, access: Access | None, task: Task) -> set[str]:
    """The transitions this user may take on this task now (from the one transition table)."""
    if access is None:
        return set()
    return {
        action
        for action, transition in TRANSITIONS.items()
        if task.status in transition.sources and access.can_write(transition.roles)
    }


def itinerary_task(*, jurisdiction: Jurisdiction, token: str) -> Task | None:
    """The task of a valid, unexpired, unrevoked itinerary link; None otherwise."""
    claim = itinerary_claim(schema=jurisdiction.schema_name, token=token)
    if claim is None:
        return None
    task_id, generation = claim
    task = (
        Task.objects.prefetch_related(Prefetch("items", queryset=PlanItem.objects.select_related("provider")))
        .filter(pk=task_id, itinerary_generation=generation, status__in=ITINERARY_STATUSES)
        .first()
    )
    return task


# --- Letters and providers ----------------------------------------------------------------


def letters_matching(letters: QuerySet[Letter], q: str) -> QuerySet[Letter]:
    return letters.filter(Q(number__icontains=q) | Q(sending_unit__icontains=q))


def letter_list(*, status: str | None = None, q: str | None = None) -> QuerySet[Letter]:
    """Newest first, with their attachments (two queries)."""
    letters = Letter.objects.prefetch_related("attachments").order_by("-created_at", "-id")
    if status:
        letters = letters.filter(status=status)
    return letters_matching(letters, q) if q else letters


def letter_detail(letter_id: int) -> Letter:
    letter = Letter.objects.prefetch_related("attachments", "tasks").filter(pk=letter_id).first()
    if letter is None:
        raise NotFound(_("公函不存在。"))
    return letter


def letter_attachment(*, letter_id: int, attachment_id: int) -> LetterAttachment:
    attachment = LetterAttachment.objects.filter(pk=attachment_id, letter_id=letter_id).first()
    if attachment is None:
        raise NotFound(_("附件不存在。"))
    return attachment


def registered_letters() -> QuerySet[Letter]:
    return letter_list(status=LetterStatus.REGISTERED)


def letter_tracked(*, jurisdiction: Jurisdiction, token: str) -> Letter | None:
    """The letter of a valid intake tracking link of this jurisdiction, with its tasks."""
    letter_id = intake_letter_id(schema=jurisdiction.schema_name, token=token)
    if letter_id is None:
        return None
    return Letter.objects.prefetch_related("tasks").filter(pk=letter_id).first()


def plan_object(model: type[Any], *, task_id: int, object_id: int) -> Any:
    """A guest, accompanying official or item of this task."""
    obj = model._default_manager.filter(pk=object_id, task_id=task_id).first()
    if obj is None:
        raise NotFound(_("方案事项不存在。"))
    return obj


def counterpart_unit(*, jurisdiction: Jurisdiction, user: User) -> str:
    """The unit a counterpart works in here (their membership's), or ""."""
    found = Membership.objects.filter(jurisdiction=jurisdiction, user=user, role=Role.COUNTERPART).first()
    return found.unit_name if found else ""


def jurisdiction_handlers(*, jurisdiction: Jurisdiction) -> list[User]:
    """The active handlers of this jurisdiction (whom a task may be assigned to)."""
    memberships = Membership.objects.filter(jurisdiction=jurisdiction, role=Role.HANDLER, user__is_active=True)
    return [m.user for m in memberships.select_related("user").order_by("user__username")]


def providers_serving(*, jurisdiction: Jurisdiction) -> QuerySet[Provider]:
    """The designated providers (定点) of this jurisdiction: an item's provider is one of them."""
    return provider_selectors.providers_serving(jurisdiction=jurisdiction)
