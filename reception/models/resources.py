"""The resource library (接待资源库): hotels and their rooms, dishes and floor plans, restaurants,
meeting rooms, inspection sites, scenic spots and local specialties, searchable when drafting."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from reception.models.common import TEXT_MAX
from reception.models.plans import RoomType


class ResourceKind(models.TextChoices):
    HOTEL = "hotel", _("宾馆")
    DISH = "dish", _("菜品")
    FLOOR_PLAN = "floor_plan", _("平面图")
    SITE = "site", _("考察点")
    SCENIC_SPOT = "scenic_spot", _("景点")
    SPECIALTY = "specialty", _("地方特产")
    RESTAURANT = "restaurant", _("餐厅")
    MEETING_ROOM = "meeting_room", _("会议室")
    ROOM = "room", _("客房")


#: Which kinds may hang under which (a dish on a hotel's or restaurant's menu, …); None: top level.
PARENT_KINDS: dict[str, frozenset[str]] = {
    ResourceKind.DISH: frozenset({ResourceKind.HOTEL, ResourceKind.RESTAURANT}),
    ResourceKind.FLOOR_PLAN: frozenset({ResourceKind.HOTEL, ResourceKind.MEETING_ROOM, ResourceKind.SITE}),
    ResourceKind.ROOM: frozenset({ResourceKind.HOTEL}),
    ResourceKind.MEETING_ROOM: frozenset({ResourceKind.HOTEL}),
}
#: Kinds that must name their parent.
PARENT_REQUIRED = frozenset({ResourceKind.FLOOR_PLAN, ResourceKind.ROOM})
#: Kinds that are places an arrangement can happen at (the plan editor offers them as venues).
VENUE_KINDS = frozenset({ResourceKind.HOTEL, ResourceKind.RESTAURANT, ResourceKind.MEETING_ROOM, ResourceKind.SITE})
MAX_PRICE = 99999999


class Resource(models.Model):
    """One entry of the library. Fields beyond name and description apply to some kinds only."""

    kind = models.CharField(_("类别"), max_length=20, choices=ResourceKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("介绍"), max_length=TEXT_MAX, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("所属"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    provider = models.ForeignKey(
        "provider_portal.Provider",
        verbose_name=_("定点服务单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    price = models.DecimalField(
        _("价格"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_PRICE)],
    )
    capacity = models.PositiveIntegerField(_("容纳人数"), null=True, blank=True, validators=[MaxValueValidator(10000)])
    room_type = models.CharField(_("房型"), max_length=20, choices=RoomType.choices, blank=True)
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    image = models.FileField(_("图片"), max_length=300, blank=True)
    image_type = models.CharField(_("图片类型"), max_length=30, blank=True)
    image_size = models.PositiveIntegerField(_("图片大小"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("接待资源")
        verbose_name_plural = _("接待资源")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0), name="reception_resource_price"
            ),
        ]
        indexes = [models.Index(fields=["kind", "-created_at"], name="reception_resource_kind_idx")]

    def __str__(self) -> str:
        return self.name
