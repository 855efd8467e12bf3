"""Lodging allocation as a pure function: which guest gets which room of one hotel. No database.

1. Who gets a room: guests by rank (grade, then list order). Suites go only to guests whose
   grade the standards allow, most senior first; everyone else (and allowed guests left without
   a suite) gets a standard room, most senior first. A guest who may not have a suite never gets
   one, even when suites stand empty; guests beyond the rooms stay unassigned (the least senior).
2. Where: companions from one unit on one floor when a floor can hold them all (largest units
   first, each on the floor that fits it most tightly), otherwise on as few floors as possible.
   Within a floor the more senior guest takes the room listed first.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reception.seating import ranked

SUITE, STANDARD = "suite", "standard"
_DIGITS = re.compile(r"\d+")


def room_floor(number: str) -> int:
    """The floor a room number names: its last run of digits without the last two (1203 → 12,
    A-512 → 5, B2-1701 → 17); a number of one or two digits is on floor 1."""
    runs = _DIGITS.findall(number)
    if not runs or len(runs[-1]) <= 2:
        return 1
    return int(runs[-1][:-2])


@dataclass(frozen=True)
class Room:
    number: str
    type: str  # standard | suite
    floor: int


@dataclass(frozen=True)
class Occupant:
    key: Any
    name: str
    grade: str
    unit: str


@dataclass(frozen=True)
class Allocation:
    assigned: list[tuple[Occupant, Room]]  # most senior first
    unassigned: list[Occupant]  # most senior first


class _FreeRooms:
    """The free rooms of one type, per floor, each floor's in the order they were listed."""

    def __init__(self, rooms: Iterable[Room]) -> None:
        self.floors: dict[int, deque[Room]] = defaultdict(deque)
        for room in rooms:
            self.floors[room.floor].append(room)

    def free(self, floor: int) -> int:
        return len(self.floors.get(floor, ()))

    def take(self, floor: int) -> Room:
        return self.floors[floor].popleft()

    def fullest(self, preferred: set[int]) -> int:
        """The floor with the most free rooms, a floor the unit already uses first."""
        return max(
            (f for f, rooms in self.floors.items() if rooms), key=lambda f: (f in preferred, len(self.floors[f]), -f)
        )


def allocate(guests: Sequence[Occupant], rooms: Sequence[Room], *, suite_grades: Iterable[str]) -> Allocation:
    """Assign `guests` (in list order) to `rooms` (room numbers unique) by the rules above."""
    allowed = frozenset(suite_grades)
    order = ranked(guests)
    suites = [room for room in rooms if room.type == SUITE]
    standards = [room for room in rooms if room.type != SUITE]
    suite_takers = [guest for guest in order if guest.grade in allowed][: len(suites)]
    taking_suite = {id(guest) for guest in suite_takers}
    needing_standard = [guest for guest in order if id(guest) not in taking_suite]
    standard_takers = needing_standard[: len(standards)]
    unassigned = needing_standard[len(standards) :]

    free = {SUITE: _FreeRooms(suites), STANDARD: _FreeRooms(standards)}
    units: dict[str, dict[str, list[Occupant]]] = defaultdict(lambda: {SUITE: [], STANDARD: []})
    for guest in suite_takers:
        units[guest.unit][SUITE].append(guest)
    for guest in standard_takers:
        units[guest.unit][STANDARD].append(guest)
    seniority = {id(guest): position for position, guest in enumerate(order)}

    def unit_order(members: dict[str, list[Occupant]]) -> tuple[int, int]:
        everyone = members[SUITE] + members[STANDARD]
        return -len(everyone), min(seniority[id(guest)] for guest in everyone)

    placed: dict[int, Room] = {}
    for members in sorted(units.values(), key=unit_order):
        need = {kind: len(members[kind]) for kind in (SUITE, STANDARD)}
        fitting = [
            floor
            for floor in set(free[SUITE].floors) | set(free[STANDARD].floors)
            if all(free[kind].free(floor) >= need[kind] for kind in need)
        ]
        if fitting:
            floor = min(fitting, key=lambda f: (free[SUITE].free(f) + free[STANDARD].free(f) - sum(need.values()), f))
            for kind in (SUITE, STANDARD):
                for guest in members[kind]:
                    placed[id(guest)] = free[kind].take(floor)
            continue
        used: set[int] = set()
        for kind in (STANDARD, SUITE):  # the larger group picks its floors first
            for guest in members[kind]:
                room = free[kind].take(free[kind].fullest(used))
                used.add(room.floor)
                placed[id(guest)] = room
    assigned = [(guest, placed[id(guest)]) for guest in order if id(guest) in placed]
    return Allocation(assigned=assigned, unassigned=unassigned)
