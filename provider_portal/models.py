"""Provider organisations (第三方/定点服务单位), their staff and the jurisdictions they serve."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    HOTEL = "hotel", _("宾馆")
    RESTAURANT = "restaurant", _("餐饮")
    FLEET = "fleet", _("车队")
    VENUE = "venue", _("会场")


class OrderStatus(models.TextChoices):
    SENT = "sent", _("已派单")
    ACCEPTED = "accepted", _("已接单")
    DECLINED = "declined", _("已拒单")
    FULFILLED = "fulfilled", _("已完成")
    COST_REPORTED = "cost_reported", _("费用已报送")
    COST_APPROVED = "cost_approved", _("费用已审核")
    WITHDRAWN = "withdrawn", _("已撤回")


class OrderKind(models.TextChoices):
    """What is ordered (the plan item's kind; the same codes as the reception workflow's)."""

    MEAL = "meal", _("用餐")
    LODGING = "lodging", _("住宿")
    VEHICLE = "vehicle", _("用车")
    MEETING = "meeting", _("会议室")
    VISIT = "visit", _("考察参观")


class Provider(models.Model):
    """A designated hotel, restaurant, vehicle fleet or meeting venue."""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=ProviderKind.choices)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务单位")
        verbose_name_plural = _("服务单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProviderServiceArea(models.Model):
    """A provider on a jurisdiction's designated list (定点)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="service_areas")
    jurisdiction = models.ForeignKey("tenants.Jurisdiction", on_delete=models.CASCADE, related_name="providers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("定点服务范围")
        verbose_name_plural = _("定点服务范围")
        constraints = [
            models.UniqueConstraint(fields=["provider", "jurisdiction"], name="provider_area_uniq"),
        ]


class ProviderStaff(models.Model):
    """A login of a provider organisation (not a jurisdiction member)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_staff")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="staff")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务单位人员")
        verbose_name_plural = _("服务单位人员")


#: What an agreed price may name (the reception workflow's room and meal types, same codes).
ROOM_TYPE_CHOICES = [("standard", _("标准间")), ("suite", _("普通套间"))]
MEAL_TYPE_CHOICES = [("breakfast", _("早餐")), ("lunch", _("午餐")), ("dinner", _("晚餐"))]


class AgreedPrice(models.Model):
    """An agreed price (协议价) of a designated provider for one jurisdiction, for what it prices
    (`kind`: the plan item's kind; for lodging a room type, for meals a meal type or any), in force
    from `effective_from` to `effective_until` (both included; either open when empty).

    It lives with the designation (public schema): the jurisdiction's designated list is public
    data, the provider reads its prices for every jurisdiction it serves in one place, and a
    jurisdiction reads its own by its id, never across schemas."""

    area = models.ForeignKey(ProviderServiceArea, on_delete=models.CASCADE, related_name="prices")
    item = models.CharField(_("项目"), max_length=100)
    unit = models.CharField(_("计价单位"), max_length=30)
    kind = models.CharField(_("类别"), max_length=20, choices=OrderKind.choices)
    room_type = models.CharField(_("房型"), max_length=20, blank=True, choices=ROOM_TYPE_CHOICES)
    meal_type = models.CharField(_("餐别"), max_length=20, blank=True, choices=MEAL_TYPE_CHOICES)
    price = models.DecimalField(_("协议价"), max_digits=12, decimal_places=2)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    effective_until = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("协议价")
        verbose_name_plural = _("协议价")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "kind", "room_type", "meal_type", "item", "effective_from"],
                name="provider_price_period_uniq",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="provider_price_nonneg"),
            models.CheckConstraint(
                condition=models.Q(effective_from__isnull=True)
                | models.Q(effective_until__isnull=True)
                | models.Q(effective_until__gte=models.F("effective_from")),
                name="provider_price_period",
            ),
        ]

    @property
    def applies_to(self) -> str:
        """What it prices, for people: 住宿·标准间, 用餐·早餐, 用餐 (any meal), 用车."""
        parts = [str(OrderKind(self.kind).label)] if self.kind in OrderKind.values else [self.kind]
        variant = self.get_room_type_display() if self.room_type else self.get_meal_type_display()  # type: ignore[attr-defined]
        return "·".join([*parts, str(variant)] if variant else parts)


class OrderIndex(models.Model):
    """The public-schema entry of an order kept in a jurisdiction's schema (same UUID).

    It names the schema the order lives in, so a provider's action writes exactly there, and it
    keeps the snapshot the cross-jurisdiction inbox shows (never a scan of tenant schemas)."""

    id = models.UUIDField(primary_key=True)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="orders")
    jurisdiction = models.ForeignKey("tenants.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    schema_name = models.CharField(max_length=63)
    jurisdiction_code = models.CharField(_("辖区代码"), max_length=6)
    jurisdiction_name = models.CharField(_("辖区"), max_length=100)
    task_title = models.CharField(_("任务名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=OrderKind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    venue = models.CharField(_("地点"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=OrderStatus.choices)
    withdraw_reason = models.TextField(_("撤回原因"), blank=True)
    # The last approved amendment that changed the order (a copy of the order's): when, and
    # [{field, before, after}], so the inbox marks a changed order and says what changed.
    amended_at = models.DateTimeField(_("变更时间"), null=True, blank=True)
    amendment_changes = models.JSONField(_("变更内容"), default=list, blank=True)
    created_at = models.DateTimeField(_("派单时间"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("订单索引")
        verbose_name_plural = _("订单索引")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "-created_at", "-id"], name="provider_order_inbox_idx"),
            models.Index(fields=["provider", "status", "-created_at"], name="provider_order_status_idx"),
        ]


class BookingIndex(models.Model):
    """The public-schema copy of a booking (a room for nights, a venue for a time) a jurisdiction
    holds at this provider, so that the provider's live view (实时安排进度) reads every
    jurisdiction it serves from one table, never by scanning schemas. Rewritten with the
    jurisdiction's bookings, in the same transaction."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="bookings")
    jurisdiction = models.ForeignKey("tenants.Jurisdiction", on_delete=models.CASCADE, related_name="+")
    jurisdiction_code = models.CharField(_("辖区代码"), max_length=6)
    jurisdiction_name = models.CharField(_("辖区"), max_length=100)
    task_id = models.PositiveIntegerField()
    task_title = models.CharField(_("任务名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=10, choices=[("room", _("客房")), ("venue", _("会场"))])
    resource = models.CharField(_("房号或会场"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))

    class Meta:
        verbose_name = _("预订索引")
        verbose_name_plural = _("预订索引")
        ordering = ["starts_at", "resource", "id"]
        indexes = [
            models.Index(fields=["provider", "starts_at"], name="provider_booking_day_idx"),
            models.Index(fields=["jurisdiction", "task_id"], name="provider_booking_task_idx"),
        ]
