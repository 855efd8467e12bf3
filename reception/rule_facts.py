"""Facts the rules share, read from a plan: the level the standards apply at, meals as sittings
(by day and by the clock), a meal's ceiling, a lodging item's nights, the agreed price binding an
item, the host's total. Pure, like `reception.rules`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from reception.models.common import LEVEL_RANK, ReceptionLevel
from reception.models.plans import ItemKind, MealType, Payer

PlanInput = Any  # reception.rules.PlanInput (which imports this module)


@lru_cache(maxsize=8192)  # read many times per item
def local(moment: datetime) -> datetime:
    """`moment` in the platform's time zone (Asia/Shanghai): a meal's day and clock are the
    jurisdiction's, whoever reads the findings."""
    return moment.astimezone(timezone.get_default_timezone())


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def meal_type_at(starts_at: Any) -> str:
    """A meal's type by its local time: before 10:00 breakfast, before 16:00 lunch, else dinner."""
    hour = local(starts_at).hour
    if hour < 10:
        return MealType.BREAKFAST
    return MealType.LUNCH if hour < 16 else MealType.DINNER


def rank(level: str) -> int:
    return LEVEL_RANK.get(level, len(LEVEL_RANK) + 1)


def highest_grade(guests: Sequence[Any]) -> str | None:
    """The most senior grade among the guests (None without guests)."""
    if not guests:
        return None
    return min((guest.grade for guest in guests), key=rank)


@dataclass(frozen=True)
class Level:
    """The level the standards apply at: the lower of the task's and its guests' highest grade."""

    level: str
    from_guests: bool

    def phrase(self) -> str:
        label = ReceptionLevel(self.level).label if self.level in ReceptionLevel.values else self.level
        if self.from_guests:
            return _("来宾最高级别为%(level)s") % {"level": label}
        return _("接待级别为%(level)s") % {"level": label}


def applied_level(plan: PlanInput) -> Level:
    top = highest_grade(plan.guests)
    if top is not None and rank(top) >= rank(plan.task.level):
        return Level(top, True)
    return Level(plan.task.level, False)


def item_label(position: int, item: Any) -> str:
    """ "第2项（午餐 05-06 12:00 徽园餐厅）": how findings point at an item."""
    when = local(item.starts_at).strftime("%m-%d %H:%M") if item.starts_at else ""
    what = MealType(item.meal_type).label if item.meal_type else ItemKind(item.kind).label
    return _("第%(n)s项（%(what)s %(when)s %(venue)s）") % {
        "n": position,
        "what": what,
        "when": when,
        "venue": item.venue,
    }


def numbered(plan: PlanInput, kind: str | None = None) -> Iterator[tuple[int, Any]]:
    for position, item in enumerate(plan.items, start=1):
        if kind is None or item.kind == kind:
            yield position, item


@dataclass
class Sitting:
    """One meal of one day (its date and its type by the clock), however many items it is split into."""

    day: date
    meal_type: str
    items: list[tuple[int, Any]]

    @property
    def guests(self) -> int:
        return sum(item.guests_count for _p, item in self.items)

    @property
    def accompanying(self) -> int:
        return sum(item.accompanying_count for _p, item in self.items)

    @property
    def first(self) -> Any:
        return self.items[0][1]

    def label(self) -> str:
        if len(self.items) == 1:
            position, item = self.items[0]
            return item_label(position, item)
        return _("%(day)s%(meal)s（第%(positions)s项）") % {
            "day": self.day.strftime("%m-%d "),
            "meal": MealType(self.meal_type).label,
            "positions": "、".join(str(p) for p, _i in self.items),
        }


def sittings(plan: PlanInput) -> list[Sitting]:
    """The plan's meals grouped by day and by the meal their time makes them: a dinner split into
    two items, or relabelled as another meal, is still one dinner."""
    grouped: dict[tuple[date, str], list[tuple[int, Any]]] = defaultdict(list)
    for position, item in numbered(plan, ItemKind.MEAL):
        grouped[(local(item.starts_at).date(), meal_type_at(item.starts_at))].append((position, item))
    return [Sitting(day, meal_type, items) for (day, meal_type), items in sorted(grouped.items())]


def meal_ceiling(plan: PlanInput, level: str, item: Any) -> tuple[Decimal | None, str]:
    """The ceiling for a meal item and the meal type it was taken for: the stricter of the type
    declared and the type its time makes it (a breakfast relabelled as lunch keeps breakfast's)."""
    declared = item.meal_type or meal_type_at(item.starts_at)
    by_clock = meal_type_at(item.starts_at)
    options = [
        (ceiling, meal_type)
        for meal_type in dict.fromkeys((declared, by_clock))
        if (ceiling := plan.standard.meal_ceiling(level, meal_type)) is not None
    ]
    if not options:
        return None, declared
    return min(options, key=lambda option: option[0])


def nights(item: Any) -> list[date]:
    """The nights a lodging item covers: from its start's date to the day before its end's
    (one night when it has no end, or ends the same day)."""
    first = local(item.starts_at).date()
    last = local(item.ends_at).date() if item.ends_at else first
    count = max((last - first).days, 1)
    return [first + timedelta(days=n) for n in range(count)]


def rooms_per_night(item: Any) -> int:
    """Rooms a night (`quantity` counts room-nights)."""
    count = len(nights(item))
    return -(-item.quantity // count)


def host_total(items: Iterable[Any]) -> Decimal:
    """The host-paid amount of `items` (what the reception budget pays)."""
    return sum((item.unit_price * item.quantity for item in items if item.payer == Payer.HOST), Decimal("0"))


def agreed_price_of(plan: PlanInput, item: Any) -> Any:
    provider_id = getattr(item, "provider_id", None)
    if provider_id is None or not plan.prices:
        return None
    return plan.prices.price_for(
        provider_id=provider_id,
        kind=item.kind,
        room_type=item.room_type,
        meal_type=item.meal_type or (meal_type_at(item.starts_at) if item.kind == ItemKind.MEAL else ""),
        day=local(item.starts_at).date(),
    )
