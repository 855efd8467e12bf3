"""Amendments (变更) of an approved plan: each is a revision with its reason, author, reviewer and
the field-level changes it made, judged and reviewed like the plan itself."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reception.models.tasks import Task, TaskStatus


class RevisionStatus(models.TextChoices):
    OPEN = "open", _("编辑中")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已批准")
    CANCELLED = "cancelled", _("已取消")


#: A revision in these states is the task's open amendment (at most one per task).
OPEN_REVISION_STATUSES = (RevisionStatus.OPEN, RevisionStatus.SUBMITTED)


class Revision(models.Model):
    """One amendment of a task's approved plan (方案变更). `baseline` is the plan as approved when
    the amendment was opened; `changes` what the approved amendment changed, field by field."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("变更序号"))
    reason = models.TextField(_("变更原因"))
    status = models.CharField(_("状态"), max_length=20, choices=RevisionStatus.choices, default=RevisionStatus.OPEN)
    # The state the task goes back to when the amendment is approved (approved or in progress).
    resume_status = models.CharField(max_length=20, choices=TaskStatus.choices)
    baseline = models.JSONField(default=dict)
    changes = models.JSONField(default=list)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("方案变更")
        verbose_name_plural = _("方案变更")
        ordering = ["task", "number"]
        constraints = [
            models.UniqueConstraint(fields=["task", "number"], name="reception_revision_number_uniq"),
            # Two amendments opened at once: the database keeps one.
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(status="open") | models.Q(status="submitted"),  # not IN: see the clone
                name="reception_revision_one_open",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RevisionStatus.values), name="reception_revision_status"
            ),
        ]
