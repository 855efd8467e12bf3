"""Cross-tenant reporting tables (public schema).

Numbers travel up the tree as reports (统计直报): one row per submitted version of a
jurisdiction's monthly report, written by the subordinate's own service; exactly one version per
jurisdiction and period is current. Superiors read these rows, never the children's schemas.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Attachment
from core.transitions import Transition
from tenants.models import STAFF_ROLES, Role

period_validator = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", _("统计期须为 YYYY-MM 格式。"), code="invalid_period")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已上报")
    ACCEPTED = "accepted", _("已接收")
    RETURNED = "returned", _("已退回")


class ReportAction(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"


#: A report's state machine, read from its period's current version. Submitting makes a new
#: version (the current one is superseded) unless the current one was accepted.
REPORT_TRANSITIONS: dict[str, Transition] = {
    ReportAction.SUBMIT: Transition(
        frozenset({ReportStatus.SUBMITTED, ReportStatus.RETURNED}),
        ReportStatus.SUBMITTED,
        frozenset({Role.ADMIN, Role.FINANCE}),
        "submitted",
    ),
    ReportAction.ACCEPT: Transition(
        frozenset({ReportStatus.SUBMITTED}), ReportStatus.ACCEPTED, frozenset({Role.ADMIN}), "accepted"
    ),
    ReportAction.RETURN: Transition(
        frozenset({ReportStatus.SUBMITTED, ReportStatus.ACCEPTED}),
        ReportStatus.RETURNED,
        frozenset({Role.ADMIN}),
        "returned",
    ),
}


class Report(models.Model):
    """One submitted version of a jurisdiction's report for a month.

    `figures` is `reception.figures.Figures.as_json()` of the receptions held in that month
    (receptions, guests, accompanying, cost_total, cost_by_kind as decimal strings), plus any
    further counts the reporting service adds (e.g. `over_standard`)."""

    jurisdiction = models.ForeignKey(
        "tenants.Jurisdiction", verbose_name=_("辖区"), on_delete=models.CASCADE, related_name="reports"
    )
    period = models.CharField(_("统计期"), max_length=7, validators=[period_validator])
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("当前版本"), default=True)
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    figures = models.JSONField(_("数据"))
    on_time = models.BooleanField(_("按时上报"), default=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上报人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("上报时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("统计直报")
        verbose_name_plural = _("统计直报")
        ordering = ["-period", "jurisdiction_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "period", "version"], name="reporting_report_version_uniq"),
            models.UniqueConstraint(
                fields=["jurisdiction", "period"],
                condition=models.Q(is_current=True),
                name="reporting_report_one_current",
            ),
            models.CheckConstraint(condition=models.Q(status__in=ReportStatus.values), name="reporting_report_status"),
        ]
        indexes = [
            models.Index(
                fields=["period", "jurisdiction"],
                condition=models.Q(is_current=True),
                name="reporting_report_current_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.period} v{self.version}"


class ReportDeadline(models.Model):
    """A superior's deadline (上报截止日) for its subtree's reports of one period.

    Without a row, a period's reports are due on the 5th of the next month. The nearest
    ancestor's setting applies to a jurisdiction."""

    jurisdiction = models.ForeignKey(
        "tenants.Jurisdiction", verbose_name=_("设定辖区"), on_delete=models.CASCADE, related_name="report_deadlines"
    )
    period = models.CharField(_("统计期"), max_length=7, validators=[period_validator])
    due_on = models.DateField(_("截止日期"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("上报截止日")
        verbose_name_plural = _("上报截止日")
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "period"], name="reporting_deadline_uniq"),
        ]


class DirectiveKind(models.TextChoices):
    TASK = "task", _("接待任务")
    STANDARD = "standard", _("接待标准")
    NOTICE = "notice", _("通知")
    # An approved amendment of a task a `task` directive pushed down, pushed after it (方案变更).
    AMENDMENT = "amendment", _("方案变更")


class Directive(models.Model):
    """A directive (工作指令) a superior sends down to jurisdictions of its subtree.

    `payload` is what the targets receive, frozen when it is sent: the origin task's letter and
    plan (kind `task`) or the sender's standards in force (kind `standard`)."""

    sender = models.ForeignKey(
        "tenants.Jurisdiction", verbose_name=_("发送辖区"), on_delete=models.CASCADE, related_name="directives_sent"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=DirectiveKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), max_length=20000, blank=True)
    # The task in the sender's schema that a `task` directive pushes down (any state).
    origin_task_id = models.PositiveIntegerField(_("来源任务"), null=True, blank=True)
    payload = models.JSONField(_("下发内容"), default=dict, blank=True)
    # For an `amendment`: the `task` directive whose targets' local tasks it changes.
    amends = models.ForeignKey(
        "self",
        verbose_name=_("原指令"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="amendments",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发送人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工作指令")
        verbose_name_plural = _("工作指令")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=DirectiveKind.values), name="reporting_directive_kind"),
            models.CheckConstraint(
                condition=~models.Q(kind="task") | models.Q(origin_task_id__isnull=False),
                name="reporting_directive_task_has_origin",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="amendment") & models.Q(amends__isnull=False))
                | (~models.Q(kind="amendment") & models.Q(amends__isnull=True)),
                name="reporting_directive_amendment_amends",
            ),
        ]
        indexes = [models.Index(fields=["sender", "-created_at"], name="reporting_directive_sender_idx")]

    def __str__(self) -> str:
        return f"{self.sender_id} {self.kind} {self.title}"


class DeliveryStatus(models.TextChoices):
    SENT = "sent", _("已发送")
    DELIVERED = "delivered", _("已送达")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    FAILED = "failed", _("送达失败")


class DeliveryAction(StrEnum):
    DELIVER = "deliver"
    FAIL = "fail"
    RESEND = "resend"
    ACKNOWLEDGE = "acknowledge"


#: A directive's delivery to one target. `deliver` and `fail` are the Celery task's (no roles): a
#: delivery already delivered or acknowledged is left as it is; `fail` counts an attempt and only
#: the last allowed one leads to `failed`.
DELIVERY_TRANSITIONS: dict[str, Transition] = {
    DeliveryAction.DELIVER: Transition(
        frozenset({DeliveryStatus.SENT, DeliveryStatus.FAILED}), DeliveryStatus.DELIVERED, done="delivered"
    ),
    DeliveryAction.FAIL: Transition(
        frozenset({DeliveryStatus.SENT, DeliveryStatus.FAILED}), DeliveryStatus.FAILED, done="failed"
    ),
    DeliveryAction.RESEND: Transition(
        frozenset({DeliveryStatus.FAILED}), DeliveryStatus.SENT, frozenset({Role.ADMIN}), "resent"
    ),
    DeliveryAction.ACKNOWLEDGE: Transition(
        frozenset({DeliveryStatus.DELIVERED}), DeliveryStatus.ACKNOWLEDGED, STAFF_ROLES, "acknowledged"
    ),
}


class Delivery(models.Model):
    """One target of a directive and how far it got (送达情况).

    `local_task_id` links the origin task to the draft task made in the target's schema."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="deliveries")
    target = models.ForeignKey(
        "tenants.Jurisdiction", verbose_name=_("接收辖区"), on_delete=models.CASCADE, related_name="directives_received"
    )
    status = models.CharField(_("状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.SENT)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("失败原因"), blank=True)
    local_task_id = models.PositiveIntegerField(_("本级任务"), null=True, blank=True)
    local_letter_id = models.PositiveIntegerField(_("本级公函"), null=True, blank=True)
    # What the delivery did there, e.g. {"standard_version": 3, "tightened": [...]} for a standard.
    result = models.JSONField(_("处理结果"), default=dict, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("指令送达")
        verbose_name_plural = _("指令送达")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "target"], name="reporting_delivery_uniq"),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values), name="reporting_delivery_status"
            ),
        ]
        indexes = [models.Index(fields=["target", "status"], name="reporting_delivery_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.directive_id} → {self.target_id} ({self.status})"


class DirectiveAttachment(Attachment):
    """A file sent with a directive (通知附件): PDF, JPEG or PNG, checked by its first bytes."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="attachments")

    class Meta(Attachment.Meta):
        verbose_name = _("指令附件")
        verbose_name_plural = _("指令附件")
