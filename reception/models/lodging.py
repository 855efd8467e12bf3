"""Lodging allocation (住宿分配): a hotel's rooms for a task, and which guest sleeps in which room."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reception.models.plans import RoomType
from reception.models.tasks import Guest, Task


class LodgingAllocation(models.Model):
    """The rooms one hotel gives a task and their occupants; recorded as the task's lodging items."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="lodging_allocations")
    provider = models.ForeignKey(
        "provider_portal.Provider", verbose_name=_("宾馆"), on_delete=models.PROTECT, related_name="+"
    )
    check_in = models.DateField(_("入住日期"))
    check_out = models.DateField(_("退房日期"))
    # The lodging plan items this allocation wrote (one per room type), rewritten with it.
    item_ids = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("住宿分配")
        verbose_name_plural = _("住宿分配")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "provider"], name="reception_lodging_hotel_uniq"),
            models.CheckConstraint(
                condition=models.Q(check_out__gte=models.F("check_in")), name="reception_lodging_dates"
            ),
        ]


class RoomAssignment(models.Model):
    """One room of an allocation and its guest (none: the room is free)."""

    allocation = models.ForeignKey(LodgingAllocation, on_delete=models.CASCADE, related_name="rooms")
    number = models.CharField(_("房号"), max_length=20)
    room_type = models.CharField(_("房型"), max_length=20, choices=RoomType.choices)
    floor = models.IntegerField(_("楼层"))
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.SET_NULL, related_name="rooms")

    class Meta:
        verbose_name = _("房间安排")
        verbose_name_plural = _("房间安排")
        ordering = ["floor", "id"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "number"], name="reception_room_number_uniq"),
            models.UniqueConstraint(
                fields=["allocation", "guest"],
                condition=models.Q(guest__isnull=False),
                name="reception_room_guest_uniq",
            ),
        ]
