"""The regulation's rules (《党政机关国内公务接待管理规定》 and local standards) as small named checks.

Each rule reads a `PlanInput` (the task, its guests and accompanying staff, its items, the
standards in force and the agreed prices of its providers) and yields findings with a stable
code. Errors block submission; warnings are shown, never block. Rules judge facts, not what the
drafter declares: who eats is who is on the rosters, the level is the guests' grade, a meal's
type follows its time, and prices are held to the agreed ones. Every finding names its numbers
and its source, and points at the item and field it concerns.
Rules are pure: no queries, no writes, so they run on every change and in any number of tests.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from provider_portal.prices import EMPTY_BOOK, AgreedPriceBook
from reception.models.common import ReceptionLevel
from reception.models.plans import ItemKind, MealType, Payer, RoomType
from reception.rule_facts import (
    agreed_price_of,
    applied_level,
    highest_grade,
    host_total,
    item_label,
    local,
    meal_ceiling,
    money,
    nights,
    numbered,
    rank,
    rooms_per_night,
    sittings,
)
from reception.rule_sources import SOURCES
from reception.standards import StandardValues
from reception.text_match import banned_words_in


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class RuleCode(StrEnum):
    ACCOMPANY_LIMIT = "accompany_limit"
    MEAL_HEADCOUNT = "meal_headcount"
    MEAL_STANDARD = "meal_standard"
    MEAL_STANDARD_NEAR = "meal_standard_near"
    HOSTED_MEAL_NOT_ALLOWED = "hosted_meal_not_allowed"
    WORKING_MEAL_COUNT = "working_meal_count"
    LEVEL_ABOVE_GUESTS = "level_above_guests"
    SUITE_NOT_ALLOWED = "suite_not_allowed"
    LODGING_STANDARD = "lodging_standard"
    AGREED_PRICE_EXCEEDED = "agreed_price_exceeded"
    BANNED_ITEM = "banned_item"
    BANNED_ACTIVITY = "banned_activity"
    VEHICLE_PER_GUEST = "vehicle_per_guest"
    BUDGET_EXCEEDED = "budget_exceeded"
    ITEM_OUTSIDE_DATES = "item_outside_dates"
    ACTUAL_OVER_STANDARD = "actual_over_standard"


@dataclass(frozen=True)
class Finding:
    """One finding: its code, severity and message (numbers and source named, in the user's
    language), the item it concerns (its id, when saved) and the field to show it beside."""

    code: RuleCode
    severity: Severity
    message: str
    item: int | None = None
    field: str | None = None
    source: str = ""
    #: The finding without where it is and without its source: what the plan page shows under
    #: the item, beside the field's name (the item and the source are shown there already).
    brief: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": str(self.code),
            "message": self.message,
            "item": self.item,
            "field": self.field,
            "source": self.source,
        }


@dataclass(frozen=True)
class PlanInput:
    """What the rules read. `task`, `guests`, `accompanying` and `items` are model instances
    (saved or not); `prices` are the agreed prices of the items' providers."""

    task: Any
    guests: Sequence[Any]
    items: Sequence[Any]
    standard: StandardValues
    accompanying: Sequence[Any] = ()
    prices: AgreedPriceBook = field(default=EMPTY_BOOK)


@dataclass(frozen=True)
class Checks:
    errors: list[Finding]
    warnings: list[Finding]

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {"errors": [f.as_dict() for f in self.errors], "warnings": [f.as_dict() for f in self.warnings]}

    def for_item(self, item_id: int) -> list[Finding]:
        return [f for f in [*self.errors, *self.warnings] if f.item == item_id]


Rule = Callable[[PlanInput], Iterable[Finding]]
#: The location a message about an item starts with: "第2项（午餐 …）：", "05-06 午餐（第1、2项）：",
#: "Item 2 (Lunch …): ".
WHERE = re.compile(r"^.*?[）)]\s*[：:]\s*")


def source_of(code: str, standard: StandardValues | None = None) -> str:
    """The article a rule comes from, and the standards version whose numbers it applied."""
    text = str(SOURCES.get(code, ""))
    if standard is not None:
        version = _("接待标准第 %(v)s 版") % {"v": standard.version} if standard.version else _("系统默认接待标准")
        text = _("%(article)s；%(version)s") % {"article": text, "version": version} if text else version
    return text


def _finding(
    code: RuleCode,
    severity: Severity,
    text: str,
    *,
    item: Any = None,
    field: str | None = None,
    standard: StandardValues | None = None,
) -> Finding:
    source = source_of(code, standard)
    return Finding(
        code,
        severity,
        _("%(finding)s（%(source)s）") % {"finding": text, "source": source} if source else text,
        item=getattr(item, "pk", None) if item is not None else None,
        field=field,
        source=source,
        brief=WHERE.sub("", text, count=1) if item is not None else text,
    )


def error(code: RuleCode, text: str, **kwargs: Any) -> Finding:
    return _finding(code, Severity.ERROR, text, **kwargs)


def warning(code: RuleCode, text: str, **kwargs: Any) -> Finding:
    return _finding(code, Severity.WARNING, text, **kwargs)


# --- The rules ---------------------------------------------------------------------------


def meal_headcount(plan: PlanInput) -> Iterator[Finding]:
    """Diners are who is on the rosters: each meal's covers are its guests plus its accompanying,
    and a meal (however many items it is split into) has no more guests than the task's guest
    list, nor more accompanying than its accompanying staff."""
    for position, item in numbered(plan, ItemKind.MEAL):
        diners = item.guests_count + item.accompanying_count
        if item.quantity != diners:
            yield error(
                RuleCode.MEAL_HEADCOUNT,
                _(
                    "%(item)s：份数应为客人 %(guests)s 人加陪餐 %(accompanying)s 人共 %(diners)s 份，"
                    "现为 %(quantity)s 份"
                )
                % {
                    "item": item_label(position, item),
                    "guests": item.guests_count,
                    "accompanying": item.accompanying_count,
                    "diners": diners,
                    "quantity": item.quantity,
                },
                item=item,
                field="quantity",
            )
    roster_guests, roster_staff = len(plan.guests), len(plan.accompanying)
    for sitting in sittings(plan):
        if sitting.guests > roster_guests:
            yield error(
                RuleCode.MEAL_HEADCOUNT,
                _("%(where)s：来宾名单共 %(roster)s 人，该餐客人合计 %(count)s 人")
                % {
                    "where": sitting.label(),
                    "roster": roster_guests,
                    "count": sitting.guests,
                },
                item=sitting.first,
                field="guests_count",
            )
        if sitting.accompanying > roster_staff:
            yield error(
                RuleCode.MEAL_HEADCOUNT,
                _("%(where)s：陪同人员名单共 %(roster)s 人，该餐陪餐合计 %(count)s 人")
                % {
                    "where": sitting.label(),
                    "roster": roster_staff,
                    "count": sitting.accompanying,
                },
                item=sitting.first,
                field="accompanying_count",
            )


def accompany_limit(plan: PlanInput) -> Iterator[Finding]:
    """陪餐: guests ≤ 10 → at most 3 accompanying; more guests → at most ⌊guests / 3⌋; judged on
    each meal as a whole (a meal split into items is one meal)."""
    for sitting in sittings(plan):
        limit = plan.standard.accompany_limit(sitting.guests)
        if sitting.accompanying > limit:
            yield error(
                RuleCode.ACCOMPANY_LIMIT,
                _("%(where)s：客人 %(guests)s 人，陪餐最多 %(limit)s 人，现为 %(count)s 人")
                % {
                    "where": sitting.label(),
                    "guests": sitting.guests,
                    "limit": limit,
                    "count": sitting.accompanying,
                },
                item=sitting.first,
                field="accompanying_count",
                standard=plan.standard,
            )


def level_above_guests(plan: PlanInput) -> Iterator[Finding]:
    """The task's level may not be above its guests' highest grade (no guests: not judged)."""
    top = highest_grade(plan.guests)
    if top is not None and rank(plan.task.level) < rank(top):
        yield error(
            RuleCode.LEVEL_ABOVE_GUESTS,
            _("接待级别为%(level)s，高于来宾最高级别%(top)s；各项标准按%(top)s执行")
            % {"level": ReceptionLevel(plan.task.level).label, "top": ReceptionLevel(top).label},
            field="level",
        )


def meal_standard(plan: PlanInput) -> Iterator[Finding]:
    """用餐标准: per person over the ceiling (at the applied level, for the stricter of the meal
    type declared and the one its time makes it) is an error; above 90% of it, a warning."""
    level = applied_level(plan)
    for position, item in numbered(plan, ItemKind.MEAL):
        ceiling, meal_type = meal_ceiling(plan, level.level, item)
        if ceiling is None or item.unit_price * 100 <= ceiling * plan.standard.meal_warning_percent:
            continue  # within 90% of the ceiling: nothing to say (the message is built only when needed)
        values = {
            "item": item_label(position, item),
            "level": level.phrase(),
            "meal": MealType(meal_type).label,
            "price": money(item.unit_price),
            "ceiling": money(ceiling),
            "percent": plan.standard.meal_warning_percent,
        }
        if meal_type != (item.meal_type or meal_type):
            values["meal"] = _("%(meal)s（按开始时间计）") % {"meal": values["meal"]}
        if item.unit_price > ceiling:
            yield error(
                RuleCode.MEAL_STANDARD,
                _("%(item)s：%(level)s，%(meal)s标准 %(ceiling)s 元/人，现为 %(price)s 元/人") % values,
                item=item,
                field="unit_price",
                standard=plan.standard,
            )
        elif item.unit_price * 100 > ceiling * plan.standard.meal_warning_percent:
            yield warning(
                RuleCode.MEAL_STANDARD_NEAR,
                _(
                    "%(item)s：%(level)s，%(meal)s标准 %(ceiling)s 元/人，"
                    "现为 %(price)s 元/人，已超过标准的 %(percent)s%%"
                )
                % values,
                item=item,
                field="unit_price",
                standard=plan.standard,
            )


def hosted_meal_not_allowed(plan: PlanInput) -> Iterator[Finding]:
    """Guests eat at their own expense; the host pays only the working meal."""
    for position, item in numbered(plan, ItemKind.MEAL):
        if item.payer == Payer.HOST and not item.working_meal:
            yield error(
                RuleCode.HOSTED_MEAL_NOT_ALLOWED,
                _("%(item)s：来宾应按标准自行用餐，接待单位只可安排工作餐，该餐不是工作餐却由接待单位付费")
                % {"item": item_label(position, item)},
                item=item,
                field="payer",
            )


def working_meal_count(plan: PlanInput) -> Iterator[Finding]:
    """工作餐: at most one per reception (the tenant's number), counted in meals, not items."""
    limit = plan.standard.working_meals_per_reception
    working = [sitting for sitting in sittings(plan) if any(item.working_meal for _p, item in sitting.items)]
    if len(working) > limit:
        yield error(
            RuleCode.WORKING_MEAL_COUNT,
            _("每次接待最多安排 %(limit)s 次工作餐，现为 %(count)s 次：%(meals)s")
            % {"limit": limit, "count": len(working), "meals": "、".join(s.label() for s in working)},
            item=working[limit].first,
            field="working_meal",
            standard=plan.standard,
        )


def suite_not_allowed(plan: PlanInput) -> Iterator[Finding]:
    """住宿: an ordinary suite only for a guest whose grade allows one (省部级), one per such guest
    and night, counted over every lodging item; none when the task's level allows none."""
    allowed = plan.standard.suite_grades
    entitled = sum(1 for guest in plan.guests if guest.grade in allowed)
    if applied_level(plan).level not in allowed:
        entitled = 0
    suites: dict[date, int] = defaultdict(int)
    lodging = [(p, item) for p, item in numbered(plan, ItemKind.LODGING) if item.room_type == RoomType.SUITE]
    for _p, item in lodging:
        for night in nights(item):
            suites[night] += rooms_per_night(item)
    for position, item in lodging:
        over = [night for night in nights(item) if suites[night] > entitled]
        if over:
            yield error(
                RuleCode.SUITE_NOT_ALLOWED,
                _("%(item)s：%(night)s 起 %(count)s 晚，每晚套间 %(suites)s 间，可安排套间的来宾 %(entitled)s 人")
                % {
                    "item": item_label(position, item),
                    "night": over[0].strftime("%m-%d"),
                    "count": len(over),
                    "suites": max(suites[night] for night in over),
                    "entitled": entitled,
                },
                item=item,
                field="room_type",
                standard=plan.standard,
            )


def lodging_standard(plan: PlanInput) -> Iterator[Finding]:
    """住宿标准: a room-night above the ceiling for the applied level (the travel lodging standard)."""
    level = applied_level(plan)
    ceiling = plan.standard.lodging_ceiling(level.level)
    if ceiling is None:
        return
    for position, item in numbered(plan, ItemKind.LODGING):
        if item.unit_price > ceiling:
            yield error(
                RuleCode.LODGING_STANDARD,
                _("%(item)s：%(level)s，住宿标准 %(ceiling)s 元/间·晚，现为 %(price)s 元/间·晚")
                % {
                    "item": item_label(position, item),
                    "level": level.phrase(),
                    "ceiling": money(ceiling),
                    "price": money(item.unit_price),
                },
                item=item,
                field="unit_price",
                standard=plan.standard,
            )


def agreed_price_exceeded(plan: PlanInput) -> Iterator[Finding]:
    """协议价: at a designated provider with an agreed price for the item, no more than that price."""
    for position, item in numbered(plan):
        price = agreed_price_of(plan, item)
        if price is not None and item.unit_price > price.price:
            yield error(
                RuleCode.AGREED_PRICE_EXCEEDED,
                _("%(item)s：%(provider)s协议价（%(what)s）%(agreed)s 元/%(unit)s，现为 %(price)s 元")
                % {
                    "item": item_label(position, item),
                    "provider": price.provider_name,
                    "what": price.item,
                    "agreed": money(price.price),
                    "unit": price.unit,
                    "price": money(item.unit_price),
                },
                item=item,
                field="unit_price",
            )


def banned_item(plan: PlanInput) -> Iterator[Finding]:
    """菜单: no alcohol, cigarettes, luxury dishes or wildlife, however it is written."""
    for position, item in numbered(plan):
        words = plan.standard.banned_menu_words
        found = list(dict.fromkeys([*banned_words_in(item.menu or "", words), *banned_words_in(item.venue, words)]))
        if found:
            yield error(
                RuleCode.BANNED_ITEM,
                _("%(item)s：含禁止事项：%(words)s") % {"item": item_label(position, item), "words": "、".join(found)},
                item=item,
                field="menu",
                standard=plan.standard,
            )


def banned_activity(plan: PlanInput) -> Iterator[Finding]:
    """No sightseeing, entertainment, gifts, banners, red carpets or welcome ceremonies (places'
    and offices' names are not activities)."""
    words = plan.standard.banned_activity_words
    for position, item in numbered(plan):
        in_venue = banned_words_in(item.venue, words)
        found = list(dict.fromkeys([*in_venue, *banned_words_in(item.menu or "", words)]))
        if found:
            yield error(
                RuleCode.BANNED_ACTIVITY,
                _("%(item)s：不得安排：%(words)s") % {"item": item_label(position, item), "words": "、".join(found)},
                item=item,
                field="venue" if in_venue else "menu",
                standard=plan.standard,
            )


def vehicle_per_guest(plan: PlanInput) -> Iterator[Finding]:
    """用车: guests ride together; a car per guest is a warning."""
    for position, item in numbered(plan, ItemKind.VEHICLE):
        if item.guests_count >= 2 and item.quantity >= item.guests_count:
            yield warning(
                RuleCode.VEHICLE_PER_GUEST,
                _("%(item)s：%(guests)s 位客人安排 %(cars)s 辆车，应集中乘车")
                % {"item": item_label(position, item), "guests": item.guests_count, "cars": item.quantity},
                item=item,
                field="quantity",
            )


def budget_exceeded(plan: PlanInput) -> Iterator[Finding]:
    """预算: the plan's host-paid total above the task's budget."""
    budget = plan.task.budget
    if budget is None:
        return
    total = host_total(plan.items)
    if total > budget:
        yield warning(
            RuleCode.BUDGET_EXCEEDED,
            _("方案中接待单位付费合计 %(total)s 元，超过预算 %(budget)s 元")
            % {"total": money(total), "budget": money(budget)},
            field="budget",
        )


def item_outside_dates(plan: PlanInput) -> Iterator[Finding]:
    """Every arrangement falls within the task's dates."""
    start, end = plan.task.start_date, plan.task.end_date
    for position, item in numbered(plan):
        day = local(item.starts_at).date()
        if start and end and not start <= day <= end:
            yield warning(
                RuleCode.ITEM_OUTSIDE_DATES,
                _("%(item)s：不在接待日期 %(start)s 至 %(end)s 之内")
                % {"item": item_label(position, item), "start": start, "end": end},
                item=item,
                field="starts_at",
            )


RULES: tuple[Rule, ...] = (
    meal_headcount,
    accompany_limit,
    level_above_guests,
    meal_standard,
    hosted_meal_not_allowed,
    working_meal_count,
    banned_item,
    banned_activity,
    suite_not_allowed,
    lodging_standard,
    agreed_price_exceeded,
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
