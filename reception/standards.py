"""The numbers the rules check against, as plain values, and the defaults from the regulation.

`StandardValues` is what `reception.rules` reads; it is built from a stored `Standard` version
(or, for a jurisdiction that has none yet, from `DEFAULT_STANDARD`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reception.models.common import MealType, ReceptionLevel

_L = ReceptionLevel
_M = MealType

#: Default meal ceilings, yuan per person per meal (DOMAIN.md: breakfast 20–50, lunch and dinner
#: 50–110 depending on the guests' rank). Each tenant may change them.
DEFAULT_MEAL_CEILINGS: dict[tuple[str, str], Decimal] = {
    (_L.PROVINCIAL_MINISTERIAL, _M.BREAKFAST): Decimal("50.00"),
    (_L.PROVINCIAL_MINISTERIAL, _M.LUNCH): Decimal("110.00"),
    (_L.PROVINCIAL_MINISTERIAL, _M.DINNER): Decimal("110.00"),
    (_L.BUREAU, _M.BREAKFAST): Decimal("40.00"),
    (_L.BUREAU, _M.LUNCH): Decimal("90.00"),
    (_L.BUREAU, _M.DINNER): Decimal("90.00"),
    (_L.DIVISION, _M.BREAKFAST): Decimal("30.00"),
    (_L.DIVISION, _M.LUNCH): Decimal("70.00"),
    (_L.DIVISION, _M.DINNER): Decimal("70.00"),
    (_L.SECTION, _M.BREAKFAST): Decimal("25.00"),
    (_L.SECTION, _M.LUNCH): Decimal("60.00"),
    (_L.SECTION, _M.DINNER): Decimal("60.00"),
    (_L.OTHER, _M.BREAKFAST): Decimal("20.00"),
    (_L.OTHER, _M.LUNCH): Decimal("50.00"),
    (_L.OTHER, _M.DINNER): Decimal("50.00"),
}
#: Shark fin, bird's nest, protected wildlife, cigarettes, premium liquor (DOMAIN.md "Menus").
DEFAULT_BANNED_MENU_WORDS = (
    "鱼翅",
    "燕窝",
    "野生动物",
    "野味",
    "穿山甲",
    "香烟",
    "卷烟",
    "高档酒",
    "茅台",
    "五粮液",
)
#: Sightseeing, entertainment, gifts, banners, red carpets, welcome ceremonies (DOMAIN.md "No …").
DEFAULT_BANNED_ACTIVITY_WORDS = (
    "旅游",
    "景区",
    "游览",
    "观光",
    "娱乐",
    "KTV",
    "歌厅",
    "洗浴",
    "高尔夫",
    "礼品",
    "纪念品",
    "土特产",
    "购物卡",
    "有价证券",
    "现金",
    "横幅",
    "红地毯",
    "欢迎仪式",
)


@dataclass(frozen=True)
class StandardValues:
    meal_ceilings: dict[tuple[str, str], Decimal]
    accompany_small_group_size: int = 10
    accompany_small_group_limit: int = 3
    accompany_ratio: int = 3
    working_meals_per_reception: int = 1
    meal_warning_percent: int = 90
    suite_grades: frozenset[str] = frozenset({_L.PROVINCIAL_MINISTERIAL})
    banned_menu_words: tuple[str, ...] = DEFAULT_BANNED_MENU_WORDS
    banned_activity_words: tuple[str, ...] = DEFAULT_BANNED_ACTIVITY_WORDS
    version: int | None = None  # None: the built-in defaults, not a stored version
    effective_from: Any = None

    def accompany_limit(self, guests: int) -> int:
        """Guests ≤ 10: at most 3 accompanying; more guests: at most ⌊guests / 3⌋ (defaults)."""
        if guests <= self.accompany_small_group_size:
            return self.accompany_small_group_limit
        return guests // self.accompany_ratio

    def meal_ceiling(self, level: str, meal_type: str) -> Decimal | None:
        return self.meal_ceilings.get((level, meal_type))


DEFAULT_STANDARD = StandardValues(meal_ceilings=dict(DEFAULT_MEAL_CEILINGS))

#: The scalar settings of a standard, as stored on the model and accepted by the API.
SCALAR_FIELDS = (
    "accompany_small_group_size",
    "accompany_small_group_limit",
    "accompany_ratio",
    "working_meals_per_reception",
    "meal_warning_percent",
)
LIST_FIELDS = ("suite_grades", "banned_menu_words", "banned_activity_words")
