"""Seating charts (座次图) as saved and edited, and the jurisdiction's seating convention."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Layout(models.TextChoices):
    PODIUM = "podium", _("主席台")
    BANQUET = "banquet", _("宴会圆桌")


class Side(models.TextChoices):
    """The senior side as the principal sees it: domestic practice `left`, mirrored `right`."""

    LEFT = "left", _("以左为上（国内惯例）")
    RIGHT = "right", _("以右为上")


class SeatingConvention(models.Model):
    """The jurisdiction's side convention (one row): some localities mirror the podium order."""

    senior_side = models.CharField(_("主席台尊位方向"), max_length=10, choices=Side.choices, default=Side.LEFT)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("座次惯例")
        verbose_name_plural = _("座次惯例")


class SeatingChart(models.Model):
    """A task's chart for one layout: generated from the guest list, then edited by swapping seats.

    `seats`: [{group, index, rank, guest, name}] (group: the row of a podium, the table of a
    banquet); `hosts`: [{group, index, role, name}] (banquet only).
    """

    task = models.ForeignKey("reception.Task", on_delete=models.CASCADE, related_name="seating_charts")
    layout = models.CharField(_("形式"), max_length=20, choices=Layout.choices)
    side = models.CharField(_("尊位方向"), max_length=10, choices=Side.choices)
    group_size = models.PositiveSmallIntegerField(_("每排/每桌座位数"))
    seats = models.JSONField(default=list)
    hosts = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("座次图")
        verbose_name_plural = _("座次图")
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["task", "layout"], name="reception_seating_layout_uniq")]
