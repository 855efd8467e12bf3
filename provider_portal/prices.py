"""Agreed prices (协议价) as plain values: which price binds an item of a plan or a reported cost.

A price names what it prices: the kind (the plan item's kind), for lodging a room type, for meals
a meal type, empty for 'any'; and the dates it is in force (both included, either open). For an
item the most specific prices in force on the item's day apply (a meal type's before 'any
meal'); where several equally specific ones are (a fleet's 轿车 and 中巴车: an item does not say
which it is), the highest binds, so that no item is refused for a variant it may not be.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

#: What a provider of each kind prices when a price does not say.
KIND_OF_PROVIDER = {"hotel": "lodging", "restaurant": "meal", "fleet": "vehicle", "venue": "meeting"}
_ROOM_WORDS = (("套", "suite"), ("标准", "standard"), ("标间", "standard"))
_MEAL_WORDS = (("早", "breakfast"), ("午", "lunch"), ("中餐", "lunch"), ("晚", "dinner"))


def variant_from_item(kind: str, item: str) -> tuple[str, str]:
    """(room_type, meal_type) read from an item's wording when a price does not name them:
    标准间 → a standard room, 普通套间 → a suite, 早餐 → breakfast; anything else → any."""
    words = _ROOM_WORDS if kind == "lodging" else _MEAL_WORDS if kind == "meal" else ()
    for word, value in words:
        if word in item:
            return (value, "") if kind == "lodging" else ("", value)
    return "", ""


@dataclass(frozen=True)
class PriceRow:
    provider_id: int
    provider_name: str
    kind: str
    room_type: str
    meal_type: str
    price: Decimal
    item: str
    unit: str
    effective_from: date | None = None
    effective_until: date | None = None

    def in_force(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_until is None or day <= self.effective_until
        )

    def fits(self, room_type: str, meal_type: str) -> bool:
        return self.room_type in ("", room_type) and self.meal_type in ("", meal_type)

    @property
    def specificity(self) -> int:
        return int(bool(self.room_type)) + int(bool(self.meal_type))


class AgreedPriceBook:
    """A jurisdiction's agreed prices of some providers, loaded once, to look up many items."""

    def __init__(self, rows: Iterable[PriceRow] = ()) -> None:
        self._rows: dict[tuple[int, str], list[PriceRow]] = defaultdict(list)
        for row in rows:
            self._rows[(row.provider_id, row.kind)].append(row)

    def __bool__(self) -> bool:
        return bool(self._rows)

    def price_for(
        self, *, provider_id: int | None, kind: str, room_type: str, meal_type: str, day: date
    ) -> PriceRow | None:
        """The price that binds an item of this provider, kind and variant on `day` (None: none)."""
        if provider_id is None:
            return None
        fitting = [
            row
            for row in self._rows.get((provider_id, kind), ())
            if row.fits(room_type or "", meal_type or "") and row.in_force(day)
        ]
        if not fitting:
            return None
        return max(fitting, key=lambda row: (row.specificity, row.price))


EMPTY_BOOK = AgreedPriceBook()
