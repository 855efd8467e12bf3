"""Bookings (预订) of hotel rooms and meeting venues: written with the lodging allocation (rooms)
and with the plan's approval (venues), freed with them. The exclusion constraint
`reception_booking_no_overlap` decides between two tasks; the loser answers 409
`booking_conflict` naming the task that holds the room or venue."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict
from provider_portal.services import BookingRow, booking_index_replace
from reception.models import Booking, BookingKind, ItemKind, LodgingAllocation, Task
from reception.models.bookings import MEETING_LENGTH
from tenants.models import Jurisdiction


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)))


def _index(
    jurisdiction: Jurisdiction, task: Task, rows: list[Booking], *, kind: str | None, provider_id: int | None
) -> None:
    """The public copies the providers' live view reads (same transaction)."""
    booking_index_replace(
        jurisdiction=jurisdiction,
        task_id=task.pk,
        task_title=task.title,
        kind=kind,
        provider_id=provider_id,
        rows=[BookingRow(b.provider_id, b.kind, b.resource, b.during[0], b.during[1]) for b in rows],
    )


def _write(task: Task, rows: list[Booking]) -> None:
    """Insert the rows; an overlap with another task's booking is a 409 naming that task."""
    try:
        with transaction.atomic():
            Booking.objects.bulk_create(rows)
    except IntegrityError as exc:
        for row in rows:
            other = (
                Booking.objects.select_related("task")
                .filter(provider_id=row.provider_id, kind=row.kind, resource=row.resource, during__overlap=row.during)
                .exclude(task=task)
                .first()
            )
            if other is not None:
                raise Conflict(
                    _("%(what)s“%(resource)s”在该时段已被接待任务“%(title)s”预订。")
                    % {"what": BookingKind(row.kind).label, "resource": row.resource, "title": other.task.title},
                    code="booking_conflict",
                    extra={"task": other.task_id, "task_title": other.task.title, "resource": row.resource},
                ) from exc
        raise


def room_bookings_sync(*, jurisdiction: Jurisdiction, allocation: LodgingAllocation) -> None:
    """Book the allocation's occupied rooms for its nights (check-in day to check-out day)."""
    Booking.objects.filter(allocation=allocation).delete()
    during = (_midnight(allocation.check_in), _midnight(allocation.check_out))
    numbers = allocation.rooms.filter(guest__isnull=False).values_list("number", flat=True)
    rows = [
        Booking(
            task=allocation.task,
            allocation=allocation,
            provider_id=allocation.provider_id,
            kind=BookingKind.ROOM,
            resource=number,
            during=during,
        )
        for number in numbers
    ]
    _write(allocation.task, rows)
    _index(jurisdiction, allocation.task, rows, kind=BookingKind.ROOM, provider_id=allocation.provider_id)


def room_bookings_free(*, jurisdiction: Jurisdiction, task: Task, provider_id: int) -> None:
    """A released allocation holds nothing (its rows go with it)."""
    _index(jurisdiction, task, [], kind=BookingKind.ROOM, provider_id=provider_id)


def venue_bookings_sync(*, jurisdiction: Jurisdiction, task: Task) -> None:
    """Book the venues of the task's meeting items with a provider, as the plan stands (at its
    approval and at an amendment's)."""
    Booking.objects.filter(task=task, kind=BookingKind.VENUE).delete()
    rows = [
        Booking(
            task=task,
            item=item,
            provider_id=item.provider_id or 0,  # filtered: never 0
            kind=BookingKind.VENUE,
            resource=item.venue,
            during=(item.starts_at, item.ends_at or item.starts_at + MEETING_LENGTH),
        )
        for item in task.items.all()  # prefetched by the approval
        if item.kind == ItemKind.MEETING and item.provider_id is not None
    ]
    _write(task, rows)
    _index(jurisdiction, task, rows, kind=BookingKind.VENUE, provider_id=None)


def bookings_free(*, jurisdiction: Jurisdiction, task: Task) -> None:
    """A cancelled task holds nothing."""
    Booking.objects.filter(task=task).delete()
    _index(jurisdiction, task, [], kind=None, provider_id=None)
