"""Seating charts (座次) as pure functions: who sits where, from a ranked guest list. No database.

Conventions (docs/domain.md "Seating conventions"):
- Rank: by grade (省部级 first), ties keep the order of the guest list.
- Podium / head table, N seats numbered 0..N−1 from the audience's left, the principal's left
  senior (`side="left"`, domestic practice):
    N odd:  c = (N−1)/2; rank 1 → c; even k → c + k/2; odd k ≥ 3 → c − (k−1)/2   (7: 7 5 3 1 2 4 6)
    N even: rank 1 → N/2 − 1; rank 2 → N/2; odd k ≥ 3 → N/2 − 1 − (k−1)/2;
            even k ≥ 4 → N/2 + (k−2)/2                                            (6: 5 3 1 2 4 6)
  `side="right"` (a mirroring locality, or international practice) mirrors it: index → N−1−index.
  Front rows outrank back rows: ranks fill rows of `row_size` seats, front row first.
- Round banquet table of S seats numbered 0..S−1 from the chief host (主陪, facing the door),
  increasing towards his right; the deputy host (副主陪) opposite at S//2. Guest 1 on the chief
  host's right (1), guest 2 on his left (S−1), guest 3 on the deputy's right (S//2 + 1), guest 4
  on the deputy's left (S//2 − 1); the others nearer the head seat first, right before left.
  Tables take S − 2 guests each, in rank order; table 1 is the main table and the others are
  numbered by distance from it (at equal distance the front row, then the senior side `side`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from reception.models.common import LEVEL_RANK

LEFT, RIGHT = "left", "right"
CHIEF_HOST, DEPUTY_HOST = "chief_host", "deputy_host"
DEFAULT_ROW_SIZE = 20
DEFAULT_TABLE_SIZE = 10
MIN_TABLE_SIZE, MAX_TABLE_SIZE = 4, 20
MAX_ROW_SIZE = 100


@dataclass(frozen=True)
class Person:
    """Someone to seat: `key` identifies them to the caller (a guest id), `grade` ranks them."""

    name: str
    grade: str
    key: Any = None


@dataclass(frozen=True)
class Seat:
    """`group`: the row of a podium (1 = front) or the table of a banquet (1 = main table)."""

    group: int
    index: int
    rank: int
    name: str
    key: Any = None


@dataclass(frozen=True)
class HostSeat:
    group: int
    index: int
    role: str
    name: str


@dataclass(frozen=True)
class Table:
    """A banquet table's place in the hall: `x` to the audience's right, `y` away from the front."""

    number: int
    x: int
    y: int


@dataclass(frozen=True)
class Chart:
    seats: list[Seat]
    hosts: list[HostSeat]
    tables: list[Table]


class Graded(Protocol):
    @property
    def grade(self) -> str: ...


G = TypeVar("G", bound=Graded)


def ranked(people: Iterable[G]) -> list[G]:
    """Most senior grade first; equal grades keep the list order (a stable sort)."""
    last = len(LEVEL_RANK) + 1
    return sorted(people, key=lambda person: LEVEL_RANK.get(person.grade, last))


def podium_index(rank: int, seats: int, side: str = LEFT) -> int:
    """The seat (0 = the audience's left) of `rank` (1 = most senior) in a row of `seats`."""
    if not 1 <= rank <= seats:
        raise ValueError(f"rank {rank} outside 1..{seats}")
    if seats % 2:
        centre = (seats - 1) // 2
        if rank == 1:
            index = centre
        elif rank % 2 == 0:
            index = centre + rank // 2
        else:
            index = centre - (rank - 1) // 2
    else:
        half = seats // 2
        if rank == 1:
            index = half - 1
        elif rank == 2:
            index = half
        elif rank % 2:
            index = half - 1 - (rank - 1) // 2
        else:
            index = half + (rank - 2) // 2
    return seats - 1 - index if side == RIGHT else index


def podium_reading(seats: int, side: str = LEFT) -> list[int]:
    """The ranks as the audience reads them from its left: 7 → [7, 5, 3, 1, 2, 4, 6]."""
    row = [0] * seats
    for rank in range(1, seats + 1):
        row[podium_index(rank, seats, side)] = rank
    return row


def podium(people: Sequence[Person], *, side: str = LEFT, row_size: int = DEFAULT_ROW_SIZE) -> Chart:
    """A podium or head table: front rows first, each row by the formula."""
    if not 1 <= row_size <= MAX_ROW_SIZE:
        raise ValueError(f"row size {row_size} outside 1..{MAX_ROW_SIZE}")
    order = ranked(people)
    seats = []
    for start in range(0, len(order), row_size):
        row = order[start : start + row_size]
        for offset, person in enumerate(row):
            index = podium_index(offset + 1, len(row), side)
            seats.append(Seat(start // row_size + 1, index, start + offset + 1, person.name, person.key))
    seats.sort(key=lambda seat: (seat.group, seat.index))
    return Chart(seats=seats, hosts=[], tables=[])


def banquet_positions(table_size: int) -> list[int]:
    """The seats of guests 1, 2, … at one table (0 is the chief host, table_size // 2 the deputy)."""
    if not MIN_TABLE_SIZE <= table_size <= MAX_TABLE_SIZE:
        raise ValueError(f"table size {table_size} outside {MIN_TABLE_SIZE}..{MAX_TABLE_SIZE}")
    deputy = table_size // 2
    fixed = [1, table_size - 1, deputy + 1, deputy - 1]
    order: list[int] = []
    for position in fixed:
        if position not in order and position not in (0, deputy):
            order.append(position)

    def nearness(position: int) -> tuple[int, int]:
        # Nearer the head seat first; at equal distance the chief host's right (1..deputy−1) first.
        return min(position, table_size - position), 0 if position < deputy else 1

    rest = sorted((p for p in range(1, table_size) if p != deputy and p not in order), key=nearness)
    return order + rest


def table_places(count: int, side: str = LEFT) -> list[Table]:
    """Tables by distance from the main table (0, 0) at the front; at equal distance the front row
    first, then the senior side. The principal's left is the audience's right (x > 0)."""
    reach = math.isqrt(max(count, 1)) + 1
    senior = 1 if side == LEFT else -1

    def order(place: tuple[int, int]) -> tuple[int, int, int, int]:
        x, y = place
        return x * x + y * y, y, 0 if x * senior >= 0 else 1, abs(x)

    places = sorted(((x, y) for x in range(-reach, reach + 1) for y in range(reach + 1)), key=order)
    return [Table(number, x, y) for number, (x, y) in enumerate(places[:count], start=1)]


def banquet(
    people: Sequence[Person],
    hosts: Sequence[str] = (),
    *,
    side: str = LEFT,
    table_size: int = DEFAULT_TABLE_SIZE,
) -> Chart:
    """Round tables: each with a chief and a deputy host (from `hosts`, two per table, in order)
    and `table_size − 2` guests by rank."""
    positions = banquet_positions(table_size)
    per_table = len(positions)
    order = ranked(people)
    tables = table_places(max(1, math.ceil(len(order) / per_table)), side)
    seats = [
        Seat(rank // per_table + 1, positions[rank % per_table], rank + 1, person.name, person.key)
        for rank, person in enumerate(order)
    ]
    host_seats = []
    for table in tables:
        for offset, (role, index) in enumerate(((CHIEF_HOST, 0), (DEPUTY_HOST, table_size // 2))):
            slot = 2 * (table.number - 1) + offset
            host_seats.append(HostSeat(table.number, index, role, hosts[slot] if slot < len(hosts) else ""))
    seats.sort(key=lambda seat: (seat.group, seat.index))
    return Chart(seats=seats, hosts=host_seats, tables=tables)
