"""Writes of the provider portal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Forbidden, InvalidInput, NotFound
from core.models import User
from provider_portal.models import (
    AgreedPrice,
    BookingIndex,
    OrderKind,
    Provider,
    ProviderKind,
    ProviderServiceArea,
    ProviderStaff,
)
from provider_portal.prices import KIND_OF_PROVIDER, variant_from_item
from tenants.models import Jurisdiction, Role
from tenants.permissions import access_for

CENT = Decimal("0.01")


@transaction.atomic
def provider_add(
    *,
    actor: User | None,
    name: str,
    kind: str,
    serves: list[Jurisdiction],
    staff_user: User | None = None,
) -> tuple[Provider, bool]:
    """Create a provider (or find it by name), add its service areas and staff; idempotent."""
    name = (name or "").strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise InvalidInput(_("名称不能为空，且不超过 200 个字。"), field="name", code="invalid_name")
    if kind not in ProviderKind.values:
        raise InvalidInput(_("类别必须是 hotel、restaurant、fleet 或 venue。"), field="kind", code="invalid_kind")
    provider, created = Provider.objects.get_or_create(name=name, defaults={"kind": kind})
    if not created and provider.kind != kind:
        raise InvalidInput(_("同名服务单位已存在且类别不同。"), field="kind", code="kind_mismatch")
    for jurisdiction in serves:
        _area, added = ProviderServiceArea.objects.get_or_create(provider=provider, jurisdiction=jurisdiction)
        if added:
            audit_record(
                actor=actor,
                action="provider_portal.provider.designated",
                jurisdiction_code=jurisdiction.code,
                obj=provider,
                after={"provider": provider.name, "kind": provider.kind},
            )
    if staff_user is not None:
        if staff_user.memberships.exists():  # type: ignore[attr-defined]
            raise InvalidInput(_("辖区成员不能同时是服务单位人员。"), field="username", code="user_is_member")
        staff, _staff_created = ProviderStaff.objects.get_or_create(user=staff_user, defaults={"provider": provider})
        if staff.provider_id != provider.pk:
            raise InvalidInput(_("该用户已属于其他服务单位。"), field="username", code="user_other_provider")
    if created:
        audit_record(
            actor=actor, action="provider_portal.provider.created", obj=provider, after={"name": name, "kind": kind}
        )
    return provider, created


# --- A jurisdiction's designated list (定点名单), managed by its admin -----------------------

DESIGNATION_ROLES = frozenset({Role.ADMIN})
MAX_PRICES = 50
ROOM_TYPES = frozenset({"standard", "suite"})
MEAL_TYPES = frozenset({"breakfast", "lunch", "dinner"})


@dataclass(frozen=True)
class PriceInput:
    """One agreed price. `kind` defaults to what the provider's kind serves; room and meal type
    are read from the item's wording when not given (标准间, 早餐); no dates: in force always."""

    item: str
    unit: str
    price: Decimal
    kind: str | None = None
    room_type: str | None = None
    meal_type: str | None = None
    effective_from: date | None = None
    effective_until: date | None = None


PRICE_FIELDS = ("item", "unit", "kind", "room_type", "meal_type", "price", "effective_from", "effective_until")


def _require_admin(actor: User, jurisdiction: Jurisdiction) -> None:
    if not access_for(actor, jurisdiction).can_write(DESIGNATION_ROLES):
        raise Forbidden(_("只有本辖区管理员可以管理定点名单。"))


def _overlap(a: PriceInput, b: PriceInput) -> bool:
    """Two prices of the same thing whose periods share a day."""
    same = (a.kind, a.room_type, a.meal_type, a.item) == (b.kind, b.room_type, b.meal_type, b.item)
    return (
        same
        and (a.effective_until is None or b.effective_from is None or b.effective_from <= a.effective_until)
        and (b.effective_until is None or a.effective_from is None or a.effective_from <= b.effective_until)
    )


def _clean_price(provider: Provider, price: PriceInput) -> PriceInput:
    item, unit = (price.item or "").strip(), (price.unit or "").strip()
    if not item or not unit or len(item) > 100 or len(unit) > 30:
        raise InvalidInput(_("协议价的项目和计价单位不能为空。"), field="agreed_prices", code="invalid_price")
    if price.price < 0 or price.price != price.price.quantize(CENT) or price.price >= Decimal("1e10"):
        raise InvalidInput(_("协议价必须是不小于 0 的金额（两位小数）。"), field="agreed_prices", code="invalid_price")
    kind = price.kind or KIND_OF_PROVIDER.get(provider.kind, OrderKind.MEAL)
    if kind not in OrderKind.values:
        raise InvalidInput(_("协议价的类别无效。"), field="agreed_prices", code="invalid_price")
    room_type, meal_type = variant_from_item(kind, item)
    room_type = price.room_type if price.room_type is not None else room_type
    meal_type = price.meal_type if price.meal_type is not None else meal_type
    if (room_type and (kind != OrderKind.LODGING or room_type not in ROOM_TYPES)) or (
        meal_type and (kind != OrderKind.MEAL or meal_type not in MEAL_TYPES)
    ):
        raise InvalidInput(_("只有住宿有房型、只有用餐有餐别。"), field="agreed_prices", code="invalid_price")
    start, end = price.effective_from, price.effective_until
    if start is not None and end is not None and end < start:
        raise InvalidInput(_("协议价的截止日期不能早于生效日期。"), field="agreed_prices", code="invalid_period")
    return PriceInput(item, unit, price.price, kind, room_type, meal_type, start, end)


def _clean_prices(provider: Provider, prices: list[PriceInput]) -> list[PriceInput]:
    if len(prices) > MAX_PRICES:
        raise InvalidInput(_("协议价最多 %(n)s 项。") % {"n": MAX_PRICES}, field="agreed_prices", code="too_many")
    cleaned: list[PriceInput] = []
    for price in prices:
        price = _clean_price(provider, price)
        if any(_overlap(price, other) for other in cleaned):
            raise InvalidInput(
                _("协议价项目“%(item)s”在同一期间重复。") % {"item": price.item},
                field="agreed_prices",
                code="duplicate_price",
            )
        cleaned.append(price)
    return cleaned


def _prices_snapshot(area: ProviderServiceArea) -> list[dict[str, str]]:
    return [
        {name: str(value) for name in PRICE_FIELDS if (value := getattr(p, name)) not in (None, "")}
        for p in area.prices.all()
    ]


@transaction.atomic
def designation_set(
    *, actor: User, jurisdiction: Jurisdiction, provider_id: int, agreed_prices: list[PriceInput]
) -> ProviderServiceArea:
    """Put a provider on this jurisdiction's designated list (or keep it there) with its agreed prices."""
    _require_admin(actor, jurisdiction)
    provider = Provider.objects.filter(pk=provider_id, is_active=True).first()
    if provider is None:
        raise InvalidInput(_("服务单位不存在或已停用。"), field="provider", code="provider_unknown")
    prices = _clean_prices(provider, agreed_prices)
    area, created = ProviderServiceArea.objects.select_for_update().get_or_create(
        provider=provider, jurisdiction=jurisdiction
    )
    before = None if created else _prices_snapshot(area)
    area.prices.all().delete()
    AgreedPrice.objects.bulk_create(
        [AgreedPrice(area=area, **{name: getattr(p, name) for name in PRICE_FIELDS}) for p in prices]
    )
    audit_record(
        actor=actor,
        action="provider_portal.provider.designated" if created else "provider_portal.provider.prices_changed",
        jurisdiction_code=jurisdiction.code,
        obj=provider,
        before={"agreed_prices": before} if before is not None else None,
        after={"provider": provider.name, "agreed_prices": _prices_snapshot(area)},
    )
    return area


@transaction.atomic
def designation_remove(*, actor: User, jurisdiction: Jurisdiction, provider_id: int) -> None:
    """Take a provider off this jurisdiction's designated list (orders already sent stay)."""
    _require_admin(actor, jurisdiction)
    area = (
        ProviderServiceArea.objects.select_for_update()
        .select_related("provider")
        .filter(provider_id=provider_id, jurisdiction=jurisdiction)
        .first()
    )
    if area is None:
        raise NotFound(_("该服务单位不在本辖区的定点名单中。"))
    before = {"provider": area.provider.name, "agreed_prices": _prices_snapshot(area)}
    area.delete()
    audit_record(
        actor=actor,
        action="provider_portal.provider.undesignated",
        jurisdiction_code=jurisdiction.code,
        obj=area.provider,
        before=before,
    )


@dataclass(frozen=True)
class BookingRow:
    """One booking as the provider's live view shows it."""

    provider_id: int
    kind: str
    resource: str
    starts_at: datetime
    ends_at: datetime


def booking_index_replace(
    *,
    jurisdiction: Jurisdiction,
    task_id: int,
    task_title: str,
    kind: str | None,
    provider_id: int | None,
    rows: list[BookingRow],
) -> None:
    """Replace the public copies of a task's bookings (of one kind and provider when given) by
    `rows`, in the caller's transaction."""
    stale = BookingIndex.objects.filter(jurisdiction=jurisdiction, task_id=task_id)
    if kind is not None:
        stale = stale.filter(kind=kind)
    if provider_id is not None:
        stale = stale.filter(provider_id=provider_id)
    stale.delete()
    BookingIndex.objects.bulk_create(
        BookingIndex(
            provider_id=row.provider_id,
            jurisdiction=jurisdiction,
            jurisdiction_code=jurisdiction.code,
            jurisdiction_name=jurisdiction.name,
            task_id=task_id,
            task_title=task_title,
            kind=row.kind,
            resource=row.resource,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
        )
        for row in rows
    )
