"""Seating charts: generated from the task's guests by the pure algorithm (`reception.seating`),
saved per layout, edited by swapping seats; and the jurisdiction's side convention (admin)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import InvalidInput
from core.models import User
from reception import seating
from reception.models import Layout, SeatingChart, SeatingConvention, Side
from reception.selectors.meetings import build_chart, chart_rows, chart_side
from reception.services.arrangements import lock_arrangeable_task
from reception.services.common import check_version, require_roles
from tenants.models import Jurisdiction, Role


@transaction.atomic
def seating_generate(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    layout: str,
    side: str | None = None,
    group_size: int | None = None,
) -> SeatingChart:
    """(Re)generate and save the task's chart for `layout` from its guests, replacing any edits."""
    task = lock_arrangeable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    if not task.guests.exists():
        raise InvalidInput(_("任务还没有来宾，无法排座次。"), field="layout", code="no_guests")
    side = chart_side(task, side)
    size, chart = build_chart(task=task, layout=layout, side=side, group_size=group_size)
    seats, hosts = chart_rows(chart)
    saved = SeatingChart.objects.select_for_update().filter(task=task, layout=layout).first()
    before = None
    if saved is None:
        saved = SeatingChart(task=task, layout=layout, version=0)
    else:
        before = {"side": saved.side, "group_size": saved.group_size, "seats": saved.seats}
    saved.side, saved.group_size, saved.seats, saved.hosts = side, size, seats, hosts
    saved.updated_by = actor
    saved.version += 1
    saved.save()
    audit_record(
        actor=actor,
        action="reception.seating.generated",
        jurisdiction_code=jurisdiction.code,
        obj=saved,
        before=before,
        after={"task": task.pk, "layout": layout, "side": side, "group_size": size, "seats": seats},
    )
    return saved


def _positions(chart: SeatingChart) -> set[tuple[int, int]]:
    """Every seat a guest may take: each row's seats, or each table's guest seats."""
    groups: dict[int, int] = {}
    for seat in chart.seats:
        groups[seat["group"]] = groups.get(seat["group"], 0) + 1
    if chart.layout == Layout.BANQUET:
        places = seating.banquet_positions(chart.group_size)
        return {(group, index) for group in groups for index in places}
    return {(group, index) for group, count in groups.items() for index in range(count)}


@transaction.atomic
def seating_swap(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    layout: str,
    a: tuple[int, int],
    b: tuple[int, int],
    version: int | None = None,
) -> SeatingChart:
    """Exchange the occupants of two seats (`(group, index)`); a free banquet seat takes a guest."""
    task = lock_arrangeable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    chart = SeatingChart.objects.select_for_update().filter(task=task, layout=layout).first()
    if chart is None:
        raise InvalidInput(_("请先生成该形式的座次图。"), field="layout", code="no_chart")
    check_version(chart, version)
    positions = _positions(chart)
    for field, seat in (("a", a), ("b", b)):
        if tuple(seat) not in positions:
            raise InvalidInput(_("没有这个座位。"), field=field, code="no_seat")
    by_place: dict[tuple[int, int], dict[str, Any]] = {(s["group"], s["index"]): s for s in chart.seats}
    first, second = by_place.get((a[0], a[1])), by_place.get((b[0], b[1]))
    if first is None and second is None:
        raise InvalidInput(_("两个座位都是空的。"), field="a", code="empty_seats")
    if first is not None:
        first["group"], first["index"] = b
    if second is not None:
        second["group"], second["index"] = a
    chart.seats = sorted(chart.seats, key=lambda s: (s["group"], s["index"]))
    chart.updated_by = actor
    chart.version += 1
    chart.save()
    audit_record(
        actor=actor,
        action="reception.seating.swapped",
        jurisdiction_code=jurisdiction.code,
        obj=chart,
        after={"task": task.pk, "layout": layout, "a": list(a), "b": list(b)},
    )
    return chart


@transaction.atomic
def seating_convention_set(
    *, actor: User, jurisdiction: Jurisdiction, senior_side: str, version: int | None = None
) -> SeatingConvention:
    """Set the jurisdiction's podium side convention (admin)."""
    require_roles(actor=actor, jurisdiction=jurisdiction, roles={Role.ADMIN})
    if senior_side not in Side.values:
        raise InvalidInput(_("方向应为 left 或 right。"), field="senior_side", code="invalid_choice")
    convention = SeatingConvention.objects.select_for_update().first()
    if convention is None:
        convention = SeatingConvention(version=0)
        before = None
    else:
        check_version(convention, version)
        before = {"senior_side": convention.senior_side}
    convention.senior_side, convention.updated_by = senior_side, actor
    convention.version += 1
    convention.save()
    audit_record(
        actor=actor,
        action="reception.seating.convention_set",
        jurisdiction_code=jurisdiction.code,
        obj=convention,
        before=before,
        after={"senior_side": senior_side},
    )
    return convention
