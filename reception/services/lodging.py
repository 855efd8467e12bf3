"""Lodging allocation: one click assigns the task's guests to a hotel's rooms; guests are then moved
room by room on the grid. The result is kept as the task's lodging items for that hotel (one per
room type: guests, room-nights, the rate), rewritten with every change.

Guests beyond the rooms (or allowed no suite while only suites are left) stay unassigned and are
listed: a partial allocation, never an error. A suite never goes to a grade the standards do not
allow, by the allocation or by a move.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import InvalidInput, NotFound
from core.models import User
from provider_portal.models import Provider, ProviderKind
from provider_portal.orders.services import orders_follow_plan
from reception import lodging
from reception.models import Guest, ItemKind, LodgingAllocation, PlanItem, Resource, ResourceKind, RoomAssignment, Task
from reception.models.plans import RoomType, default_payer
from reception.models.tasks import AMENDMENT_STATUSES
from reception.seating import ranked
from reception.selectors import task_standard
from reception.services.amendments import order_spec
from reception.services.arrangements import lock_arrangeable_task, serving_provider
from reception.services.bookings import room_bookings_free, room_bookings_sync
from reception.services.common import check_version
from reception.services.tasks import task_touch
from tenants.models import Jurisdiction

MAX_ROOMS = 2000
CHECK_IN, CHECK_OUT = time(14, 0), time(12, 0)
SUITE_REFUSED = _("该来宾的级别不能安排套间。")


@dataclass(frozen=True)
class LodgingResult:
    allocation: LodgingAllocation
    assigned: list[tuple[Guest, RoomAssignment]]  # most senior first
    unassigned: list[Guest]  # most senior first


def _hotel(jurisdiction: Jurisdiction, provider_id: Any) -> Provider:
    provider = serving_provider(jurisdiction=jurisdiction, provider_id=provider_id)
    if provider.kind != ProviderKind.HOTEL:
        raise InvalidInput(_("请选择宾馆类的定点服务单位。"), field="provider", code="not_a_hotel")
    return provider


def library_rooms(provider: Provider) -> list[dict[str, Any]]:
    """The rooms the resource library lists for this hotel (its hotel entry linked to the provider)."""
    rooms = Resource.objects.filter(
        kind=ResourceKind.ROOM, parent__kind=ResourceKind.HOTEL, parent__provider=provider
    ).order_by("floor", "name", "id")
    return [{"number": r.name, "type": r.room_type or RoomType.STANDARD, "floor": r.floor} for r in rooms]


def library_rates(provider: Provider) -> dict[str, Decimal]:
    """The lowest listed price per room type of this hotel's rooms in the library."""
    rates: dict[str, Decimal] = {}
    rows = Resource.objects.filter(kind=ResourceKind.ROOM, parent__provider=provider, price__isnull=False).values_list(
        "room_type", "price"
    )
    for room_type, price in rows:
        key = room_type or RoomType.STANDARD
        if price is not None:
            rates[key] = min(rates.get(key, price), price)
    return rates


def _rooms(raw: list[dict[str, Any]]) -> list[lodging.Room]:
    if not raw:
        raise InvalidInput(_("请提供房间（或先在资源库中登记该宾馆的客房）。"), field="rooms", code="required")
    if len(raw) > MAX_ROOMS:
        raise InvalidInput(_("一次最多分配 %(n)s 间房。") % {"n": MAX_ROOMS}, field="rooms", code="too_many")
    rooms, seen = [], set()
    for entry in raw:
        number = str(entry.get("number") or "").strip()
        if not number or len(number) > 20 or "\x00" in number:
            raise InvalidInput(_("房号不能为空，且不超过 20 个字符。"), field="rooms", code="invalid_number")
        if number in seen:
            raise InvalidInput(_("房号 %(n)s 重复。") % {"n": number}, field="rooms", code="duplicate_room")
        seen.add(number)
        room_type = entry.get("type") or RoomType.STANDARD
        if room_type not in RoomType.values:
            raise InvalidInput(_("房型应为 standard 或 suite。"), field="rooms", code="invalid_type")
        floor = entry.get("floor")
        rooms.append(lodging.Room(number, room_type, lodging.room_floor(number) if floor is None else int(floor)))
    return rooms


def _stay_dates(task: Task, check_in: date | None, check_out: date | None) -> tuple[date, date]:
    check_in = check_in or task.start_date
    check_out = check_out or max(task.end_date, check_in + timedelta(days=1))
    if check_out <= check_in:
        raise InvalidInput(_("退房日期必须晚于入住日期。"), field="check_out", code="end_before_start")
    return check_in, check_out


def _nights(guest: Guest, allocation: LodgingAllocation) -> int:
    """A guest's nights: from the roster's arrival and departure when known, else the allocation's."""
    stay = getattr(guest, "stay", None)
    if stay is not None and stay.arrives_at and stay.departs_at:
        days = (timezone.localdate(stay.departs_at) - timezone.localdate(stay.arrives_at)).days
        return max(days, 1)
    return (allocation.check_out - allocation.check_in).days


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _sync_items(allocation: LodgingAllocation, provider: Provider, rates: dict[str, Decimal] | None = None) -> None:
    """Rewrite the allocation's lodging items: one per occupied room type (guests, room-nights, rate)."""
    rooms = allocation.rooms.filter(guest__isnull=False).select_related("guest__stay")
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for room in rooms:
        counts[room.room_type][0] += 1
        counts[room.room_type][1] += _nights(room.guest, allocation)  # type: ignore[arg-type]
    existing = {item.room_type: item for item in PlanItem.objects.filter(pk__in=allocation.item_ids)}
    keep = []
    for room_type, (guests, nights) in sorted(counts.items()):
        item = existing.pop(room_type, None) or PlanItem(
            task_id=allocation.task_id, kind=ItemKind.LODGING, payer=default_payer(ItemKind.LODGING, False)
        )
        if rates is not None or item.pk is None:
            item.unit_price = (rates or {}).get(room_type, Decimal("0.00"))
        item.provider, item.room_type, item.venue = provider, room_type, provider.name
        item.starts_at = _at(allocation.check_in, CHECK_IN)
        item.ends_at = _at(allocation.check_out, CHECK_OUT)
        item.guests_count, item.quantity = guests, max(nights, 1)
        if item.pk is not None:
            item.version += 1
        item.save()
        keep.append(item.pk)
    PlanItem.objects.filter(pk__in=[item.pk for item in existing.values()]).delete()
    allocation.item_ids = keep


REALLOCATED = _("住宿重新分配")


def _orders_follow(actor: User, jurisdiction: Jurisdiction, task: Task, item_ids: list[int]) -> None:
    """Lodging items rewritten after dispatch: their open orders follow at once (updated and sent
    back to the hotel, or withdrawn), never a second order. While an amendment is open the
    approved plan stays in force: its approval makes them follow."""
    if task.status in AMENDMENT_STATUSES or not item_ids:
        return
    items = PlanItem.objects.filter(pk__in=item_ids, provider__isnull=False)
    orders_follow_plan(
        actor=actor,
        jurisdiction=jurisdiction,
        task_id=task.pk,
        reason=str(REALLOCATED),
        specs=[order_spec(item) for item in items],
        item_ids=item_ids,
    )


def _result(allocation: LodgingAllocation, unassigned: list[Guest]) -> LodgingResult:
    rooms = list(allocation.rooms.filter(guest__isnull=False).select_related("guest"))
    by_guest = {room.guest_id: room for room in rooms}
    order = ranked(sorted((room.guest for room in rooms if room.guest is not None), key=lambda g: g.pk))
    return LodgingResult(allocation, [(guest, by_guest[guest.pk]) for guest in order], unassigned)


@transaction.atomic
def lodging_allocate(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    provider: int,
    rooms: list[dict[str, Any]] | None = None,
    check_in: date | None = None,
    check_out: date | None = None,
    rates: dict[str, Decimal] | None = None,
) -> LodgingResult:
    """Assign the task's guests not lodged in another hotel to this hotel's rooms (replacing an
    earlier allocation to it). Without `rooms`, the hotel's rooms from the resource library."""
    task = lock_arrangeable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    hotel = _hotel(jurisdiction, provider)
    room_list = _rooms(rooms if rooms is not None else library_rooms(hotel))
    check_in, check_out = _stay_dates(task, check_in, check_out)
    rates = {**library_rates(hotel), **(rates or {})}
    previous = LodgingAllocation.objects.select_for_update().filter(task=task, provider=hotel).first()
    # The earlier allocation's lodging items are kept and rewritten (their orders follow them).
    earlier_items: list[int] = []
    if previous is not None:
        earlier_items = list(previous.item_ids)
        previous.delete()
    lodged_elsewhere = RoomAssignment.objects.filter(allocation__task=task, guest__isnull=False).values("guest_id")
    guests = list(task.guests.exclude(pk__in=lodged_elsewhere).order_by("id"))
    standard = task_standard(task)
    plan = lodging.allocate(
        [lodging.Occupant(g.pk, g.name, g.grade, g.unit) for g in guests],
        room_list,
        suite_grades=standard.suite_grades,
    )
    allocation = LodgingAllocation.objects.create(
        task=task, provider=hotel, check_in=check_in, check_out=check_out, created_by=actor, item_ids=earlier_items
    )
    occupant_of = {room.number: occupant.key for occupant, room in plan.assigned}
    RoomAssignment.objects.bulk_create(
        RoomAssignment(
            allocation=allocation,
            number=room.number,
            room_type=room.type,
            floor=room.floor,
            guest_id=occupant_of.get(room.number),
        )
        for room in room_list
    )
    _sync_items(allocation, hotel, rates)
    allocation.save(update_fields=["item_ids", "updated_at"])
    room_bookings_sync(jurisdiction=jurisdiction, allocation=allocation)
    _orders_follow(actor, jurisdiction, task, sorted({*earlier_items, *allocation.item_ids}))
    by_id = {guest.pk: guest for guest in guests}
    unassigned = [by_id[occupant.key] for occupant in plan.unassigned]
    audit_record(
        actor=actor,
        action="reception.lodging.allocated",
        jurisdiction_code=jurisdiction.code,
        obj=task,
        before=None if previous is None else {"provider": hotel.pk, "replaced": True},
        after={
            "provider": hotel.pk,
            "check_in": check_in,
            "check_out": check_out,
            "rooms": len(room_list),
            "assigned": {room.number: occupant.key for occupant, room in plan.assigned},
            "unassigned": [occupant.key for occupant in plan.unassigned],
            "items": allocation.item_ids,
        },
    )
    task_touch(task)
    return _result(allocation, unassigned)


def _locked_allocation(task: Task, provider_id: int) -> LodgingAllocation:
    allocation = (
        LodgingAllocation.objects.select_for_update()
        .select_related("provider")
        .filter(task=task, provider_id=provider_id)
        .first()
    )
    if allocation is None:
        raise NotFound(_("该宾馆尚未分配住宿。"))
    return allocation


@transaction.atomic
def lodging_place(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    provider: int,
    guest: int,
    room: str | None,
    version: int | None = None,
) -> LodgingAllocation:
    """Put a guest in a room of this hotel (its occupant, if any, takes the guest's old room or
    becomes unassigned), or take the guest out (`room` None). Refused if a suite would go to a
    grade that may not have one."""
    task = lock_arrangeable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    allocation = _locked_allocation(task, provider)
    check_version(allocation, version)
    person = task.guests.filter(pk=guest).first()
    if person is None:
        raise InvalidInput(_("来宾不存在。"), field="guest", code="not_found")
    if RoomAssignment.objects.filter(allocation__task=task, guest=person).exclude(allocation=allocation).exists():
        raise InvalidInput(_("该来宾已安排在其他宾馆。"), field="guest", code="lodged_elsewhere")
    rooms = {r.number: r for r in allocation.rooms.select_for_update(of=("self",)).select_related("guest")}
    old = next((r for r in rooms.values() if r.guest_id == person.pk), None)
    target = None
    if room is not None:
        target = rooms.get(room)
        if target is None:
            raise InvalidInput(_("该宾馆没有这个房间。"), field="room", code="not_found")
    allowed = task_standard(task).suite_grades
    occupant = target.guest if target is not None else None
    if target is not None and target.room_type == RoomType.SUITE and person.grade not in allowed:
        raise InvalidInput(SUITE_REFUSED, field="room", code="suite_not_allowed")
    if occupant is not None and old is not None and old.room_type == RoomType.SUITE and occupant.grade not in allowed:
        raise InvalidInput(SUITE_REFUSED, field="room", code="suite_not_allowed")
    before = {"guest": person.pk, "room": old.number if old else None}
    if target is not None and target is not old:
        target.guest = None
        target.save(update_fields=["guest"])
    if old is not None and old is not target:
        old.guest = occupant
        old.save(update_fields=["guest"])
    if target is not None:
        target.guest = person
        target.save(update_fields=["guest"])
    earlier_items = list(allocation.item_ids)
    _sync_items(allocation, allocation.provider)
    allocation.version += 1
    allocation.save(update_fields=["item_ids", "version", "updated_at"])
    room_bookings_sync(jurisdiction=jurisdiction, allocation=allocation)
    _orders_follow(actor, jurisdiction, task, sorted({*earlier_items, *allocation.item_ids}))
    audit_record(
        actor=actor,
        action="reception.lodging.moved",
        jurisdiction_code=jurisdiction.code,
        obj=task,
        before={"provider": allocation.provider_id, **before},
        after={
            "provider": allocation.provider_id,
            "guest": person.pk,
            "room": room,
            "displaced": occupant.pk if occupant is not None and occupant is not person else None,
        },
    )
    task_touch(task)
    return allocation


@transaction.atomic
def lodging_release(*, actor: User, jurisdiction: Jurisdiction, task_id: int, provider: int) -> None:
    """Drop this hotel's allocation and the lodging items it wrote."""
    task = lock_arrangeable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    allocation = _locked_allocation(task, provider)
    PlanItem.objects.filter(pk__in=allocation.item_ids).delete()
    _orders_follow(actor, jurisdiction, task, list(allocation.item_ids))
    room_bookings_free(jurisdiction=jurisdiction, task=task, provider_id=allocation.provider_id)
    audit_record(
        actor=actor,
        action="reception.lodging.released",
        jurisdiction_code=jurisdiction.code,
        obj=task,
        before={"provider": allocation.provider_id, "items": allocation.item_ids},
    )
    allocation.delete()
    task_touch(task)
