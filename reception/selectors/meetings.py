"""Reads of meetings, schedules, lodging and seating, each in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import InvalidInput, NotFound
from reception import seating
from reception.models import (
    Guest,
    Layout,
    LodgingAllocation,
    Meeting,
    MeetingNotice,
    RoomAssignment,
    ScheduleChange,
    ScheduleEntry,
    SeatingChart,
    SeatingConvention,
    Side,
    Task,
)
from reception.models.plans import RoomType
from reception.selectors.revisions import approved_plan
from reception.selectors.tasks import task_standard


def task_row(task_id: int) -> Task:
    """The task alone (404 when it is not in this jurisdiction)."""
    task = Task.objects.filter(pk=task_id).select_related("letter").first()
    if task is None:
        raise NotFound(_("接待任务不存在。"))
    return task


def meeting_of(task: Task) -> Meeting | None:
    return Meeting.objects.filter(task=task).first()


def task_guests_with_stays(task: Task) -> QuerySet[Guest]:
    """The guest list in its order, with arrival and departure (one query)."""
    return task.guests.select_related("stay").order_by("id")


def task_notices(task: Task) -> QuerySet[MeetingNotice]:
    return MeetingNotice.objects.filter(task=task).select_related("sent_by")


# --- Schedule ---------------------------------------------------------------------------------


def schedule_entries(task: Task, *, newest_first: bool = False) -> QuerySet[ScheduleEntry]:
    """The task's schedule by time (or newest created first, as API lists come)."""
    entries = ScheduleEntry.objects.filter(task=task).select_related("provider")
    return entries.order_by("-created_at", "-id") if newest_first else entries.order_by("starts_at", "id")


def schedule_history(task: Task) -> QuerySet[ScheduleChange]:
    """Every change of the task's schedule, oldest first, with who made it."""
    return ScheduleChange.objects.filter(task=task).select_related("actor").order_by("at", "id")


def schedule_entry(task: Task, entry_id: int) -> ScheduleEntry:
    entry = schedule_entries(task).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("日程不存在。"))
    return entry


# --- Lodging ----------------------------------------------------------------------------------


@dataclass
class RoomView:
    number: str
    type: str
    floor: int
    guest: Guest | None
    conflict: str = ""


@dataclass
class HotelLodging:
    allocation: LodgingAllocation
    floors: list[tuple[int, list[RoomView]]]  # top floor first, rooms by number
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rooms(self) -> list[RoomView]:
        return [room for _floor, rooms in self.floors for room in rooms]


@dataclass
class LodgingOverview:
    hotels: list[HotelLodging]
    unassigned: list[Guest]
    suite_grades: frozenset[str] = frozenset()


def lodging_overview(task: Task) -> LodgingOverview:
    """Every hotel's room grid with its conflicts, and the guests lodged nowhere (four queries)."""
    allocations = list(
        LodgingAllocation.objects.filter(task=task)
        .select_related("provider")
        .prefetch_related(Prefetch("rooms", queryset=RoomAssignment.objects.select_related("guest")))
    )
    allowed = task_standard(task).suite_grades
    hotels = []
    lodged: set[int] = set()
    for allocation in allocations:
        floors: dict[int, list[RoomView]] = defaultdict(list)
        unit_floors: dict[str, set[int]] = defaultdict(set)
        conflicts: list[dict[str, Any]] = []
        for room in allocation.rooms.all():
            view = RoomView(room.number, room.room_type, room.floor, room.guest)
            if room.guest is not None:
                lodged.add(room.guest.pk)
                unit_floors[room.guest.unit].add(room.floor)
                if room.room_type == RoomType.SUITE and room.guest.grade not in allowed:
                    view.conflict = "suite_not_allowed"
                    conflicts.append(
                        {
                            "code": "suite_not_allowed",
                            "room": room.number,
                            "message": _("%(room)s 为套间，%(name)s 的级别不能安排套间。")
                            % {"room": room.number, "name": room.guest.name},
                        }
                    )
            floors[room.floor].append(view)
        for unit, used in sorted(unit_floors.items()):
            if len(used) > 1:
                conflicts.append(
                    {
                        "code": "unit_split",
                        "room": None,
                        "message": _("%(unit)s 的来宾分住在 %(floors)s 层。")
                        % {"unit": unit, "floors": "、".join(str(f) for f in sorted(used))},
                    }
                )
        grid = [(floor, sorted(rooms, key=lambda r: (len(r.number), r.number))) for floor, rooms in floors.items()]
        hotels.append(HotelLodging(allocation, sorted(grid, key=lambda row: -row[0]), conflicts))
    unassigned = seating.ranked(task.guests.exclude(pk__in=lodged).order_by("id"))
    return LodgingOverview(hotels=hotels, unassigned=unassigned, suite_grades=allowed)


# --- Seating ----------------------------------------------------------------------------------


def seating_convention() -> SeatingConvention | None:
    return SeatingConvention.objects.first()


def convention_side() -> str:
    """The jurisdiction's senior side for a podium (domestic practice: the principal's left)."""
    convention = seating_convention()
    return convention.senior_side if convention is not None else Side.LEFT


def chart_side(task: Task, requested: str | None) -> str:
    """The side asked for; else right for an international event (外事); else the convention."""
    if requested:
        return requested
    if Meeting.objects.filter(task=task, international=True).exists():
        return Side.RIGHT
    return convention_side()


def build_chart(*, task: Task, layout: str, side: str, group_size: int | None) -> tuple[int, seating.Chart]:
    """The chart of the task's guests (list order) and accompanying staff (banquet hosts) in the
    plan in force (while an amendment is open, the approved one)."""
    plan = approved_plan(task, ("guests", "accompanying"))
    people = [seating.Person(g.name, g.grade, g.pk) for g in sorted(plan.guests, key=lambda g: g.pk)]
    try:
        if layout == Layout.BANQUET:
            size = group_size or seating.DEFAULT_TABLE_SIZE
            hosts = [s.name for s in sorted(plan.staff, key=lambda s: s.pk)]
            return size, seating.banquet(people, hosts, side=side, table_size=size)
        size = group_size or seating.DEFAULT_ROW_SIZE
        return size, seating.podium(people, side=side, row_size=size)
    except ValueError:
        raise InvalidInput(gettext_lazy("每排或每桌的座位数超出范围。"), field="group_size", code="invalid") from None


def chart_rows(chart: seating.Chart) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    seats = [{"group": s.group, "index": s.index, "rank": s.rank, "guest": s.key, "name": s.name} for s in chart.seats]
    hosts = [{"group": h.group, "index": h.index, "role": h.role, "name": h.name} for h in chart.hosts]
    return seats, hosts


@dataclass
class ChartView:
    layout: str
    side: str
    group_size: int
    seats: list[dict[str, Any]]
    hosts: list[dict[str, Any]]
    version: int | None  # None: not saved yet, a preview from the current guests
    stale: bool  # the guest list changed since the chart was saved
    id: int | None = None
    updated_at: Any = None

    @property
    def tables(self) -> list[seating.Table]:
        count = max((seat["group"] for seat in self.seats), default=1)
        return seating.table_places(count, self.side) if self.layout == Layout.BANQUET else []

    @property
    def groups(self) -> list[tuple[int, list[dict[str, Any]]]]:
        """Rows front first, or tables by number, each with its seats (and hosts) by index."""
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for seat in [*self.seats, *self.hosts]:
            grouped[seat["group"]].append(seat)
        return [(group, sorted(grouped[group], key=lambda s: s["index"])) for group in sorted(grouped)]

    @property
    def podium_rows(self) -> list[tuple[int, list[dict[str, Any]]]]:
        """Rows as drawn for the audience below: the back row first."""
        return list(reversed(self.groups))

    @property
    def banquet_tables(self) -> list[dict[str, Any]]:
        """Each table's place in the hall and its seats around it (free guest seats included), with
        the angle to draw them at: the chief host on top, seat numbers turning to his right."""
        if self.layout != Layout.BANQUET:
            return []
        size = self.group_size
        guest_places = set(seating.banquet_positions(size))
        tables = self.tables
        left = min(table.x for table in tables)
        occupied = dict(self.groups)
        drawn = []
        for table in tables:
            by_index = {seat["index"]: seat for seat in occupied.get(table.number, [])}
            seats = [
                {
                    "key": f"{table.number}-{index}",
                    "angle": round(-index * 360 / size, 2),
                    "seat": by_index.get(index),
                    "free": index in guest_places and index not in by_index,
                }
                for index in range(size)
            ]
            drawn.append({"number": table.number, "column": table.x - left + 1, "row": table.y + 1, "seats": seats})
        return drawn


def seating_chart(task: Task, layout: str) -> ChartView:
    """The saved chart of `layout` (flagged stale when the guests in force changed since), else a
    preview."""
    guests = {g.pk: g.name for g in approved_plan(task, ("guests",)).guests}
    saved = SeatingChart.objects.filter(task=task, layout=layout).first()
    if saved is None:
        side = chart_side(task, None)
        size, chart = build_chart(task=task, layout=layout, side=side, group_size=None)
        seats, hosts = chart_rows(chart)
        return ChartView(layout, side, size, seats, hosts, None, False)
    seated = {seat["guest"]: seat["name"] for seat in saved.seats}
    return ChartView(
        layout=saved.layout,
        side=saved.side,
        group_size=saved.group_size,
        seats=saved.seats,
        hosts=saved.hosts,
        version=saved.version,
        stale=seated != guests,
        id=saved.pk,
        updated_at=saved.updated_at,
    )


def latest_chart_layout(task: Task) -> str:
    """The layout of the chart saved last, podium when none is."""
    latest = SeatingChart.objects.filter(task=task).order_by("-updated_at", "-id").values_list("layout", flat=True)
    return latest.first() or Layout.PODIUM
