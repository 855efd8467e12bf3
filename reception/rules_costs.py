"""Reported costs judged by the standards the plan was judged by (money checked where it is spent).

A provider's reported cost for an item is held to the same numbers as the planned price: per
person per meal (over the meal's diners on the rosters), per room-night, never above the agreed
price per unit; and no cost line may name a banned item. Pure, like `reception.rules`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from reception.models.plans import ItemKind, MealType
from reception.rule_facts import agreed_price_of, applied_level, item_label, meal_ceiling, money
from reception.rules import Finding, PlanInput, RuleCode, error
from reception.text_match import banned_words_in

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ReportedCost:
    """What a provider reported for one item: the total and its lines' descriptions."""

    total: Decimal
    lines: Sequence[str]


def _per(total: Decimal, units: int) -> Decimal:
    return (total / units).quantize(CENT, rounding=ROUND_HALF_UP)


def _position(plan: PlanInput, item: Any) -> int:
    for position, candidate in enumerate(plan.items, start=1):
        if candidate is item or (item.pk is not None and candidate.pk == item.pk):
            return position
    return 0


def _over_standard(plan: PlanInput, item: Any, cost: ReportedCost, where: str) -> Iterator[Finding]:
    level = applied_level(plan)
    if item.kind == ItemKind.MEAL:
        diners = item.guests_count + item.accompanying_count
        ceiling, meal_type = meal_ceiling(plan, level.level, item)
        if ceiling is not None and diners > 0 and cost.total > ceiling * diners:
            yield error(
                RuleCode.ACTUAL_OVER_STANDARD,
                _(
                    "%(item)s：报送费用 %(total)s 元，%(diners)s 人用餐，"
                    "人均 %(per)s 元，%(level)s，%(meal)s标准 %(ceiling)s 元/人"
                )
                % {
                    "item": where,
                    "total": money(cost.total),
                    "diners": diners,
                    "per": money(_per(cost.total, diners)),
                    "level": level.phrase(),
                    "meal": MealType(meal_type).label,
                    "ceiling": money(ceiling),
                },
                item=item,
                field="unit_price",
                standard=plan.standard,
            )
    if item.kind == ItemKind.LODGING:
        ceiling = plan.standard.lodging_ceiling(level.level)
        if ceiling is not None and cost.total > ceiling * item.quantity:
            yield error(
                RuleCode.ACTUAL_OVER_STANDARD,
                _(
                    "%(item)s：报送费用 %(total)s 元，%(nights)s 间·晚，"
                    "每间每晚 %(per)s 元，%(level)s，住宿标准 %(ceiling)s 元/间·晚"
                )
                % {
                    "item": where,
                    "total": money(cost.total),
                    "nights": item.quantity,
                    "per": money(_per(cost.total, item.quantity)),
                    "level": level.phrase(),
                    "ceiling": money(ceiling),
                },
                item=item,
                field="unit_price",
                standard=plan.standard,
            )
    agreed = agreed_price_of(plan, item)
    if agreed is not None and cost.total > agreed.price * item.quantity:
        yield error(
            RuleCode.ACTUAL_OVER_STANDARD,
            _(
                "%(item)s：报送费用 %(total)s 元，数量 %(quantity)s，单价 %(per)s 元，"
                "高于%(provider)s协议价（%(what)s）%(agreed)s 元/%(unit)s"
            )
            % {
                "item": where,
                "total": money(cost.total),
                "quantity": item.quantity,
                "per": money(_per(cost.total, item.quantity)),
                "provider": agreed.provider_name,
                "what": agreed.item,
                "agreed": money(agreed.price),
                "unit": agreed.unit,
            },
            item=item,
            field="unit_price",
        )


def judge_cost(plan: PlanInput, item: Any, cost: ReportedCost, *, position: int | None = None) -> list[Finding]:
    """The findings of a reported cost of `item` (one of `plan.items`): `actual_over_standard`
    above what the standards or the agreed price allow, `banned_item` for a line naming a
    banned item (each line checked alone, normalised as menus are). `position` (the item's
    place in the whole plan) is counted from `plan.items` when not given."""
    where = item_label(position if position is not None else _position(plan, item), item)
    findings = list(_over_standard(plan, item, cost, where))
    for description in cost.lines:
        words = banned_words_in(description, plan.standard.banned_menu_words)
        if words:
            findings.append(
                error(
                    RuleCode.BANNED_ITEM,
                    _("%(item)s：费用明细“%(line)s”含禁止事项：%(words)s")
                    % {"item": where, "line": description, "words": "、".join(words)},
                    item=item,
                    field="menu",
                    standard=plan.standard,
                )
            )
    return findings
