"""Early warning (预警): the current findings of every task that is not cancelled (drafts included)
against the standards and the budget, the findings of reported costs as soon as they are
reported, and the year's host-paid spending against the annual reception budget.

Findings come from `reception.rules` (every rule that judges the plan against the standards:
diners, levels, meal and lodging ceilings, agreed prices, who pays, banned items and activities,
a task's plan over its budget) and `reception.rules_costs` (reported costs: over the standards or
the agreed price, banned items in cost lines); the annual check reads `task_costs` (host-paid)
at the tenant's threshold (`annual_budget_warning_percent`, 80 % by default). Finance and
supervisors are told once per finding: `WarningNotice` (tenant-local) remembers what was sent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import User
from core.notifications import notify
from reception.figures import ZERO
from reception.models import Task, TaskStatus
from reception.rules import RULES, Finding, item_outside_dates, vehicle_per_guest
from reception.selectors.rules import (
    StandardBook,
    costs_findings,
    tasks_plan_inputs,
    venue_clashes_among,
    with_plan,
)
from reporting.budgets import spending_by_task
from reporting.local.models import ReceptionBudget, WarningNotice
from tenants.models import Jurisdiction, Membership, Role

#: The rules early warning watches: every rule against the standards and the budget (not the
#: advice on cars and dates, which is the drafter's).
WATCHED_RULES = tuple(rule for rule in RULES if rule not in (vehicle_per_guest, item_outside_dates))
#: Who is told.
#: Told of each finding as it appears; supervisors get the daily digest (reporting.warnings_digest).
NOTIFIED_ROLES = (Role.FINANCE,)


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
    """For each year with a budget: the host's spending (`reporting.budgets`: tasks not cancelled,
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


def _recipients(jurisdiction: Jurisdiction) -> list[User]:
    ids = Membership.objects.filter(jurisdiction=jurisdiction, role__in=NOTIFIED_ROLES).values_list(
        "user_id", flat=True
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def warnings_notify(*, jurisdiction: Jurisdiction) -> int:
    """Tell finance and supervisors about each finding not told before; returns how many findings.

    Run by Celery (beat, every few minutes, in each jurisdiction's schema). Safe to run twice."""
    warnings = current_warnings(jurisdiction=jurisdiction)
    if not warnings:
        return 0
    with transaction.atomic():
        told = set(WarningNotice.objects.filter(key__in=[w.key for w in warnings]).values_list("key", flat=True))
        fresh = [w for w in warnings if w.key not in told]
        if not fresh:
            return 0
        recipients = _recipients(jurisdiction)
        for warning in fresh:
            _notice, created = WarningNotice.objects.get_or_create(
                key=warning.key,
                defaults={
                    "code": warning.code,
                    "task_id": warning.task,
                    "message": warning.message,
                    "recipients": len(recipients),
                },
            )
            if not created:
                continue  # a concurrent run told it
            notify(
                recipients=recipients,
                event=f"reporting.warning.{warning.code}",
                subject=_("接待预警：%(title)s") % {"title": warning.task_title},
                body=warning.message,
                jurisdiction_code=jurisdiction.code,
                dedupe_key=f"{jurisdiction.schema_name}:{warning.key}",
            )
            audit_record(
                actor=None,
                action="reporting.warning.notified",
                jurisdiction_code=jurisdiction.code,
                object_type="reception.task",
                object_id=warning.task,
                after={"code": warning.code, "severity": warning.severity, "recipients": len(recipients)},
                comment=warning.message,
            )
    return len(fresh)


def budget_set(*, actor: User, jurisdiction: Jurisdiction, year: int, amount: Decimal) -> ReceptionBudget:
    """Set the year's reception budget (a tenant setting); audited with before and after."""
    with transaction.atomic():
        budget = ReceptionBudget.objects.select_for_update().filter(year=year).first()
        before = None if budget is None else {"amount": str(budget.amount)}
        if budget is None:
            budget = ReceptionBudget(year=year)
        budget.amount = amount
        budget.updated_by = actor
        budget.save()
        audit_record(
            actor=actor,
            action="reporting.budget.set",
            jurisdiction_code=jurisdiction.code,
            object_type="reporting.budget",
            object_id=year,
            before=before,
            after={"year": year, "amount": str(amount)},
        )
    return budget
