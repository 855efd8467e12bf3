"""Cross-tenant reporting tables (public schema).

Numbers travel up the tree as reports (统计直报): one row per submitted version of a
jurisdiction's monthly report, written by the subordinate's own service; exactly one version per
jurisdiction and period is current. Superiors read these rows, never the children's schemas.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

period_validator = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", _("统计期须为 YYYY-MM 格式。"), code="invalid_period")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已上报")
    ACCEPTED = "accepted", _("已接收")
    RETURNED = "returned", _("已退回")


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
