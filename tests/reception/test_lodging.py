"""The lodging allocation (reception/lodging.py), a pure function: suites never to a grade that may
not have one (every small case, then random large ones), senior guests first, one unit on one
floor when a floor can hold it, room numbers to floors."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reception.lodging import Occupant, Room, allocate, room_floor
from reception.models.common import LEVEL_RANK

GRADES = list(LEVEL_RANK)
GRADE_SETS = [frozenset(c) for n in range(len(GRADES) + 1) for c in itertools.combinations(GRADES, n)]


def guests_of(grades, unit="单位"):
    return [Occupant(n, f"客{n}", grade, unit) for n, grade in enumerate(grades)]


def rooms_of(suites, standards, floor=3):
    rooms = [Room(f"{floor}{n:02d}", "suite", floor) for n in range(suites)]
    return rooms + [Room(f"{floor}{50 + n:02d}", "standard", floor) for n in range(standards)]


def check(guests, rooms, allowed, result):
    """What must hold for every allocation."""
    numbers = [room.number for _guest, room in result.assigned]
    assert len(numbers) == len(set(numbers)), "a room given twice"
    keys = [guest.key for guest, _room in result.assigned] + [guest.key for guest in result.unassigned]
    assert sorted(keys) == sorted(guest.key for guest in guests), "every guest once, assigned or not"
    for guest, room in result.assigned:
        if room.type == "suite":
            assert guest.grade in allowed, f"a suite for {guest.grade} (allowed: {sorted(allowed)})"
    suites = sum(room.type == "suite" for room in rooms)
    standards = len(rooms) - suites
    eligible = sum(guest.grade in allowed for guest in guests)
    suite_takers = min(eligible, suites)
    assert sum(room.type == "suite" for _g, room in result.assigned) == suite_takers
    assert sum(room.type == "standard" for _g, room in result.assigned) == min(standards, len(guests) - suite_takers)
    # senior first: nobody left out outranks a guest given a standard room
    worst_lodged = max((LEVEL_RANK[g.grade] for g, r in result.assigned if r.type == "standard"), default=0)
    assert all(LEVEL_RANK[g.grade] >= worst_lodged for g in result.unassigned)


def test_no_suite_for_a_grade_that_may_not_have_one_in_every_small_case():
    """Every list of up to three guests over the five grades, every set of allowed grades (32),
    and every mix of up to three suites and three standard rooms."""
    cases = 0
    for size in range(4):
        for grades in itertools.product(GRADES, repeat=size):
            guests = guests_of(grades)
            for allowed in GRADE_SETS:
                for suites, standards in itertools.product(range(4), range(4)):
                    rooms = rooms_of(suites, standards)
                    check(guests, rooms, allowed, allocate(guests, rooms, suite_grades=allowed))
                    cases += 1
    assert cases == (1 + 5 + 25 + 125) * 32 * 16


@settings(max_examples=300, deadline=None)
@given(
    grades=st.lists(st.sampled_from(GRADES), max_size=60),
    units=st.lists(st.sampled_from(["省财政厅", "省发改委", "市政府", "县委"]), min_size=60, max_size=60),
    room_types=st.lists(st.sampled_from(["suite", "standard"]), max_size=60),
    floors=st.lists(st.integers(min_value=1, max_value=6), min_size=60, max_size=60),
    allowed=st.sampled_from(GRADE_SETS),
)
def test_random_allocations_keep_every_rule(grades, units, room_types, floors, allowed):
    guests = [Occupant(n, f"客{n}", grade, units[n]) for n, grade in enumerate(grades)]
    rooms = [Room(f"{floors[n]}{n:02d}", kind, floors[n]) for n, kind in enumerate(room_types)]
    check(guests, rooms, allowed, allocate(guests, rooms, suite_grades=allowed))


def test_senior_guests_first_and_suites_only_for_ministers_by_default():
    guests = guests_of(["division", "provincial_ministerial", "bureau", "other", "provincial_ministerial"])
    rooms = rooms_of(suites=1, standards=2)
    result = allocate(guests, rooms, suite_grades={"provincial_ministerial"})
    assert [(g.name, r.number, r.type) for g, r in result.assigned] == [
        ("客1", "300", "suite"),  # the first minister in the list takes the only suite
        ("客4", "350", "standard"),  # the second minister a standard room
        ("客2", "351", "standard"),  # then the bureau-level guest
    ]
    assert [g.name for g in result.unassigned] == ["客0", "客3"]  # division, then other


def test_empty_suites_stay_empty_rather_than_go_to_others():
    guests = guests_of(["bureau", "division"])
    result = allocate(guests, rooms_of(suites=3, standards=0), suite_grades={"provincial_ministerial"})
    assert result.assigned == []
    assert [g.name for g in result.unassigned] == ["客0", "客1"]


def test_each_unit_on_one_floor_when_a_floor_can_hold_it():
    guests = (
        [Occupant(f"a{n}", f"财{n}", "division", "省财政厅") for n in range(4)]
        + [Occupant(f"b{n}", f"发{n}", "bureau", "省发改委") for n in range(3)]
        + [Occupant(f"c{n}", f"市{n}", "section", "市政府") for n in range(2)]
    )
    # floor 5: 3 rooms, floor 6: 4 rooms, floor 7: 2 rooms — exactly one way to keep units together
    rooms = [Room(f"5{n:02d}", "standard", 5) for n in range(1, 4)]
    rooms += [Room(f"6{n:02d}", "standard", 6) for n in range(1, 5)]
    rooms += [Room(f"7{n:02d}", "standard", 7) for n in range(1, 3)]
    result = allocate(guests, rooms, suite_grades=set())
    floors = {}
    for guest, room in result.assigned:
        floors.setdefault(guest.unit, set()).add(room.floor)
    assert floors == {"省财政厅": {6}, "省发改委": {5}, "市政府": {7}}
    # within a floor the more senior guest takes the room listed first; the result is by rank
    assert [(g.name, r.number) for g, r in result.assigned][:3] == [("发0", "501"), ("发1", "502"), ("发2", "503")]


def test_a_unit_too_large_for_any_floor_uses_as_few_floors_as_possible():
    guests = [Occupant(n, f"客{n}", "division", "省财政厅") for n in range(5)]
    rooms = [Room("201", "standard", 2), Room("202", "standard", 2)]
    rooms += [Room(f"3{n:02d}", "standard", 3) for n in range(1, 4)] + [Room("401", "standard", 4)]
    result = allocate(guests, rooms, suite_grades=set())
    assert sorted({room.floor for _g, room in result.assigned}) == [2, 3]


def test_a_suite_for_an_allowed_guest_is_on_the_units_floor_when_possible():
    guests = [Occupant("m", "部长", "provincial_ministerial", "省政府")] + [
        Occupant(n, f"随员{n}", "division", "省政府") for n in range(2)
    ]
    rooms = [Room("801", "suite", 8), Room("901", "suite", 9), Room("902", "standard", 9), Room("903", "standard", 9)]
    result = allocate(guests, rooms, suite_grades={"provincial_ministerial"})
    assert {(g.name, r.number) for g, r in result.assigned} == {("部长", "901"), ("随员0", "902"), ("随员1", "903")}


@pytest.mark.parametrize(
    "number, floor",
    [("1203", 12), ("305", 3), ("A-512", 5), ("08", 1), ("8", 1), ("套房", 1), ("B2-1701", 17), ("1001A", 10)],
)
def test_the_floor_comes_from_the_room_number(number, floor):
    assert room_floor(number) == floor
