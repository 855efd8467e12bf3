"""The arrangement schedule (日程表): entries that stay editable after approval, with their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reception.models.plans import PlanItem
from reception.models.tasks import Task

SCHEDULE_FIELDS = ("starts_at", "ends_at", "title", "venue", "provider", "note")


class ScheduleEntry(models.Model):
    """One entry of a task's schedule: when, what, where, and the provider it concerns (if any)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="schedule")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    title = models.CharField(_("内容"), max_length=200)
    venue = models.CharField(_("地点"), max_length=200)
    provider = models.ForeignKey(
        "provider_portal.Provider",
        verbose_name=_("服务单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    # The plan item this entry shows (its time and venue kept in step with it), if any.
    item = models.ForeignKey(
        PlanItem,
        verbose_name=_("方案事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="schedule_entries",
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("日程")
        verbose_name_plural = _("日程")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="reception_schedule_times",
                violation_error_message=_("结束时间不能早于开始时间。"),
            ),
        ]
        indexes = [models.Index(fields=["task", "starts_at"], name="reception_schedule_task_idx")]


class ScheduleChange(models.Model):
    """One change of a schedule (留痕): who, when, and the entry before and after. Never edited."""

    class Action(models.TextChoices):
        CREATED = "created", _("新增")
        UPDATED = "updated", _("修改")
        DELETED = "deleted", _("删除")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="schedule_changes")
    entry_id = models.BigIntegerField(_("日程编号"))  # kept after the entry is deleted
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    notified = models.PositiveIntegerField(_("通知人数"), default=0)

    class Meta:
        verbose_name = _("日程变更")
        verbose_name_plural = _("日程变更")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["task", "at"], name="reception_schedchange_idx")]
