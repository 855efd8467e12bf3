"""The regulation's rules (《党政机关国内公务接待管理规定》 and local standards) as small named checks.

Each rule reads a `PlanInput` (the task, its guests, its items and the standards in force) and
yields findings with a stable code. Errors block submission; warnings are shown, never block.
Rules are pure: no queries, no writes, so they run on every change and in any number of tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from reception.models.plans import ItemKind, MealType, RoomType
from reception.standards import StandardValues


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class RuleCode(StrEnum):
    ACCOMPANY_LIMIT = "accompany_limit"
    MEAL_STANDARD = "meal_standard"
    MEAL_STANDARD_NEAR = "meal_standard_near"
    BANNED_ITEM = "banned_item"
    BANNED_ACTIVITY = "banned_activity"
    SUITE_NOT_ALLOWED = "suite_not_allowed"
    WORKING_MEAL_COUNT = "working_meal_count"
    VEHICLE_PER_GUEST = "vehicle_per_guest"
    BUDGET_EXCEEDED = "budget_exceeded"
    ITEM_OUTSIDE_DATES = "item_outside_dates"


@dataclass(frozen=True)
class Finding:
    code: RuleCode
    severity: Severity
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": str(self.code), "message": self.message}


@dataclass(frozen=True)
class PlanInput:
    """What the rules read. `task`, `guests` and `items` are model instances (saved or not)."""

    task: Any
    guests: Sequence[Any]
    items: Sequence[Any]
    standard: StandardValues


@dataclass(frozen=True)
class Checks:
    errors: list[Finding]
    warnings: list[Finding]

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        return {"errors": [f.as_dict() for f in self.errors], "warnings": [f.as_dict() for f in self.warnings]}


Rule = Callable[[PlanInput], Iterable[Finding]]


def _error(code: RuleCode, message: str) -> Finding:
    return Finding(code, Severity.ERROR, message)


def _warning(code: RuleCode, message: str) -> Finding:
    return Finding(code, Severity.WARNING, message)


def item_label(position: int, item: Any) -> str:
    """ "第2项（午餐 5月6日 12:00 徽园餐厅）": how findings point at an item."""
    when = timezone.localtime(item.starts_at).strftime("%m-%d %H:%M") if item.starts_at else ""
    what = MealType(item.meal_type).label if item.meal_type else ItemKind(item.kind).label
    return _("第%(n)s项（%(what)s %(when)s %(venue)s）") % {
        "n": position,
        "what": what,
        "when": when,
        "venue": item.venue,
    }


def _numbered(plan: PlanInput, kind: str | None = None) -> Iterator[tuple[int, Any]]:
    for position, item in enumerate(plan.items, start=1):
        if kind is None or item.kind == kind:
            yield position, item


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


# --- The rules ---------------------------------------------------------------------------


def accompany_limit(plan: PlanInput) -> Iterator[Finding]:
    """陪餐: guests ≤ 10 → at most 3 accompanying; more guests → at most ⌊guests / 3⌋."""
    for position, item in _numbered(plan, ItemKind.MEAL):
        limit = plan.standard.accompany_limit(item.guests_count)
        if item.accompanying_count > limit:
            yield _error(
                RuleCode.ACCOMPANY_LIMIT,
                _("%(item)s：客人 %(guests)s 人，陪餐最多 %(limit)s 人，现为 %(count)s 人。")
                % {
                    "item": item_label(position, item),
                    "guests": item.guests_count,
                    "limit": limit,
                    "count": item.accompanying_count,
                },
            )


def meal_standard(plan: PlanInput) -> Iterator[Finding]:
    """用餐标准: the per-person price over the ceiling is an error; above 90% of it, a warning."""
    level = plan.task.level
    for position, item in _numbered(plan, ItemKind.MEAL):
        ceiling = plan.standard.meal_ceiling(level, item.meal_type)
        if ceiling is None:
            continue
        values = {
            "item": item_label(position, item),
            "price": _money(item.unit_price),
            "ceiling": _money(ceiling),
            "percent": plan.standard.meal_warning_percent,
        }
        if item.unit_price > ceiling:
            yield _error(RuleCode.MEAL_STANDARD, _("%(item)s：人均 %(price)s 元，超过标准 %(ceiling)s 元。") % values)
        elif item.unit_price * 100 > ceiling * plan.standard.meal_warning_percent:
            yield _warning(
                RuleCode.MEAL_STANDARD_NEAR,
                _("%(item)s：人均 %(price)s 元，已超过标准 %(ceiling)s 元的 %(percent)s%%。") % values,
            )


def _words_in(text: str, words: Iterable[str]) -> list[str]:
    folded = text.casefold()
    return [word for word in words if word and word.casefold() in folded]


def banned_item(plan: PlanInput) -> Iterator[Finding]:
    """菜单: no shark fin, bird's nest, protected wildlife, cigarettes or premium liquor."""
    for position, item in _numbered(plan):
        found = _words_in(item.menu or "", plan.standard.banned_menu_words)
        if found:
            yield _error(
                RuleCode.BANNED_ITEM,
                _("%(item)s：菜单含禁止事项：%(words)s。")
                % {"item": item_label(position, item), "words": "、".join(found)},
            )


def banned_activity(plan: PlanInput) -> Iterator[Finding]:
    """No sightseeing, entertainment, gifts, banners, red carpets or welcome ceremonies."""
    for position, item in _numbered(plan):
        found = _words_in(f"{item.venue} {item.menu or ''}", plan.standard.banned_activity_words)
        if found:
            yield _error(
                RuleCode.BANNED_ACTIVITY,
                _("%(item)s：不得安排：%(words)s。") % {"item": item_label(position, item), "words": "、".join(found)},
            )


def suite_not_allowed(plan: PlanInput) -> Iterator[Finding]:
    """住宿: an ordinary suite only when a guest holds a grade the standards allow (省部级)."""
    allowed = plan.standard.suite_grades
    grades = {guest.grade for guest in plan.guests} or {plan.task.level}
    if grades & allowed:
        return
    for position, item in _numbered(plan, ItemKind.LODGING):
        if item.room_type == RoomType.SUITE:
            yield _error(
                RuleCode.SUITE_NOT_ALLOWED,
                _("%(item)s：来宾级别不得安排套间，应安排标准间。") % {"item": item_label(position, item)},
            )


def working_meal_count(plan: PlanInput) -> Iterator[Finding]:
    """工作餐: at most one per reception (the tenant's number)."""
    limit = plan.standard.working_meals_per_reception
    count = sum(1 for _p, item in _numbered(plan, ItemKind.MEAL) if item.working_meal)
    if count > limit:
        yield _error(
            RuleCode.WORKING_MEAL_COUNT,
            _("每次接待最多安排 %(limit)s 次工作餐，现为 %(count)s 次。") % {"limit": limit, "count": count},
        )


def vehicle_per_guest(plan: PlanInput) -> Iterator[Finding]:
    """用车: guests ride together; a car per guest is a warning."""
    for position, item in _numbered(plan, ItemKind.VEHICLE):
        if item.guests_count >= 2 and item.quantity >= item.guests_count:
            yield _warning(
                RuleCode.VEHICLE_PER_GUEST,
                _("%(item)s：%(guests)s 位客人安排 %(cars)s 辆车，应集中乘车。")
                % {"item": item_label(position, item), "guests": item.guests_count, "cars": item.quantity},
            )


def budget_exceeded(plan: PlanInput) -> Iterator[Finding]:
    """预算: the plan's total above the task's budget."""
    budget = plan.task.budget
    if budget is None:
        return
    total = sum((item.unit_price * item.quantity for item in plan.items), Decimal("0"))
    if total > budget:
        yield _warning(
            RuleCode.BUDGET_EXCEEDED,
            _("方案合计 %(total)s 元，超过预算 %(budget)s 元。") % {"total": _money(total), "budget": _money(budget)},
        )


def item_outside_dates(plan: PlanInput) -> Iterator[Finding]:
    """Every arrangement falls within the task's dates."""
    start, end = plan.task.start_date, plan.task.end_date
    for position, item in _numbered(plan):
        day = timezone.localtime(item.starts_at).date()
        if start and end and not start <= day <= end:
            yield _warning(
                RuleCode.ITEM_OUTSIDE_DATES,
                _("%(item)s：不在接待日期 %(start)s 至 %(end)s 之内。")
                % {"item": item_label(position, item), "start": start, "end": end},
            )


RULES: tuple[Rule, ...] = (
    accompany_limit,
    meal_standard,
    banned_item,
    banned_activity,
    suite_not_allowed,
    working_meal_count,
    vehicle_per_guest,
    budget_exceeded,
    item_outside_dates,
)


def check_plan(plan: PlanInput, rules: Sequence[Rule] = RULES) -> Checks:
    """Run every rule; errors and warnings in rule order, then item order."""
    findings = [finding for rule in rules for finding in rule(plan)]
    return Checks(
        errors=[f for f in findings if f.severity == Severity.ERROR],
        warnings=[f for f in findings if f.severity == Severity.WARNING],
    )
