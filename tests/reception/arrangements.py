"""Shared data and checks for the meeting, schedule, lodging, seating and library tests (issue 8).

Import the fixtures by name into a test module to use them.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import api, in_tenant
from tests.reception.factories import GuestFactory, TaskFactory

#: Roles that may not arrange (schedule, lodging, seating, meeting settings, notices).
NOT_ARRANGERS = ("reviewer", "admin", "finance", "supervisor", "counterpart")
#: States before settlement, in which drafters and handlers arrange.
OPEN_STATES = ("draft", "submitted", "returned", "approved", "in_progress", "completed")
CLOSED_STATES = ("settled", "cancelled")


def set_status(task: Any, status: str, code: str = "340100") -> None:
    from reception.models import Task

    with in_tenant(code):
        Task.objects.filter(pk=task.pk).update(status=status)


def full_snapshot(code: str = "340100") -> dict[str, Any]:
    """`snapshot` plus every table of issue 8 and the notifications: what a refusal must not change."""
    from core.models import Notification
    from reception.models import (
        GuestStay,
        LodgingAllocation,
        Meeting,
        MeetingNotice,
        Resource,
        RoomAssignment,
        ScheduleChange,
        ScheduleEntry,
        SeatingChart,
        SeatingConvention,
    )
    from tests.reception.conftest import snapshot

    state = snapshot(code)
    with in_tenant(code):
        state.update(
            schedule=list(ScheduleEntry.objects.order_by("pk").values_list("pk", "version", "title", "ends_at")),
            changes=ScheduleChange.objects.count(),
            allocations=list(LodgingAllocation.objects.order_by("pk").values_list("pk", "version", "item_ids")),
            rooms=list(RoomAssignment.objects.order_by("pk").values_list("pk", "number", "guest_id")),
            charts=list(SeatingChart.objects.order_by("pk").values_list("pk", "version", "seats")),
            convention=list(SeatingConvention.objects.values_list("senior_side", "version")),
            meetings=list(Meeting.objects.values_list("task_id", "venue", "international", "version")),
            notices=MeetingNotice.objects.count(),
            stays=GuestStay.objects.count(),
            resources=list(Resource.objects.order_by("pk").values_list("pk", "version", "name", "image")),
        )
    state["notifications"] = Notification.objects.count()
    return state


@pytest.fixture
def meeting_task(tree: dict[str, Any]) -> Any:
    """A draft task in 340100 with five guests of mixed grades (two with phones)."""
    with in_tenant("340100"):
        task = TaskFactory(title="全省财政工作会议")
        for name, grade, unit, phone in [
            ("赵一", "division", "省财政厅", "13800000001"),
            ("钱二", "bureau", "省财政厅", ""),
            ("孙三", "provincial_ministerial", "财政部", "13800000003"),
            ("李四", "section", "市财政局", ""),
            ("周五", "division", "市财政局", ""),
        ]:
            GuestFactory(task=task, name=name, grade=grade, unit=unit, phone=phone, post="处长")
        return task


def client(role: str, code: str = "340100") -> Any:
    return api(code, f"{code}-{role}")
