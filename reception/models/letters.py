"""Official letters (公函): no reception without a registered letter (无公函不接待)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Attachment
from reception.models.common import TEXT_MAX


class Purpose(models.TextChoices):
    ATTEND_MEETING = "attend_meeting", _("出席会议")
    INSPECTION_RESEARCH = "inspection_research", _("考察调研")
    PERFORM_TASK = "perform_task", _("执行任务")
    STUDY_EXCHANGE = "study_exchange", _("学习交流")
    INSPECTION_GUIDANCE = "inspection_guidance", _("检查指导")
    REPORT_WORK = "report_work", _("请示汇报工作")


class LetterStatus(models.TextChoices):
    SUBMITTED_BY_VISITOR = "submitted_by_visitor", _("待登记")
    REGISTERED = "registered", _("已登记")
    REJECTED = "rejected", _("不予登记")


class Letter(models.Model):
    """An official letter (公函) from a visiting unit, registered by the counterpart or the office."""

    number = models.CharField(_("公函编号"), max_length=100)
    sending_unit = models.CharField(_("来文单位"), max_length=200)
    purpose = models.CharField(_("来访事由"), max_length=30, choices=Purpose.choices)
    content = models.TextField(_("公函内容"), max_length=TEXT_MAX)
    itinerary = models.TextField(_("行程安排"), max_length=TEXT_MAX, blank=True)
    people_count = models.PositiveIntegerField(
        _("来访人数"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    received_on = models.DateField(_("收文日期"))
    status = models.CharField(_("状态"), max_length=30, choices=LetterStatus.choices, default=LetterStatus.REGISTERED)
    # Filled by visitors on the public intake form.
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    # The visiting unit's contact receives the arrangements and the evaluation link.
    contact_email = models.EmailField(_("联系邮箱"), max_length=254, blank=True)
    reject_reason = models.TextField(_("不予登记理由"), max_length=TEXT_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公函")
        verbose_name_plural = _("公函")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(people_count__gte=1), name="reception_letter_people_positive"),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="reception_letter_status_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.sending_unit}"


class LetterAttachment(Attachment):
    """A scan of the letter (PDF, JPEG or PNG), checked by size and by its first bytes."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")

    class Meta(Attachment.Meta):
        verbose_name = _("公函附件")
        verbose_name_plural = _("公函附件")
