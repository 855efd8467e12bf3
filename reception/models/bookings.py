"""Bookings (预订): a hotel room for nights and a meeting venue for a time range, which cannot
overlap within the jurisdiction. A PostgreSQL exclusion constraint over range types is the
guarantee: two tasks booking one room at the same moment, one wins.

Equality of the provider, the kind and the resource is written as overlap of single-point ranges
(`[p, p]` overlaps `[q, q]` exactly when p = q): an `int8range` for the provider and
`public.booking_text_range` (a range type over text in the "C" collation, created by the
migration) for the texts. Core GiST range operator classes cover them all, so no extension
(`btree_gist`) is needed: the embedded PostgreSQL of `make run` has none."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.utils.translation import gettext_lazy as _

from reception.models.lodging import LodgingAllocation
from reception.models.plans import PlanItem
from reception.models.tasks import Task

#: How long a meeting item without an end holds its venue.
MEETING_LENGTH = timedelta(hours=1)


class BookingKind(models.TextChoices):
    ROOM = "room", _("客房")
    VENUE = "venue", _("会场")


#: A range type over text ("C" collation), in the public schema every tenant's search path has.
TEXT_RANGE = "public.booking_text_range"


def _point(range_function: str, column: str) -> models.Func:
    """The single-point range `[value, value]` of a column: two overlap exactly when equal."""
    return models.Func(
        models.F(column), models.F(column), models.Value("[]"), function=range_function, output_field=models.TextField()
    )


class Booking(models.Model):
    """One room (its number) or venue (its name) at a provider, held by a task for `during`
    (rooms: from the check-in day to the check-out day, midnight to midnight, half-open; venues:
    the meeting item's time). Freed (deleted) with the allocation, the item or the task's cancel."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="bookings")
    allocation = models.ForeignKey(
        LodgingAllocation, null=True, blank=True, on_delete=models.CASCADE, related_name="bookings"
    )
    item = models.ForeignKey(PlanItem, null=True, blank=True, on_delete=models.CASCADE, related_name="bookings")
    provider = models.ForeignKey(
        "provider_portal.Provider", verbose_name=_("服务单位"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=BookingKind.choices)
    resource = models.CharField(_("房号或会场"), max_length=200)
    during = DateTimeRangeField(_("时段"))

    class Meta:
        verbose_name = _("预订")
        verbose_name_plural = _("预订")
        ordering = ["during", "id"]
        constraints = [
            ExclusionConstraint(
                name="reception_booking_no_overlap",
                expressions=[
                    (_point("int8range", "provider_id"), RangeOperators.OVERLAPS),
                    (_point(TEXT_RANGE, "kind"), RangeOperators.OVERLAPS),
                    (_point(TEXT_RANGE, "resource"), RangeOperators.OVERLAPS),
                    ("during", RangeOperators.OVERLAPS),
                ],
                violation_error_message=_("该时段已被其他任务预订。"),
            ),
            models.CheckConstraint(condition=models.Q(kind__in=BookingKind.values), name="reception_booking_kind"),
        ]
