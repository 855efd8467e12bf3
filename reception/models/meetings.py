"""Meetings (会议): a task with many guests, their arrival and departure, and notices sent to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reception.models.common import TEXT_MAX
from reception.models.tasks import Guest, Task, TaskStatus

#: Schedule, lodging, seating, meeting settings and notices change in any state before settlement.
ARRANGEABLE_STATUSES = frozenset(
    {
        TaskStatus.DRAFT,
        TaskStatus.SUBMITTED,
        TaskStatus.RETURNED,
        TaskStatus.APPROVED,
        TaskStatus.IN_PROGRESS,
        TaskStatus.COMPLETED,
        TaskStatus.AMENDING,
        TaskStatus.AMENDMENT_SUBMITTED,
    }
)


class Meeting(models.Model):
    """A task of kind meeting (会议): its venue and its per-event seating practice."""

    task = models.OneToOneField(Task, primary_key=True, on_delete=models.CASCADE, related_name="meeting")
    venue = models.CharField(_("会场"), max_length=200, blank=True)
    # International practice (外事) takes the right as senior: a per-event switch.
    international = models.BooleanField(_("外事活动（以右为上）"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")


class GuestStay(models.Model):
    """When a guest arrives and leaves (from the meeting roster)."""

    guest = models.OneToOneField(Guest, primary_key=True, on_delete=models.CASCADE, related_name="stay")
    arrives_at = models.DateTimeField(_("抵达时间"), null=True, blank=True)
    departs_at = models.DateTimeField(_("离开时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("来宾行程")
        verbose_name_plural = _("来宾行程")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(arrives_at__isnull=True)
                | models.Q(departs_at__isnull=True)
                | models.Q(departs_at__gte=models.F("arrives_at")),
                name="reception_stay_times",
            ),
        ]


class NoticeKind(models.TextChoices):
    INVITATION = "invitation", _("邀请")
    NOTICE = "notice", _("通知")


class MeetingNotice(models.Model):
    """An invitation or notice sent to the task's guests through the notification service."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("类别"), max_length=20, choices=NoticeKind.choices)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), max_length=TEXT_MAX)
    recipients = models.PositiveIntegerField(_("接收人数"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议通知")
        verbose_name_plural = _("会议通知")
        ordering = ["-sent_at", "-id"]
