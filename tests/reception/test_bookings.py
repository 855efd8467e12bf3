"""Bookings that cannot collide: a hotel room per night and a venue per time range, within a
jurisdiction, guaranteed by an exclusion constraint; 409 `booking_conflict` naming the other task;
the plan's checks flag venue conflicts; cancelling frees; re-allocating rooms after dispatch
updates the lodging orders (never a second one)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from provider_portal.orders.models import Order
from provider_portal.services import provider_add
from reception.models import Booking, PlanItem, Task
from tests.conftest import api, in_tenant, refused, user
from tests.reception.arrangements import client
from tests.reception.conftest import snapshot, task_url
from tests.reception.factories import GuestFactory, PlanItemFactory, TaskFactory, at

pytestmark = pytest.mark.django_db

ROOMS = [{"number": "601", "type": "standard"}, {"number": "602", "type": "standard"}]


def a_task(title: str, *, start: dt.date = dt.date(2026, 5, 6), end: dt.date = dt.date(2026, 5, 8), **kw: Any) -> Any:
    with in_tenant("340100"):
        task = TaskFactory(title=title, start_date=start, end_date=end, level="division", **kw)
        GuestFactory(task=task, name=f"{title}来宾", grade="division")
        return task


def allocate(task: Any, hotel: Any, rooms: list[dict[str, str]] = ROOMS, **extra: Any) -> Any:
    body = {"provider": hotel.pk, "rooms": rooms, **extra}
    return client("drafter").post(task_url(task, "lodging/allocate/"), body, format="json")


def rooms_held(task: Any) -> list[str]:
    with in_tenant("340100"):
        return sorted(Booking.objects.filter(task=task, kind="room").values_list("resource", flat=True))


def test_a_room_held_by_another_task_for_an_overlapping_night_is_409_naming_it(hotel):
    first, second = a_task("省发改委调研"), a_task("省财政厅检查")
    assert allocate(first, hotel, ROOMS[:1]).status_code == 200
    assert rooms_held(first) == ["601"]
    before = snapshot()
    refusal = allocate(second, hotel, ROOMS[:1], check_in="2026-05-07", check_out="2026-05-09")
    refused(refusal, 409, "booking_conflict")
    body = refusal.json()
    assert (body["code"], body["task"], body["task_title"]) == ("booking_conflict", first.pk, "省发改委调研")
    assert snapshot() == before and rooms_held(second) == []


def test_the_same_room_on_other_nights_or_at_another_hotel_is_free(hotel, tree):
    first, second, third = a_task("甲"), a_task("乙"), a_task("丙")
    assert allocate(first, hotel, ROOMS[:1]).status_code == 200  # nights of 6 and 7 May
    after = allocate(second, hotel, ROOMS[:1], check_in="2026-05-08", check_out="2026-05-09")
    assert after.status_code == 200, after.json()
    other, _created = provider_add(actor=None, name="合肥香格里拉", kind="hotel", serves=[tree["340100"]])
    assert allocate(third, other, ROOMS[:1]).status_code == 200
    assert (rooms_held(first), rooms_held(second), rooms_held(third)) == (["601"], ["601"], ["601"])


def test_reallocating_to_the_same_hotel_replaces_the_task_s_own_bookings(hotel):
    task = a_task("甲")
    assert allocate(task, hotel, ROOMS[:1]).status_code == 200
    assert allocate(task, hotel, ROOMS[1:]).status_code == 200
    assert rooms_held(task) == ["602"]


def test_cancelling_a_task_frees_its_rooms(hotel):
    first, second = a_task("甲"), a_task("乙")
    allocate(first, hotel, ROOMS[:1])
    cancelled = api("340100", "340100-drafter").post(task_url(first, "cancel/"), {"reason": "来访取消"}, format="json")
    assert cancelled.status_code == 200
    assert rooms_held(first) == []
    assert allocate(second, hotel, ROOMS[:1]).status_code == 200


def test_the_database_refuses_an_overlapping_booking_whatever_the_code(hotel):
    first, second = a_task("甲"), a_task("乙")
    allocate(first, hotel, ROOMS[:1])
    with in_tenant("340100"):
        held = Booking.objects.get(task=first)
        with pytest.raises(IntegrityError), transaction.atomic():
            Booking.objects.create(
                task=second, provider=hotel, kind="room", resource="601", during=(held.during.lower, held.during.upper)
            )


def _meeting(task: Any, provider: Any, hour: int, *, venue: str = "第一会议室", ends: int | None = None) -> Any:
    with in_tenant("340100"):
        return PlanItemFactory(
            task=task,
            kind="meeting",
            meal_type="",
            menu="",
            provider=provider,
            venue=venue,
            starts_at=at(hour),
            ends_at=at(ends) if ends else None,
            guests_count=1,
            accompanying_count=0,
            quantity=1,
            unit_price=Decimal("0"),
        )


def test_checks_flag_a_venue_another_task_holds_at_an_overlapping_time(hotel):
    first, second = a_task("省发改委调研"), a_task("省财政厅检查")
    _meeting(first, hotel, 9, ends=11)
    mine = _meeting(second, hotel, 10, ends=12)
    _meeting(second, hotel, 11, venue="第二会议室")  # another venue: free
    checks = client("drafter").get(task_url(second, "checks/")).json()
    assert [(e["code"], e["item"], e["field"]) for e in checks["errors"]] == [("booking_conflict", mine.pk, "venue")]
    assert "省发改委调研" in checks["errors"][0]["message"]
    before = snapshot()
    refused = client("drafter").post(task_url(second, "submit/"), {}, format="json")
    assert refused.status_code == 400 and [e["code"] for e in refused.json()["errors"]] == ["booking_conflict"]
    assert snapshot() == before
    # Back to back is no overlap; a cancelled task holds nothing.
    with in_tenant("340100"):
        PlanItem.objects.filter(pk=mine.pk).update(starts_at=at(11), ends_at=at(12))
    assert client("drafter").get(task_url(second, "checks/")).json()["errors"] == []
    with in_tenant("340100"):
        PlanItem.objects.filter(pk=mine.pk).update(starts_at=at(10))
        Task.objects.filter(pk=first.pk).update(status="cancelled")
    assert client("drafter").get(task_url(second, "checks/")).json()["errors"] == []


def test_approval_books_the_venues_and_the_constraint_decides_a_race(hotel):
    first, second = a_task("省发改委调研"), a_task("省财政厅检查")
    _meeting(first, hotel, 9, ends=11)
    _meeting(second, hotel, 10, ends=12)
    with in_tenant("340100"):
        Task.objects.filter(pk__in=[first.pk, second.pk]).update(status="submitted")
    assert client("reviewer").post(task_url(first, "approve/"), {}, format="json").status_code == 200
    with in_tenant("340100"):
        assert list(Booking.objects.filter(task=first).values_list("kind", "resource")) == [("venue", "第一会议室")]
    from provider_portal.models import BookingIndex

    assert list(BookingIndex.objects.filter(task_id=first.pk).values_list("jurisdiction_code", "kind", "resource")) == [
        ("340100", "venue", "第一会议室")
    ]
    # The second was submitted before the first held the venue (the check passed then): its
    # approval is refused by the constraint, naming the task.
    before = snapshot()
    refusal = client("reviewer").post(task_url(second, "approve/"), {}, format="json")
    refused(refusal, 409, "booking_conflict")
    assert (refusal.json()["code"], refusal.json()["task"]) == ("booking_conflict", first.pk)
    assert snapshot() == before


def test_reallocating_rooms_after_dispatch_updates_the_lodging_order_never_a_second(hotel):
    task = a_task("甲", status="in_progress", handler=user("340100-handler"))
    with in_tenant("340100"):
        GuestFactory(task=task, name="乙来宾", grade="division")
    assert allocate(task, hotel, ROOMS[:1], rates={"standard": "300.00"}).status_code == 200
    dispatched = client("handler").post(task_url(task, "dispatch/"), {}, format="json")
    assert dispatched.status_code == 200, dispatched.json()
    with in_tenant("340100"):
        order = Order.objects.get(task_id=task.pk, kind="lodging")
        Order.objects.filter(pk=order.pk).update(status="accepted")
    assert allocate(task, hotel, ROOMS, rates={"standard": "300.00"}).status_code == 200
    with in_tenant("340100"):
        orders = list(Order.objects.filter(task_id=task.pk).values_list("pk", "status", "guests_count", "quantity"))
        item = PlanItem.objects.get(task=task, kind="lodging")
    assert orders == [(order.pk, "sent", 2, item.quantity)]
    assert item.guests_count == 2
    assert rooms_held(task) == ["601", "602"]
