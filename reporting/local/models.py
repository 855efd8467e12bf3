"""Tenant-local reporting tables: the annual reception budget, warnings already notified, export
jobs, the chronicle (大事记) and the superior's inspections of its subordinates (监督检查)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.transitions import Transition
from tenants.models import Role


class ReceptionBudget(models.Model):
    """The year's reception budget line (公务接待费年度预算): a tenant setting, one row per year."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    amount = models.DecimalField(_("年度预算"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("年度接待预算")
        verbose_name_plural = _("年度接待预算")
        ordering = ["-year"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="reporting_budget_nonneg")]


class WarningNotice(models.Model):
    """An early-warning finding already told to finance and supervisors (told once per finding)."""

    key = models.CharField(max_length=200, unique=True)
    code = models.CharField(max_length=50)
    task_id = models.BigIntegerField(null=True)
    message = models.TextField()
    recipients = models.PositiveIntegerField(default=0)
    notified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("已发送的预警")
        verbose_name_plural = _("已发送的预警")
        ordering = ["-notified_at", "-id"]


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ExportJob(models.Model):
    """A statistics export run by Celery (large ranges with a per-task detail sheet)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    params = models.JSONField(_("参数"))
    file_format = models.CharField(_("格式"), max_length=10)
    status = models.CharField(_("状态"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    file = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ExportStatus.values), name="reporting_export_status")
        ]


class ChronicleEntry(models.Model):
    """A dated entry of the chronicle (大事记); generated ones point at the settled task."""

    date = models.DateField(_("日期"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), max_length=5000, blank=True)
    task_id = models.BigIntegerField(_("接待任务"), null=True, blank=True, unique=True)
    generated = models.BooleanField(_("自动生成"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("大事记")
        verbose_name_plural = _("大事记")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["date"], name="reporting_chronicle_date_idx")]


class Area(models.TextChoices):
    """The five areas a superior inspects (DOMAIN.md "Disclosure and oversight")."""

    RULES = "rules", _("制度建设")
    STANDARDS = "standards", _("标准执行")
    FUNDS = "funds", _("经费使用")
    DISCLOSURE = "disclosure", _("信息公开")
    VENUES = "venues", _("内部接待场所")


class InspectionStatus(models.TextChoices):
    OPEN = "open", _("检查中")
    CLOSED = "closed", _("已结束")


class InspectionAction(StrEnum):
    CLOSE = "close"


#: An inspection's state machine: open until closed, once. After closing, only a checklist item's
#: `resolved` may still change (`reporting.supervision.services.checklist_update`).
INSPECTION_TRANSITIONS: dict[str, Transition] = {
    InspectionAction.CLOSE: Transition(
        frozenset({InspectionStatus.OPEN}),
        InspectionStatus.CLOSED,
        frozenset({Role.ADMIN, Role.SUPERVISOR}),
        "closed",
    ),
}


class Result(models.TextChoices):
    NOT_CHECKED = "not_checked", _("未检查")
    COMPLIANT = "compliant", _("符合")
    ISSUES = "issues", _("存在问题")


class Inspection(models.Model):
    """An inspection (监督检查) of a subordinate jurisdiction, kept in the superior's schema."""

    subordinate_code = models.CharField(_("被检查辖区代码"), max_length=6)
    subordinate_name = models.CharField(_("被检查辖区"), max_length=100)
    title = models.CharField(_("检查名称"), max_length=200)
    inspected_on = models.DateField(_("检查日期"))
    status = models.CharField(_("状态"), max_length=20, choices=InspectionStatus.choices, default=InspectionStatus.OPEN)
    summary = models.TextField(_("总体意见"), max_length=5000, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("监督检查")
        verbose_name_plural = _("监督检查")
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=InspectionStatus.values), name="reporting_inspection_status"
            )
        ]


class ChecklistItem(models.Model):
    """One area of an inspection's checklist: the result, the finding and its follow-up (整改)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    area = models.CharField(_("检查事项"), max_length=20, choices=Area.choices)
    result = models.CharField(_("检查结果"), max_length=20, choices=Result.choices, default=Result.NOT_CHECKED)
    finding = models.TextField(_("发现问题"), max_length=5000, blank=True)
    follow_up = models.TextField(_("整改要求"), max_length=5000, blank=True)
    follow_up_due = models.DateField(_("整改期限"), null=True, blank=True)
    resolved = models.BooleanField(_("已整改"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("检查事项")
        verbose_name_plural = _("检查事项")
        ordering = ["inspection_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "area"], name="reporting_checklist_area_uniq"),
            models.CheckConstraint(condition=models.Q(area__in=Area.values), name="reporting_checklist_area"),
            models.CheckConstraint(condition=models.Q(result__in=Result.values), name="reporting_checklist_result"),
        ]
