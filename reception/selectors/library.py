"""Reads of the resource library, the guest database (接待对象信息库) and suggestions from past tasks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext as _

from core.errors import NotFound
from reception.models import Guest, ItemKind, PlanItem, Resource, ResourceKind, Task, TaskStatus
from reception.models.resources import VENUE_KINDS
from reception.scopes import UnitScope, guests_in_scope, tasks_in_scope

SIMILAR_TASKS = 20
SUGGESTIONS_EACH = 10

# --- Resources --------------------------------------------------------------------------------


def resource_list(*, kind: str | None = None, q: str | None = None, parent: int | None = None) -> QuerySet[Resource]:
    """Newest first, filtered by kind, parent and text (name, description, address)."""
    resources = Resource.objects.select_related("parent", "provider").order_by("-created_at", "-id")
    if kind:
        resources = resources.filter(kind=kind)
    if parent is not None:
        resources = resources.filter(parent_id=parent)
    return resources_matching(resources, q) if q else resources


def resources_matching(resources: QuerySet[Resource], q: str) -> QuerySet[Resource]:
    return resources.filter(Q(name__icontains=q) | Q(description__icontains=q) | Q(address__icontains=q))


def resource_detail(resource_id: int) -> Resource:
    resource = (
        Resource.objects.select_related("parent", "provider")
        .prefetch_related("children")
        .filter(pk=resource_id)
        .first()
    )
    if resource is None:
        raise NotFound(_("资源不存在。"))
    return resource


def library_for_plans() -> dict[str, list[Resource]]:
    """What the plan editor offers: venues (hotels, restaurants, meeting rooms, sites) and dishes."""
    rows = Resource.objects.filter(kind__in=[*VENUE_KINDS, ResourceKind.DISH]).select_related("parent").order_by("name")
    offer: dict[str, list[Resource]] = {"venues": [], "dishes": []}
    for resource in rows:
        offer["dishes" if resource.kind == ResourceKind.DISH else "venues"].append(resource)
    return offer


# --- The guest database -----------------------------------------------------------------------


def guest_directory(*, q: str | None = None, scope: UnitScope | None = None) -> QuerySet[Guest]:
    """One row per person (name + unit) met in tasks that were not cancelled: the latest post,
    grade and phone, the number of receptions and the last one's date; most recent first. A
    counterpart user's `scope` limits it to the guests of their unit's tasks."""
    past = guests_in_scope(Guest.objects.exclude(task__status=TaskStatus.CANCELLED), scope)
    if q:
        past = past.filter(Q(name__icontains=q) | Q(unit__icontains=q) | Q(post__icontains=q))
    latest = past.order_by("name", "unit", "-task__start_date", "-id").distinct("name", "unit").values("id")
    same_person = (
        guests_in_scope(Guest.objects.exclude(task__status=TaskStatus.CANCELLED), scope)
        .filter(name=OuterRef("name"), unit=OuterRef("unit"))
        .values("name")
    )
    return (
        Guest.objects.filter(pk__in=Subquery(latest))
        .annotate(
            visits=Subquery(same_person.annotate(n=Count("task_id", distinct=True)).values("n")[:1]),
            first_visit=Subquery(same_person.annotate(d=Min("task__start_date")).values("d")[:1]),
            last_visit=F("task__start_date"),
        )
        .order_by("-task__start_date", "name", "id")
    )


# --- Suggestions from similar past tasks ------------------------------------------------------


@dataclass(frozen=True)
class Suggestions:
    similar: list[Task]
    hotels: list[dict[str, Any]]
    menus: list[dict[str, Any]]
    venues: list[dict[str, Any]]


def similar_tasks(task: Task, scope: UnitScope | None = None) -> list[Task]:
    """Tasks (not cancelled) from the same sending unit first, then of the same level, newest first
    (of the caller's unit only, for a counterpart user)."""
    unit = task.letter.sending_unit
    return list(
        tasks_in_scope(Task.objects.all(), scope)
        .exclude(pk=task.pk)
        .exclude(status=TaskStatus.CANCELLED)
        .filter(Q(letter__sending_unit=unit) | Q(level=task.level))
        .select_related("letter")
        .annotate(
            same_unit=Case(
                When(letter__sending_unit=unit, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-same_unit", "-start_date", "-id")[:SIMILAR_TASKS]
    )


def _money(value: Any) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _most_used(items: QuerySet[PlanItem], fields: dict[str, str]) -> list[dict[str, Any]]:
    """Rows grouped by `fields` (output name → lookup): how many tasks used them, the average unit
    price, the planned cost (unit price × quantity), most used and most recently used first."""
    grouped: Any = items.values(*fields.values())
    grouped = grouped.annotate(
        times=Count("task_id", distinct=True),
        avg_price=Avg("unit_price"),
        cost=Sum(F("unit_price") * F("quantity")),
        last_used=Max("starts_at"),
    )
    rows = list(grouped.order_by("-times", "-last_used", *fields.values())[:SUGGESTIONS_EACH])
    scores = _scores(items, fields, rows)
    return [
        {
            **{name: row[lookup] for name, lookup in fields.items()},
            "times": row["times"],
            "unit_price": _money(row["avg_price"]),
            "cost": _money(row["cost"]),
            "score": scores.get(tuple(row[lookup] for lookup in fields.values())),
        }
        for row in rows
    ]


def _scores(
    items: QuerySet[PlanItem], fields: dict[str, str], rows: list[dict[str, Any]]
) -> dict[tuple[Any, ...], Any]:
    """The average satisfaction score (1–5, one decimal) of the evaluations of the tasks that used
    each row; rows whose tasks were never evaluated are absent (score null). Two queries, whatever
    the history."""
    from reception.models import Evaluation

    lookups = list(fields.values())
    keys = {tuple(row[lookup] for lookup in lookups) for row in rows}
    per_task = {
        e["task_id"]: (e["total"], e["n"])
        for e in Evaluation.objects.filter(task_id__in=items.values("task_id"))
        .values("task_id")
        .annotate(total=Sum("score"), n=Count("pk"))
    }
    tasks_of: dict[tuple[Any, ...], set[int]] = {}
    for used in items.values(*lookups, "task_id").distinct():
        key = tuple(used[lookup] for lookup in lookups)
        if key in keys:
            tasks_of.setdefault(key, set()).add(used["task_id"])
    scores = {}
    for key, task_ids in tasks_of.items():
        rated = [per_task[t] for t in task_ids if t in per_task]
        count = sum(n for _total, n in rated)
        if count:
            scores[key] = (Decimal(sum(total for total, _n in rated)) / count).quantize(Decimal("0.1"))
    return scores


def task_suggestions(task: Task, scope: UnitScope | None = None) -> Suggestions:
    """Hotels, menus and venues the similar tasks used, most used first, with their costs (planned
    amounts: unit price × quantity) and the average satisfaction score of those tasks' evaluations
    (`score`, null where none was given)."""
    similar = similar_tasks(task, scope)
    items = PlanItem.objects.filter(task__in=[t.pk for t in similar])
    return Suggestions(
        similar=similar,
        hotels=_most_used(
            items.filter(kind=ItemKind.LODGING, provider__isnull=False),
            {"provider": "provider_id", "name": "provider__name"},
        ),
        menus=_most_used(
            items.filter(kind=ItemKind.MEAL).exclude(menu=""),
            {"menu": "menu", "venue": "venue", "meal_type": "meal_type"},
        ),
        venues=_most_used(items.exclude(kind=ItemKind.LODGING), {"kind": "kind", "venue": "venue"}),
    )
