"""The seating algorithm (reception/seating.py), a pure function: the podium formula for every row
of 1–12 seats, mirrored sides, rows, ranking ties, and the banquet convention."""

from __future__ import annotations

import itertools

import pytest

from reception import seating
from reception.seating import Person


def formula(rank: int, seats: int) -> int:
    """docs/domain.md, written out again independently of the implementation."""
    if seats % 2 == 1:
        c = (seats - 1) // 2
        if rank == 1:
            return c
        return c + rank // 2 if rank % 2 == 0 else c - (rank - 1) // 2
    if rank == 1:
        return seats // 2 - 1
    if rank == 2:
        return seats // 2
    return seats // 2 - 1 - (rank - 1) // 2 if rank % 2 == 1 else seats // 2 + (rank - 2) // 2


@pytest.mark.parametrize("seats", range(1, 13))
def test_every_rank_of_every_row_of_1_to_12_seats_follows_the_formula(seats):
    for rank in range(1, seats + 1):
        assert seating.podium_index(rank, seats) == formula(rank, seats), (rank, seats)
    # every seat taken exactly once
    assert sorted(seating.podium_index(rank, seats) for rank in range(1, seats + 1)) == list(range(seats))


@pytest.mark.parametrize("seats", range(1, 13))
def test_the_mirrored_side_reverses_the_row(seats):
    assert seating.podium_reading(seats, "right") == seating.podium_reading(seats, "left")[::-1]
    for rank in range(1, seats + 1):
        assert seating.podium_index(rank, seats, "right") == seats - 1 - formula(rank, seats)


def test_the_readings_domain_md_gives():
    assert seating.podium_reading(7) == [7, 5, 3, 1, 2, 4, 6]
    assert seating.podium_reading(6) == [5, 3, 1, 2, 4, 6]
    assert seating.podium_reading(1) == [1]
    assert seating.podium_reading(2) == [1, 2]
    assert seating.podium_reading(3) == [3, 1, 2]
    assert seating.podium_reading(12) == [11, 9, 7, 5, 3, 1, 2, 4, 6, 8, 10, 12]
    assert seating.podium_reading(7, "right") == [6, 4, 2, 1, 3, 5, 7]


@pytest.mark.parametrize("rank, seats", [(0, 3), (4, 3), (1, 0)])
def test_a_rank_outside_the_row_is_an_error(rank, seats):
    with pytest.raises(ValueError):
        seating.podium_index(rank, seats)


GRADES = ["other", "section", "division", "bureau", "provincial_ministerial"]


def test_rank_by_grade_then_list_order():
    people = [
        Person("甲", "division"),
        Person("乙", "bureau"),
        Person("丙", "division"),
        Person("丁", "provincial_ministerial"),
        Person("戊", "bureau"),
        Person("己", "other"),
        Person("庚", "section"),
    ]
    assert [p.name for p in seating.ranked(people)] == ["丁", "乙", "戊", "甲", "丙", "庚", "己"]


def test_a_podium_of_seven_reads_7_5_3_1_2_4_6_by_rank():
    people = [Person(f"客{n}", "division", n) for n in range(1, 8)]  # equal grades: list order is the rank
    chart = seating.podium(people)
    assert [(seat.index, seat.rank, seat.name, seat.key) for seat in chart.seats] == [
        (0, 7, "客7", 7),
        (1, 5, "客5", 5),
        (2, 3, "客3", 3),
        (3, 1, "客1", 1),
        (4, 2, "客2", 2),
        (5, 4, "客4", 4),
        (6, 6, "客6", 6),
    ]
    assert {seat.group for seat in chart.seats} == {1}


def test_a_senior_grade_takes_the_centre_whatever_its_place_in_the_list():
    people = [Person("甲", "division"), Person("乙", "division"), Person("丙", "bureau"), Person("丁", "division")]
    chart = seating.podium(people)
    # 丙 (bureau) ranks 1, then 甲 乙 丁 in list order; 4 seats read 3 1 2 4
    assert [seat.name for seat in chart.seats] == ["乙", "丙", "甲", "丁"]


def test_front_rows_outrank_back_rows():
    people = [Person(f"客{n}", "division") for n in range(1, 11)]
    chart = seating.podium(people, row_size=4)
    rows = {}
    for seat in chart.seats:
        rows.setdefault(seat.group, []).append(seat.rank)
    assert rows == {1: [3, 1, 2, 4], 2: [7, 5, 6, 8], 3: [9, 10]}


def test_podium_refuses_a_row_size_out_of_range():
    with pytest.raises(ValueError):
        seating.podium([Person("甲", "other")], row_size=0)


# --- Banquet ----------------------------------------------------------------------------------


def test_a_table_of_ten_seats_guests_by_the_convention():
    positions = seating.banquet_positions(10)
    # chief host 0, deputy 5; guest 1 on the chief's right (1), 2 on his left (9), 3 on the
    # deputy's right (6), 4 on the deputy's left (4); then nearer the head seat, right first.
    assert positions == [1, 9, 6, 4, 2, 8, 3, 7]


@pytest.mark.parametrize("size", range(seating.MIN_TABLE_SIZE, seating.MAX_TABLE_SIZE + 1))
def test_every_table_size_seats_each_guest_once_around_the_hosts(size):
    positions = seating.banquet_positions(size)
    deputy = size // 2
    assert sorted(positions) == sorted(set(range(1, size)) - {deputy})
    assert positions[0] == 1 and positions[1] == size - 1
    if size >= 6:
        assert positions[2:4] == [deputy + 1, deputy - 1]
    rest = positions[4:] if size >= 6 else []
    distances = [min(p, size - p) for p in rest]
    assert distances == sorted(distances)  # nearer the head seat first
    for a, b in itertools.pairwise(rest):
        if min(a, size - a) == min(b, size - b):
            assert a < deputy < b  # right (1..deputy−1) before left


def test_banquet_tables_hosts_and_guests():
    people = [Person(f"客{n}", "division", n) for n in range(1, 11)]
    people[9] = Person("部长", "provincial_ministerial", 10)
    chart = seating.banquet(people, ["主陪甲", "副主陪乙", "主陪丙"], table_size=8)
    # 6 guests a table: two tables; the minister is guest 1 at the main table
    main = [s for s in chart.seats if s.group == 1]
    assert [(s.rank, s.name) for s in sorted(main, key=lambda s: s.rank)][:2] == [(1, "部长"), (2, "客1")]
    assert {s.rank: s.index for s in main} == dict(zip(range(1, 7), seating.banquet_positions(8), strict=True))
    assert [(s.rank, s.index) for s in chart.seats if s.group == 2] == sorted(
        zip(range(7, 11), seating.banquet_positions(8)[:4], strict=True), key=lambda pair: pair[1]
    )
    assert [(h.group, h.index, h.role, h.name) for h in chart.hosts] == [
        (1, 0, "chief_host", "主陪甲"),
        (1, 4, "deputy_host", "副主陪乙"),
        (2, 0, "chief_host", "主陪丙"),
        (2, 4, "deputy_host", ""),
    ]
    assert [(t.number, t.x, t.y) for t in chart.tables] == [(1, 0, 0), (2, 1, 0)]


def test_other_tables_rank_by_distance_from_the_main_table():
    tables = seating.table_places(9)
    assert (tables[0].x, tables[0].y) == (0, 0)
    distances = [t.x * t.x + t.y * t.y for t in tables]
    assert distances == sorted(distances)
    # at equal distance the front row first, then the senior side: the principal's left, which is
    # the audience's right (x > 0)
    assert [(t.x, t.y) for t in tables[:6]] == [(0, 0), (1, 0), (-1, 0), (0, 1), (1, 1), (-1, 1)]
    mirrored = seating.table_places(9, "right")
    assert [(t.x, t.y) for t in mirrored[:3]] == [(0, 0), (-1, 0), (1, 0)]


def test_banquet_with_no_guests_is_one_empty_table():
    chart = seating.banquet([], [], table_size=10)
    assert chart.seats == [] and len(chart.tables) == 1 and len(chart.hosts) == 2


@pytest.mark.parametrize("size", [3, 21])
def test_banquet_refuses_a_table_size_out_of_range(size):
    with pytest.raises(ValueError):
        seating.banquet_positions(size)
