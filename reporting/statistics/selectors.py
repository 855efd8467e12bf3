"""Statistics of held receptions (统计分析), grouped by month, level, purpose, counterpart unit,
jurisdiction or provider (that one at the end of this module: `provider_rows`).

Own data comes from `reception.figures` (which tasks count, 人次, costs by kind summed per group in
SQL by `grouped_costs`, the same rule as `task_costs`).
A superior's subtree comes from the current reports its subordinates submitted upward
(`reporting.models.Report`), never from their schemas. Reports are monthly, so the subtree is
counted by whole months: every month that overlaps the requested range.

Grouped by provider (按服务单位): the one grouping whose key belongs to a plan item
rather than to its task.

One row per designated provider whose items served a reception held in the range, plus one (key
`none`) for the items without a provider. A row's costs are its items' costs
(`reception.figures.provider_costs`, the same `item_cost` as everywhere), so the rows' costs add up
to the total cost. Its receptions, guests, accompanying and over-standard findings are those of the
tasks with at least one of its items: a task served by a hotel and a restaurant counts in both
rows, and the totals, taken over the range's distinct tasks, are not the sum of the rows. A held
task without any item is in the totals and in no row. Own data only: reports carry no provider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Case, Count, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from provider_portal.models import Provider
from reception.figures import CENT, ZERO, Satisfaction, counted_tasks, grouped_costs, provider_costs, satisfaction_of
from reception.models import AccompanyingStaff, Guest, ItemKind, PlanItem, Purpose, ReceptionLevel, Task
from reception.models.common import LEVEL_RANK
from reception.rule_facts import meal_type_at, rank
from reception.selectors.rules import StandardBook
from reception.standards import StandardValues
from reporting.models import Report
from tenants.models import Jurisdiction


class GroupBy(StrEnum):
    MONTH = "month"
    LEVEL = "level"
    PURPOSE = "purpose"
    COUNTERPART_UNIT = "counterpart_unit"
    JURISDICTION = "jurisdiction"
    PROVIDER = "provider"


class Scope(StrEnum):
    OWN = "own"  # this jurisdiction's own receptions
    SUBTREE = "subtree"  # plus the current reports of every jurisdiction below it


#: Groupings that reports carry (by month and by jurisdiction); the others are own data only.
SUBTREE_GROUPS = frozenset({GroupBy.MONTH, GroupBy.JURISDICTION})
KINDS: tuple[str, ...] = tuple(ItemKind.values)


def group_label(group_by: str) -> str:
    return {
        GroupBy.MONTH: _("月份"),
        GroupBy.LEVEL: _("接待级别"),
        GroupBy.PURPOSE: _("来访事由"),
        GroupBy.COUNTERPART_UNIT: _("对口接待单位"),
        GroupBy.JURISDICTION: _("辖区"),
        GroupBy.PROVIDER: _("服务单位"),
    }[GroupBy(group_by)]


@dataclass
class Row:
    """One group's figures. `over_standard`: meal and lodging items over the standards the task
    is judged by, at the level they apply at (see `_over_standard`)."""

    key: str
    label: str = ""
    receptions: int = 0
    guests: int = 0
    accompanying: int = 0
    cost_by_kind: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(KINDS, ZERO))
    over_standard: int = 0
    #: What the guests paid themselves: shown apart, never in `cost_total`.
    guest_paid_total: Decimal = ZERO

    @property
    def cost_total(self) -> Decimal:
        return sum(self.cost_by_kind.values(), ZERO)

    @property
    def average_per_guest(self) -> Decimal | None:
        if not self.guests:
            return None
        return (self.cost_total / self.guests).quantize(CENT, rounding=ROUND_HALF_UP)

    def add(self, other: Row) -> None:
        self.receptions += other.receptions
        self.guests += other.guests
        self.accompanying += other.accompanying
        self.over_standard += other.over_standard
        self.guest_paid_total += other.guest_paid_total
        for kind, amount in other.cost_by_kind.items():
            self.cost_by_kind[kind] = self.cost_by_kind.get(kind, ZERO) + amount

    def as_json(self, *, with_key: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "label": self.label} if with_key else {}
        data.update(
            receptions=self.receptions,
            guests=self.guests,
            accompanying=self.accompanying,
            cost_total=str(self.cost_total),
            cost_by_kind={kind: str(self.cost_by_kind.get(kind, ZERO)) for kind in KINDS},
            guest_paid_total=str(self.guest_paid_total),
            average_per_guest=None if self.average_per_guest is None else str(self.average_per_guest),
            over_standard=self.over_standard,
        )
        return data


@dataclass
class Statistics:
    """`whole`: the totals where rows overlap (by provider, a task is in the row of each provider
    that served it); otherwise the totals are the sum of the rows."""

    start: date
    end: date
    group_by: str
    scope: str
    rows: list[Row]
    whole: Row | None = None

    @property
    def totals(self) -> Row:
        if self.whole is not None:
            return self.whole
        total = Row(key="")
        for row in self.rows:
            total.add(row)
        return total

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "group_by": self.group_by,
            "scope": self.scope,
            "rows": [row.as_json() for row in self.rows],
            "totals": self.totals.as_json(with_key=False),
        }


def _top_grade() -> Any:
    """A correlated subquery: the most senior grade among the task's guests (None without any)."""
    seniority = Case(*(When(grade=grade, then=Value(n)) for grade, n in LEVEL_RANK.items()), default=Value(99))
    guests = Guest.objects.filter(task_id=OuterRef("pk")).annotate(seniority=seniority).order_by("seniority")
    return Subquery(guests.values("grade")[:1])


def _applied_level(task: dict[str, Any]) -> str:
    """The level a task's standards apply at: the lower of its level and its guests' highest
    grade (the rules' `applied_level`)."""
    grade = task.get("top_grade")
    return grade if grade is not None and rank(grade) >= rank(task["level"]) else task["level"]


def _over_standard(tasks: dict[int, dict[str, Any]], held: Any) -> dict[int, int]:
    """Over-standard items per task (`held`: the tasks' queryset, used as a subquery).

    Judged on the facts as the rules judge them (errors only): at the level the standards apply
    at (the lower of the task's level and its guests' highest grade), a meal over the stricter
    of the ceilings for its declared type and the type its time makes it (`meal_standard`) or
    with more accompanying than allowed (`accompany_limit`), a room-night over the lodging
    ceiling (`lodging_standard`). Each task is checked against the standards version it recorded
    on submission; one held without a recorded version (entered afterwards) against the version
    in force on its start date. One query (the meal and lodging items); the guests' highest grade
    comes with the tasks (`_top_grade`)."""
    book = StandardBook()
    items = PlanItem.objects.filter(
        task_id__in=held.values("pk"), kind__in=(ItemKind.MEAL, ItemKind.LODGING)
    ).values_list("task_id", "kind", "meal_type", "starts_at", "unit_price", "guests_count", "accompanying_count")
    counts: dict[int, int] = {}
    standards: dict[int, StandardValues] = {}
    for task_id, kind, meal_type, starts_at, unit_price, guests_count, accompanying_count in items:
        values = standards.get(task_id)
        task = tasks[task_id]
        if values is None:
            values = standards[task_id] = book.for_task(
                standard_id=task["standard_id"], start_date=task["start_date"], editable=False
            )
        level = _applied_level(task)
        if kind == ItemKind.LODGING:
            ceiling = values.lodging_ceiling(level)
            over = ceiling is not None and unit_price > ceiling
        else:
            ceilings = [
                c
                for t in {meal_type or meal_type_at(starts_at), meal_type_at(starts_at)}
                if (c := values.meal_ceiling(level, t)) is not None
            ]
            over = (bool(ceilings) and unit_price > min(ceilings)) or accompanying_count > values.accompany_limit(
                guests_count
            )
        if over:
            counts[task_id] = counts.get(task_id, 0) + 1
    return counts


def _grouping(group_by: str, jurisdiction: Jurisdiction) -> Any:
    """The group key of a task's row."""
    if group_by == GroupBy.MONTH:
        return lambda task: task["start_date"].strftime("%Y-%m")
    if group_by == GroupBy.LEVEL:
        return lambda task: task["level"]
    if group_by == GroupBy.PURPOSE:
        return lambda task: task["letter__purpose"]
    if group_by == GroupBy.COUNTERPART_UNIT:
        return lambda task: task["counterpart_unit"]
    return lambda task: jurisdiction.code


def _sql_grouping(group_by: str, jurisdiction: Jurisdiction) -> tuple[Any, Callable[[Any], Any]]:
    """The group key as an SQL expression over the task, and how its value reads as the key
    `_grouping` gives the same task (to sum costs per group in the database)."""
    if group_by == GroupBy.MONTH:
        return TruncMonth("start_date"), lambda month: month.strftime("%Y-%m")
    field = {
        GroupBy.LEVEL: "level",
        GroupBy.PURPOSE: "letter__purpose",
        GroupBy.COUNTERPART_UNIT: "counterpart_unit",
    }.get(GroupBy(group_by))
    if field is not None:
        return F(field), lambda value: value
    return Value(jurisdiction.code), lambda value: value


def _label(group_by: str, key: str, jurisdiction: Jurisdiction) -> str:
    """How people read a group key (computed once per row, not per task)."""
    if group_by == GroupBy.LEVEL and key in ReceptionLevel.values:
        return str(ReceptionLevel(key).label)
    if group_by == GroupBy.PURPOSE and key in Purpose.values:
        return str(Purpose(key).label)
    if group_by == GroupBy.JURISDICTION:
        return jurisdiction.name
    return key


def _order(group_by: str) -> Any:
    if group_by == GroupBy.LEVEL:
        order = {value: n for n, value in enumerate(ReceptionLevel.values)}
        return lambda row: order.get(row.key, len(order))
    if group_by == GroupBy.PURPOSE:
        order = {value: n for n, value in enumerate(Purpose.values)}
        return lambda row: order.get(row.key, len(order))
    return lambda row: row.key


def _count_of(model: Any) -> Any:
    """A correlated subquery: how many rows of `model` the task has."""
    rows = model.objects.filter(task_id=OuterRef("pk")).order_by().values("task_id").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")[:1]), 0)


@dataclass(frozen=True)
class Held:
    """The receptions held in a range, loaded once: each task's grouping fields and counts and its
    over-standard meal items. Any grouping reads it; costs are summed per group in SQL from
    `queryset` (`grouped_costs`), one query per grouping."""

    queryset: QuerySet[Task]
    tasks: dict[int, dict[str, Any]]
    over: dict[int, int]


def load_held(start: date, end: date) -> Held:
    """Four queries, whatever the number of tasks (guests and accompanying counted in the tasks'
    query, the standards, the meal items)."""
    held = counted_tasks(start, end)
    tasks: dict[int, dict[str, Any]] = {
        t["id"]: dict(t)
        for t in held.annotate(
            guest_n=_count_of(Guest), accompanying_n=_count_of(AccompanyingStaff), top_grade=_top_grade()
        ).values(
            "id",
            "start_date",
            "level",
            "letter__purpose",
            "counterpart_unit",
            "standard_id",
            "guest_n",
            "accompanying_n",
            "top_grade",
        )
    }
    if not tasks:
        return Held(queryset=held, tasks={}, over={})
    return Held(queryset=held, tasks=tasks, over=_over_standard(tasks, held))


def own_rows(
    *, jurisdiction: Jurisdiction, start: date, end: date, group_by: str, held: Held | None = None
) -> list[Row]:
    """The jurisdiction's own receptions held in [start, end], grouped (costs summed per group in
    SQL, one query)."""
    if held is None:
        held = load_held(start, end)
    if group_by == GroupBy.PROVIDER:
        return provider_rows(held)[0]
    rows: dict[str, Row] = {}

    def row_of(key: str) -> Row:
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row(key=key, label=_label(group_by, key, jurisdiction))
        return row

    group_key = _grouping(group_by, jurisdiction)
    over = held.over
    for task_id, task in held.tasks.items():
        row = row_of(group_key(task))
        row.receptions += 1
        row.guests += task["guest_n"]
        row.accompanying += task["accompanying_n"]
        row.over_standard += over.get(task_id, 0)
    if held.tasks:
        # The costs query reads the held tasks again: a task held in between gets a row (with its
        # costs, no reception) rather than being dropped or failing.
        expression, read_key = _sql_grouping(group_by, jurisdiction)
        for value, costs in grouped_costs(held.queryset, expression).items():
            row = row_of(read_key(value))
            for kind, amount in costs.by_kind.items():
                row.cost_by_kind[kind] = row.cost_by_kind.get(kind, ZERO) + amount
            row.guest_paid_total += costs.guest_paid
    return sorted(rows.values(), key=_order(group_by))


def _months(start: date, end: date) -> tuple[str, str]:
    return start.strftime("%Y-%m"), end.strftime("%Y-%m")


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(CENT)
    except (ArithmeticError, ValueError, TypeError):
        return ZERO


def report_row(key: str, label: str, figures: dict[str, Any]) -> Row:
    """A Row from a report's `figures` (Figures.as_json(), maybe with `over_standard`)."""
    by_kind = figures.get("cost_by_kind") or {}
    cost_by_kind = {kind: _decimal(by_kind.get(kind, "0")) for kind in KINDS}
    # A report whose kinds do not add up to its total keeps the difference visibly, not silently.
    rest = _decimal(figures.get("cost_total", "0")) - sum(cost_by_kind.values(), ZERO)
    if rest:
        cost_by_kind["other"] = rest
    return Row(
        key=key,
        label=label,
        receptions=int(figures.get("receptions") or 0),
        guests=int(figures.get("guests") or 0),
        accompanying=int(figures.get("accompanying") or 0),
        cost_by_kind=cost_by_kind,
        over_standard=int(figures.get("over_standard") or 0),
        guest_paid_total=_decimal(figures.get("guest_paid_total", "0")),
    )


def subtree_reports(*, jurisdiction: Jurisdiction, start: date, end: date) -> Iterable[tuple[str, str, str, dict]]:
    """(code, name, period, figures) of the current reports below `jurisdiction` (one query)."""
    first, last = _months(start, end)
    return (
        Report.objects.filter(
            is_current=True,
            jurisdiction__path__startswith=jurisdiction.path + ".",
            period__gte=first,
            period__lte=last,
        )
        .order_by("jurisdiction__code", "period")
        .values_list("jurisdiction__code", "jurisdiction__name", "period", "figures")
    )


def has_subtree(jurisdiction: Jurisdiction) -> bool:
    return Jurisdiction.objects.filter(path__startswith=jurisdiction.path + ".").exists()


def _merge(rows: dict[str, Row], row: Row) -> None:
    if row.key in rows:
        rows[row.key].add(row)
    else:
        rows[row.key] = row


def statistics(
    *,
    jurisdiction: Jurisdiction,
    start: date,
    end: date,
    group_by: str,
    scope: str | None = None,
    held: Held | None = None,
) -> Statistics:
    """The statistics the API, exports, PDF and pages share (`held`: own data already loaded).

    `scope` defaults to the subtree where the grouping allows it and the jurisdiction has one."""
    group = GroupBy(group_by)
    if scope is None:
        scope = Scope.SUBTREE if group in SUBTREE_GROUPS and has_subtree(jurisdiction) else Scope.OWN
    if group not in SUBTREE_GROUPS:
        scope = Scope.OWN
    if group == GroupBy.PROVIDER:
        rows_by_provider, whole = provider_rows(held if held is not None else load_held(start, end))
        return Statistics(start=start, end=end, group_by=group, scope=scope, rows=rows_by_provider, whole=whole)
    own = own_rows(jurisdiction=jurisdiction, start=start, end=end, group_by=group, held=held)
    rows = {row.key: row for row in own}
    if group == GroupBy.JURISDICTION and jurisdiction.code not in rows:
        rows[jurisdiction.code] = Row(key=jurisdiction.code, label=jurisdiction.name)
    if scope == Scope.SUBTREE:
        for code, name, period, figures in subtree_reports(jurisdiction=jurisdiction, start=start, end=end):
            key, label = (period, period) if group == GroupBy.MONTH else (code, name)
            _merge(rows, report_row(key, label, figures))
    return Statistics(start=start, end=end, group_by=group, scope=scope, rows=sorted(rows.values(), key=_order(group)))


def own_satisfaction(start: date, end: date) -> Satisfaction:
    """The satisfaction evaluations (满意度评价) of the receptions held here in [start, end]
    (reports upward carry none, so this is always own data)."""
    return satisfaction_of(counted_tasks(start, end))


# --- By provider -------------------------------------------------------------------------

#: The key of the row of plan items without a provider.
NO_PROVIDER = "none"


def _provider_count(row: Row, task: dict[str, Any], over: int) -> None:
    row.receptions += 1
    row.guests += task["guest_n"]
    row.accompanying += task["accompanying_n"]
    row.over_standard += over


def _provider_order(row: Row) -> tuple[bool, str, str]:
    return (row.key == NO_PROVIDER, row.label, row.key)


def provider_rows(held: Held) -> tuple[list[Row], Row]:
    """The rows, ordered by provider name with `none` last, and the totals over distinct tasks.
    Three queries beyond `held` (which tasks each provider served, the costs, the names)."""
    totals = Row(key="")
    for task_id, task in held.tasks.items():
        _provider_count(totals, task, held.over.get(task_id, 0))
    if not held.tasks:
        return [], totals

    rows: dict[int | None, Row] = {}

    def row_of(provider_id: int | None) -> Row:
        row = rows.get(provider_id)
        if row is None:
            key = NO_PROVIDER if provider_id is None else str(provider_id)
            row = rows[provider_id] = Row(key=key)
        return row

    served = (
        PlanItem.objects.filter(task_id__in=held.queryset.values("pk"))
        .order_by()
        .values_list("provider_id", "task_id")
        .distinct()
    )
    for served_by, task_id in served:
        served_task = held.tasks.get(task_id)
        if served_task is not None:  # a task held since `held` was read has costs below, no reception
            _provider_count(row_of(served_by), served_task, held.over.get(task_id, 0))
    for paid, costs in provider_costs(held.queryset).items():
        row = row_of(paid)
        for kind, amount in costs.by_kind.items():
            row.cost_by_kind[kind] = row.cost_by_kind.get(kind, ZERO) + amount
            totals.cost_by_kind[kind] = totals.cost_by_kind.get(kind, ZERO) + amount
        row.guest_paid_total += costs.guest_paid
        totals.guest_paid_total += costs.guest_paid

    # The ids come from this tenant's own plan items: a provider since dropped from the designated
    # list still names its past rows.
    names = dict(Provider.objects.filter(pk__in=[pk for pk in rows if pk is not None]).values_list("pk", "name"))
    for pk, row in rows.items():
        row.label = _("无服务单位") if pk is None else names.get(pk, row.key)
    return sorted(rows.values(), key=_provider_order), totals
