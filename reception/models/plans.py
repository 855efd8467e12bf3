"""Plan items (生活接待方案): meals, lodging, vehicles, meeting rooms and visits."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from reception.models.common import TEXT_MAX, MealType
from reception.models.tasks import Task

__all__ = ["ITEM_FIELDS", "ItemKind", "MealType", "Payer", "PlanItem", "RoomType", "default_payer"]

#: The fields of an item that clients send and see (API, forms, audit), in this order.
ITEM_FIELDS = (
    "kind",
    "starts_at",
    "ends_at",
    "venue",
    "provider",
    "meal_type",
    "working_meal",
    "guests_count",
    "accompanying_count",
    "unit_price",
    "quantity",
    "room_type",
    "menu",
    "payer",
)
MAX_HEADCOUNT = 10000
MAX_QUANTITY = 100000


class ItemKind(models.TextChoices):
    MEAL = "meal", _("用餐")
    LODGING = "lodging", _("住宿")
    VEHICLE = "vehicle", _("用车")
    MEETING = "meeting", _("会议室")
    VISIT = "visit", _("考察参观")


class RoomType(models.TextChoices):
    STANDARD = "standard", _("标准间")
    SUITE = "suite", _("普通套间")


class Payer(models.TextChoices):
    """Who pays an item: the host's reception budget, or the guests (under their own unit's
    travel rules, at the standard)."""

    HOST = "host", _("接待单位")
    GUEST = "guest", _("来宾自理")


def default_payer(kind: str, working_meal: bool) -> str:
    """The regulation's default (第九条, 第十条): guests eat and sleep at their own expense, except
    the one working meal; vehicles, meeting rooms and visits are the host's."""
    if kind == ItemKind.LODGING or (kind == ItemKind.MEAL and not working_meal):
        return Payer.GUEST
    return Payer.HOST


class PlanItem(models.Model):
    """One arrangement of the plan. For a meal, `unit_price` is per person per meal and
    `quantity` the number of covers; otherwise `unit_price` × `quantity` (rooms × nights, cars, …)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("类别"), max_length=20, choices=ItemKind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    venue = models.CharField(_("地点"), max_length=200)
    provider = models.ForeignKey(
        "provider_portal.Provider",
        verbose_name=_("服务单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    meal_type = models.CharField(_("餐别"), max_length=20, choices=MealType.choices, blank=True)
    working_meal = models.BooleanField(_("工作餐"), default=False)
    guests_count = models.PositiveIntegerField(_("客人数"), validators=[MaxValueValidator(MAX_HEADCOUNT)])
    accompanying_count = models.PositiveIntegerField(
        _("陪同人数"), default=0, validators=[MaxValueValidator(MAX_HEADCOUNT)]
    )
    unit_price = models.DecimalField(
        _("单价"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99999999.99"))],
    )
    quantity = models.PositiveIntegerField(
        _("数量"), validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    room_type = models.CharField(_("房型"), max_length=20, choices=RoomType.choices, blank=True)
    menu = models.TextField(_("菜单"), max_length=TEXT_MAX, blank=True)
    payer = models.CharField(_("付费方"), max_length=10, choices=Payer.choices)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("方案事项")
        verbose_name_plural = _("方案事项")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="reception_item_price_nonneg"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="reception_item_quantity_positive"),
            models.CheckConstraint(condition=models.Q(payer__in=Payer.values), name="reception_item_payer"),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gte=models.F("starts_at")),
                name="reception_item_times",
                violation_error_message=_("结束时间不能早于开始时间。"),
            ),
        ]
        indexes = [models.Index(fields=["task", "starts_at"], name="reception_item_task_idx")]

    @property
    def amount(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(Decimal("0.01"))
