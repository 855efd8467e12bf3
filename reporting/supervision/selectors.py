"""Reads of supervision: budget spending, early warnings and inspections.

Budget: one definition of what a year's budget counts as spent, for the budget page, the budgets
API, the dashboard and the annual early warning: the host-paid cost (`reception.figures.task_costs`)
of every task not cancelled, counted in the year it starts.

Early warning (预警): the current findings of every task that is not cancelled (drafts included)
against the standards and the budget, the findings of reported costs as soon as they are
reported, and the year's host-paid spending against the annual reception budget.
Findings come from `reception.rules` (every rule that judges the plan against the standards:
diners, levels, meal and lodging ceilings, agreed prices, who pays, banned items and activities,
a task's plan over its budget) and `reception.rules_costs` (reported costs: over the standards or
the agreed price, banned items in cost lines); the annual check reads `task_costs` (host-paid)
at the tenant's threshold (`annual_budget_warning_percent`, 80 % by default). Finance and
supervisors are told once per finding (`services.warnings_notify`): `WarningNotice` (tenant-local)
remembers what was sent.

Inspections (监督检查) of subordinates: an inspection per visit with a checklist of the five areas
(rules made, standards kept, funds used, disclosure, in-house venues), findings and follow-ups,
kept in the superior's schema; the subordinate is referenced by its code, which must lie in the
superior's subtree. Their writes are in `services`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from core.errors import InvalidInput, NotFound
from reception.figures import ZERO, task_costs
from reception.models import Task, TaskStatus
from reception.rules import RULES, Finding, item_outside_dates, vehicle_per_guest
from reception.selectors.rules import (
    StandardBook,
    costs_findings,
    tasks_plan_inputs,
    venue_clashes_among,
    with_plan,
)
from reporting.local.models import ChecklistItem, Inspection, ReceptionBudget
from tenants.models import Jurisdiction


def spending_by_task(years: Iterable[int]) -> list[tuple[Task, Decimal]]:
    """Each task (not cancelled) starting in one of `years`, with its host-paid cost, in the
    order the money was committed (start date, then creation)."""
    wanted = sorted(set(years))
    if not wanted:
        return []
    tasks = list(
        Task.objects.exclude(status=TaskStatus.CANCELLED)
        .filter(start_date__year__in=wanted)
        .only("pk", "title", "start_date")
        .order_by("start_date", "pk")
    )
    costs = task_costs(t.pk for t in tasks)
    return [(task, sum(costs.get(task.pk, {}).values(), ZERO)) for task in tasks]


def budget_spent(years: Iterable[int]) -> dict[int, Decimal]:
    """Spending so far of each of `years` (zero for a year without tasks)."""
    wanted = set(years)
    spent = dict.fromkeys(wanted, ZERO)
    for task, cost in spending_by_task(wanted):
        spent[task.start_date.year] += cost
    return spent


def _status(budget: ReceptionBudget, spent: Decimal) -> dict[str, Any]:
    share = float(spent * 100 / budget.amount) if budget.amount else None
    return {
        "year": budget.year,
        "amount": budget.amount,
        "spent": spent,
        "share": share,
        "updated_at": budget.updated_at,
    }


def budget_status(year: int) -> dict[str, Any]:
    """The year's budget, its spending so far and its share (amount None without a budget)."""
    budget = ReceptionBudget.objects.filter(year=year).first()
    if budget is None:
        return {"year": year, "amount": None}
    return _status(budget, budget_spent([year])[year])


def budgets_with_spending() -> list[dict[str, Any]]:
    """Every year's budget, newest first, each with its spending and share (two queries in all)."""
    budgets = list(ReceptionBudget.objects.order_by("-year"))
    spent = budget_spent(b.year for b in budgets)
    return [_status(b, spent[b.year]) for b in budgets]


#: The rules early warning watches: every rule against the standards and the budget (not the
#: advice on cars and dates, which is the drafter's).
WATCHED_RULES = tuple(rule for rule in RULES if rule not in (vehicle_per_guest, item_outside_dates))


class WarningCode(StrEnum):
    ANNUAL_BUDGET_NEAR = "annual_budget_near"  # the year's spending at the tenant's threshold (80 %)
    ANNUAL_BUDGET_EXCEEDED = "annual_budget_exceeded"  # at 100 %


@dataclass(frozen=True)
class EarlyWarning:
    code: str
    severity: str  # error | warning
    task: int
    task_title: str
    message: str
    key: str  # identifies the finding: told once

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "task": self.task,
            "task_title": self.task_title,
            "message": self.message,
        }


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _open_tasks() -> list[Task]:
    return list(with_plan(Task.objects.exclude(status=TaskStatus.CANCELLED).order_by("-created_at", "-id")))


def _warning(task: Task, finding: Finding, *, prefix: str = "") -> EarlyWarning:
    return EarlyWarning(
        code=str(finding.code),
        severity=str(finding.severity),
        task=task.pk,
        task_title=task.title,
        message=finding.message,
        key=f"{prefix}{finding.code}:{task.pk}:{_digest(finding.message)}",
    )


def plan_warnings(tasks: list[Task], *, jurisdiction: Jurisdiction) -> list[EarlyWarning]:
    """The watched rules' findings and the reported costs' findings, task by task (newest
    first), in rule order, then the costs' (errors and warnings of the plan, then its costs).
    `tasks` are every task not cancelled: the venues they hold at once (`booking_conflict`)
    are judged among them."""
    plans = tasks_plan_inputs(tasks, jurisdiction=jurisdiction, clashes=venue_clashes_among(tasks))
    costs = costs_findings(plans)
    found: list[EarlyWarning] = []
    for task in tasks:
        plan = plans[task.pk]
        findings = [finding for rule in WATCHED_RULES for finding in rule(plan)]
        found.extend(_warning(task, f) for f in findings if f.severity == "error")
        found.extend(_warning(task, f) for f in findings if f.severity == "warning")
        found.extend(_warning(task, f, prefix="cost:") for f in costs.get(task.pk, []))
    return found


def annual_warnings() -> list[EarlyWarning]:
    """For each year with a budget: the host's spending (tasks not cancelled,
    by start date) at the tenant's threshold (the standards' `annual_budget_warning_percent` in
    force at the year's end, 80 % by default) or at 100 %.

    The warning names the task whose cost took the year across the threshold."""
    budgets = {b.year: b.amount for b in ReceptionBudget.objects.filter(amount__gt=0)}
    if not budgets:
        return []
    book = StandardBook()
    near = {year: book.in_force(date(year, 12, 31)).annual_budget_warning_percent for year in budgets}
    spent: dict[int, Decimal] = {}
    crossing: dict[tuple[int, int], Task] = {}
    for task, cost in spending_by_task(budgets):
        year = task.start_date.year
        before = spent.get(year, ZERO)
        after = before + cost
        spent[year] = after
        for percent in (near[year], 100):
            threshold = budgets[year] * percent / 100
            if before < threshold <= after:
                crossing[(year, percent)] = task
    found = []
    for year, amount in sorted(budgets.items()):
        total = spent.get(year, ZERO)
        if total * 100 < amount * near[year]:
            continue
        percent = 100 if total >= amount else near[year]
        task = crossing[(year, percent)]
        values = {"year": year, "spent": f"{total:.2f}", "budget": f"{amount:.2f}", "share": total * 100 / amount}
        if percent == 100:
            code, severity = WarningCode.ANNUAL_BUDGET_EXCEEDED, "error"
            message = (
                _("%(year)s年度接待支出 %(spent)s 元，已超过年度接待预算 %(budget)s 元（%(share).1f%%）。") % values
            )
        else:
            code, severity = WarningCode.ANNUAL_BUDGET_NEAR, "warning"
            message = _("%(year)s年度接待支出 %(spent)s 元，已达年度接待预算 %(budget)s 元的 %(share).1f%%。")
            message %= values
        found.append(EarlyWarning(str(code), severity, task.pk, task.title, message, key=f"{code}:{year}"))
    return found


def current_warnings(*, jurisdiction: Jurisdiction) -> list[EarlyWarning]:
    """Every current finding of the jurisdiction (its schema active)."""
    tasks = _open_tasks()
    return [*annual_warnings(), *plan_warnings(tasks, jurisdiction=jurisdiction)]


def inspection_list(*, subordinate_code: str | None = None) -> QuerySet[Inspection]:
    rows = Inspection.objects.prefetch_related(Prefetch("items", queryset=ChecklistItem.objects.order_by("id")))
    if subordinate_code:
        rows = rows.filter(subordinate_code=subordinate_code)
    return rows.order_by("-inspected_on", "-id")


def inspection_detail(inspection_id: int) -> Inspection:
    inspection = inspection_list().filter(pk=inspection_id).first()
    if inspection is None:
        raise NotFound(_("检查记录不存在。"))
    return inspection


def subordinate(*, jurisdiction: Jurisdiction, code: str) -> Jurisdiction:
    """A jurisdiction below `jurisdiction` (at any depth), or a 400 on `subordinate_code`."""
    found = Jurisdiction.objects.filter(code=code).first()
    if found is None or not jurisdiction.is_ancestor_of(found):
        raise InvalidInput(
            _("辖区 %(code)s 不是本辖区的下级，不能检查。") % {"code": code},
            field="subordinate_code",
            code="not_subordinate",
        )
    return found
