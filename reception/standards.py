"""The numbers the rules check against, as plain values, and the defaults from the regulation.

`StandardValues` is what `reception.rules` reads; it is built from a stored `Standard` version
(or, for a jurisdiction that has none yet, from `DEFAULT_STANDARD`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
#: Default lodging ceilings, yuan per room-night, by the guests' grade (DOMAIN.md "Lodging": the
#: travel lodging standards, for 合肥 800 for ministerial level, 480 for bureau level, 350 for
#: others). Each tenant may change them.
DEFAULT_LODGING_CEILINGS: dict[str, Decimal] = {
    _L.PROVINCIAL_MINISTERIAL: Decimal("800.00"),
    _L.BUREAU: Decimal("480.00"),
    _L.DIVISION: Decimal("350.00"),
    _L.SECTION: Decimal("350.00"),
    _L.OTHER: Decimal("350.00"),
}
#: Banned items of menus and cost lines (DOMAIN.md "Menus"; 第十条: no shark fin, bird's nest,
#: protected wildlife, cigarettes or premium liquor; many localities ban all alcohol): every kind of
#: alcohol and its best-known brands, cigarettes and their brands, luxury dishes, wildlife.
DEFAULT_BANNED_MENU_WORDS = (
    # alcohol, by kind
    "白酒",
    "啤酒",
    "葡萄酒",
    "红酒",
    "干红",
    "干白",
    "黄酒",
    "米酒",
    "果酒",
    "清酒",
    "烧酒",
    "洋酒",
    "香槟",
    "白兰地",
    "威士忌",
    "伏特加",
    "朗姆酒",
    "龙舌兰",
    "鸡尾酒",
    "高档酒",
    "酒水",
    "二锅头",
    "花雕",
    "女儿红",
    # alcohol, by brand
    "茅台",
    "五粮液",
    "剑南春",
    "泸州老窖",
    "国窖",
    "汾酒",
    "郎酒",
    "洋河",
    "西凤",
    "古井贡",
    "口子窖",
    "迎驾贡",
    "酒鬼酒",
    "水井坊",
    "拉菲",
    "轩尼诗",
    "人头马",
    # cigarettes, by kind and brand
    "香烟",
    "卷烟",
    "雪茄",
    "烟酒",
    "中华",
    "黄鹤楼",
    "芙蓉王",
    "玉溪",
    "黄山烟",
    "利群",
    "南京烟",
    "苏烟",
    # luxury dishes and wildlife
    "鱼翅",
    "燕窝",
    "鲍鱼",
    "海参",
    "熊掌",
    "鱼肚",
    "花胶",
    "松茸",
    "帝王蟹",
    "野生动物",
    "野味",
    "穿山甲",
    "果子狸",
    "中华鲟",
)
#: Banned activities (DOMAIN.md "No …"; 第八条): sightseeing and outings, entertainment and
#: leisure venues, gifts of any kind, banners, red carpets, welcome and send-off ceremonies.
#: Activity words only: a place's or an office's name (黄山风景区管委会, 旅游局) is not matched.
DEFAULT_BANNED_ACTIVITY_WORDS = (
    "旅游",
    "游览",
    "观光",
    "游玩",
    "景区",
    "景点",
    "娱乐",
    "KTV",
    "卡拉OK",
    "歌厅",
    "舞厅",
    "夜总会",
    "洗浴",
    "足浴",
    "桑拿",
    "按摩",
    "高尔夫",
    "棋牌",
    "麻将",
    "文艺演出",
    "礼品",
    "礼金",
    "红包",
    "纪念品",
    "土特产",
    "购物卡",
    "消费卡",
    "有价证券",
    "现金",
    "横幅",
    "标语",
    "红地毯",
    "迎宾地毯",
    "欢迎仪式",
    "列队迎送",
    "群众迎送",
    "机场迎送",
    "车站迎送",
    "跨地区迎送",
)


@dataclass(frozen=True)
class StandardValues:
    meal_ceilings: dict[tuple[str, str], Decimal]
    lodging_ceilings: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_LODGING_CEILINGS))
    accompany_small_group_size: int = 10
    accompany_small_group_limit: int = 3
    accompany_ratio: int = 3
    working_meals_per_reception: int = 1
    meal_warning_percent: int = 90
    #: Early warning: the year's host-paid spending at this share of the annual budget.
    annual_budget_warning_percent: int = 80
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

    def lodging_ceiling(self, level: str) -> Decimal | None:
        return self.lodging_ceilings.get(level)


DEFAULT_STANDARD = StandardValues(meal_ceilings=dict(DEFAULT_MEAL_CEILINGS))

#: The scalar settings of a standard, as stored on the model and accepted by the API.
SCALAR_FIELDS = (
    "accompany_small_group_size",
    "accompany_small_group_limit",
    "accompany_ratio",
    "working_meals_per_reception",
    "meal_warning_percent",
    "annual_budget_warning_percent",
)
LIST_FIELDS = ("suite_grades", "banned_menu_words", "banned_activity_words")
#: Scalars where the smaller number is the stricter rule (fewer accompanying, fewer working
#: meals, an earlier warning); the accompanying ratio is stricter when larger (guests per diner).
STRICTER_WHEN_SMALLER = frozenset(
    {
        "accompany_small_group_size",
        "accompany_small_group_limit",
        "working_meals_per_reception",
        "meal_warning_percent",
        "annual_budget_warning_percent",
    }
)


def standard_wire(values: StandardValues) -> dict[str, Any]:
    """A standard as JSON-safe data (what a `standard` directive carries, what a superior's
    adopted standard is kept as)."""
    return {
        "version": values.version,
        "meal_ceilings": [
            {"level": level, "meal_type": meal_type, "amount": str(amount)}
            for (level, meal_type), amount in sorted(values.meal_ceilings.items())
        ],
        "lodging_ceilings": [
            {"level": level, "amount": str(amount)} for level, amount in sorted(values.lodging_ceilings.items())
        ],
        **{name: getattr(values, name) for name in SCALAR_FIELDS},
        "suite_grades": sorted(values.suite_grades),
        "banned_menu_words": list(values.banned_menu_words),
        "banned_activity_words": list(values.banned_activity_words),
    }


def stricter_standard(own: StandardValues, superior: dict[str, Any]) -> tuple[StandardValues, list[str]]:
    """Per value, the stricter of `own` and a superior's (`standard_wire` data; what it lacks
    leaves `own` as it is), and the names of what the superior's made stricter.

    Ceilings: the smaller; scalars: see `STRICTER_WHEN_SMALLER`; suites: only grades both allow;
    banned words: both lists (the superior's appended)."""
    tightened: list[str] = []
    meals = dict(own.meal_ceilings)
    for row in superior.get("meal_ceilings", []):
        key, amount = (row["level"], row["meal_type"]), Decimal(row["amount"])
        if key not in meals or amount < meals[key]:
            meals[key] = amount
            tightened.append(f"meal_ceiling:{key[0]}:{key[1]}")
    lodging = dict(own.lodging_ceilings)
    for row in superior.get("lodging_ceilings", []):
        level, amount = row["level"], Decimal(row["amount"])
        if level not in lodging or amount < lodging[level]:
            lodging[level] = amount
            tightened.append(f"lodging_ceiling:{level}")
    scalars = {}
    for name in SCALAR_FIELDS:
        mine, theirs = getattr(own, name), superior.get(name, getattr(own, name))
        stricter = min(mine, theirs) if name in STRICTER_WHEN_SMALLER else max(mine, theirs)
        if stricter != mine:
            tightened.append(name)
        scalars[name] = stricter
    suites = own.suite_grades & frozenset(superior.get("suite_grades", own.suite_grades))
    if suites != own.suite_grades:
        tightened.append("suite_grades")
    lists: dict[str, tuple[str, ...]] = {}
    for name in ("banned_menu_words", "banned_activity_words"):
        mine_words = tuple(getattr(own, name))
        added = tuple(w for w in superior.get(name, []) if w not in mine_words)
        if added:
            tightened.append(name)
        lists[name] = mine_words + added
    values = StandardValues(
        meal_ceilings=meals,
        lodging_ceilings=lodging,
        suite_grades=suites,
        banned_menu_words=lists["banned_menu_words"],
        banned_activity_words=lists["banned_activity_words"],
        version=own.version,
        effective_from=own.effective_from,
        **scalars,
    )
    return values, tightened
