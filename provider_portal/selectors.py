"""Reads of the provider portal: designated lists, the cross-jurisdiction inbox, one order, the
live view of bookings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Forbidden, NotFound
from provider_portal.models import (
    AgreedPrice,
    BookingIndex,
    OrderIndex,
    OrderStatus,
    Provider,
    ProviderServiceArea,
    ProviderStaff,
)
from provider_portal.prices import EMPTY_BOOK, AgreedPriceBook, PriceRow
from tenants.models import Jurisdiction
from tenants.schema import schema_context


def providers_serving(*, jurisdiction: Jurisdiction) -> QuerySet[Provider]:
    """The designated providers (定点) of this jurisdiction: an item's provider is one of them."""
    return Provider.objects.filter(service_areas__jurisdiction_id=jurisdiction.pk, is_active=True).order_by("name")


def designated_list(*, jurisdiction: Jurisdiction) -> QuerySet[ProviderServiceArea]:
    """This jurisdiction's designated list with each provider's agreed prices (two queries)."""
    return (
        ProviderServiceArea.objects.filter(jurisdiction=jurisdiction, provider__is_active=True)
        .select_related("provider")
        .prefetch_related(Prefetch("prices", queryset=AgreedPrice.objects.order_by("id")))
        .order_by("provider__name")
    )


def agreed_price_book(*, jurisdiction: Jurisdiction, provider_ids: Iterable[int | None]) -> AgreedPriceBook:
    """The agreed prices of these providers for this jurisdiction (one query; none → no query)."""
    ids = {pk for pk in provider_ids if pk is not None}
    if not ids:
        return EMPTY_BOOK
    rows = AgreedPrice.objects.filter(area__jurisdiction=jurisdiction, area__provider_id__in=ids).values_list(
        "area__provider_id",
        "area__provider__name",
        "kind",
        "room_type",
        "meal_type",
        "price",
        "item",
        "unit",
        "effective_from",
        "effective_until",
    )
    return AgreedPriceBook(PriceRow(*row) for row in rows)


def provider_prices(*, provider: Provider) -> QuerySet[ProviderServiceArea]:
    """Every jurisdiction a provider serves with its agreed prices there (two queries)."""
    return (
        ProviderServiceArea.objects.filter(provider=provider)
        .select_related("jurisdiction")
        .prefetch_related(Prefetch("prices", queryset=AgreedPrice.objects.order_by("kind", "effective_from", "id")))
        .order_by("jurisdiction__code")
    )


def provider_catalogue(*, jurisdiction: Jurisdiction) -> QuerySet[Provider]:
    """Active providers not yet on this jurisdiction's list (what its admin may add)."""
    return Provider.objects.filter(is_active=True).exclude(service_areas__jurisdiction=jurisdiction).order_by("name")


def staff_provider(user: Any) -> Provider:
    """The provider organisation of a signed-in staff member; anyone else is refused."""
    if not getattr(user, "is_authenticated", False):
        raise Forbidden(_("请先登录。"))
    staff = ProviderStaff.objects.select_related("provider").filter(user=user, provider__is_active=True).first()
    if staff is None:
        raise Forbidden(_("只有服务单位人员可以使用服务单位门户。"))
    return staff.provider


def provider_inbox(*, provider: Provider, status: str | None = None, acted_on: bool = False) -> QuerySet[OrderIndex]:
    """One inbox across every jurisdiction the provider serves, newest first (public index only).
    `acted_on` leaves out the orders still waiting for the provider (`provider_to_act`)."""
    rows = OrderIndex.objects.filter(provider=provider)
    if acted_on:
        rows = rows.exclude(status=OrderStatus.SENT)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def provider_to_act(*, provider: Provider) -> QuerySet[OrderIndex]:
    """The orders the provider has not acted on yet, in every jurisdiction it serves: new ones
    and those an approved amendment changed and sent back (`amended_at` set, the changes kept).
    Soonest service first (public index only, one query)."""
    return OrderIndex.objects.filter(provider=provider, status=OrderStatus.SENT).order_by(
        "starts_at", "created_at", "id"
    )


def provider_day(*, provider: Provider, day: date) -> list[OrderIndex]:
    """The provider's orders whose service touches `day` (in the active time zone), in every
    jurisdiction it serves, by time; declined ones are left out (the provider is not serving
    them), withdrawn ones kept so that a called-off order is seen as such. Public index only."""
    opens = timezone.make_aware(datetime.combine(day, time(0)))
    closes = opens + timedelta(days=1)
    touches = Q(starts_at__lt=closes) & (Q(ends_at__gte=opens) | Q(ends_at__isnull=True, starts_at__gte=opens))
    return list(
        OrderIndex.objects.filter(touches, provider=provider)
        .exclude(status=OrderStatus.DECLINED)
        .order_by("starts_at", "jurisdiction_code", "id")
    )


@dataclass(frozen=True)
class ProviderOrderView:
    """One order as its provider sees it: the index row, the order and its reported cost."""

    index: OrderIndex
    order: Any
    cost: Any | None
    lines: list[Any]


def provider_order(*, provider: Provider, order_id: Any) -> ProviderOrderView:
    """One of the provider's orders, read in its jurisdiction's schema (named by the index row)."""
    from provider_portal.orders.models import Order, OrderCost

    index = OrderIndex.objects.filter(pk=order_id, provider=provider).first()
    if index is None:
        raise NotFound(_("订单不存在。"))
    with schema_context(index.schema_name):
        order = Order.objects.filter(pk=index.pk).first()
        if order is None:
            raise NotFound(_("订单不存在。"))
        cost = OrderCost.objects.filter(order=order).first()
        lines = list(cost.lines.order_by("id")) if cost is not None else []
    return ProviderOrderView(index=index, order=order, cost=cost, lines=lines)


@dataclass(frozen=True)
class BookingDay:
    """One day of a provider's live view: the rooms taken that night and the venues busy that day."""

    day: date
    rooms: list[BookingIndex]
    venues: list[BookingIndex]


MAX_DAYS = 31


def provider_bookings(*, provider: Provider, start: date, days: int) -> list[BookingDay]:
    """The provider's bookings in every jurisdiction it serves, day by day from `start` (at most
    31 days), from the public index (one query, never a schema scan). A room counts on each night
    of its stay; a venue on each day its time touches."""
    days = max(1, min(days, MAX_DAYS))
    first = timezone.make_aware(datetime.combine(start, time(0)))
    last = first + timedelta(days=days)
    rows = list(
        BookingIndex.objects.filter(provider=provider, starts_at__lt=last, ends_at__gt=first).order_by(
            "starts_at", "jurisdiction_code", "resource"
        )
    )
    calendar = []
    for n in range(days):
        day = start + timedelta(days=n)
        opens = timezone.make_aware(datetime.combine(day, time(0)))
        closes = opens + timedelta(days=1)
        on_day = [row for row in rows if row.starts_at < closes and row.ends_at > opens]
        calendar.append(
            BookingDay(
                day,
                sorted((r for r in on_day if r.kind == "room"), key=lambda r: (r.resource, r.jurisdiction_code)),
                [r for r in on_day if r.kind == "venue"],
            )
        )
    return calendar
