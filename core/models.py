"""The ground every app stands on: people, the audit log and sign-on records (public schema)."""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class UserQuerySet(models.QuerySet["User"]):
    def delete(self) -> tuple[int, dict[str, int]]:  # type: ignore[override]
        raise ValidationError(_("用户不能删除，只能停用。"), code="user_delete_forbidden")


class PlatformUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person with one login for every jurisdiction (统一登录).

    Users are never deleted: tenant rows (tasks, audit entries) point to them. Deactivate instead.
    """

    display_name = models.CharField(_("显示名称"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # Bumped on logout: every session of this user, on every host, stops validating.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[PlatformUserManager] = PlatformUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def label(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def get_session_auth_hash(self) -> str:
        key_salt = "core.User.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}:{self.session_generation}", algorithm="sha256").hexdigest()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("用户不能删除，只能停用。"), code="user_delete_forbidden")


class AuditEntry(models.Model):
    """One recorded state change (留痕): who did what to which object, when and why.

    Append-only (a database trigger refuses UPDATE and DELETE) and chained per jurisdiction:
    each entry stores the hash of the previous one, so a changed or removed row breaks the chain.
    """

    chain = models.CharField(_("链"), max_length=32, db_index=True, help_text="jurisdiction code or 'platform'")
    sequence = models.PositiveBigIntegerField(_("序号"))
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=True, related_name="+"
    )
    actor_username = models.CharField(_("操作人"), max_length=150, blank=True)
    jurisdiction_code = models.CharField(_("辖区代码"), max_length=6, blank=True)
    action = models.CharField(_("动作"), max_length=100)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象"), max_length=64, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    request_id = models.CharField(_("请求号"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        constraints = [models.UniqueConstraint(fields=["chain", "sequence"], name="core_audit_chain_seq_uniq")]
        indexes = [
            models.Index(fields=["jurisdiction_code", "object_type", "object_id"], name="core_audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.sequence} {self.action}"

    def payload(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "sequence": self.sequence,
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_username": self.actor_username,
            "jurisdiction_code": self.jurisdiction_code,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before,
            "after": self.after,
            "comment": self.comment,
            "request_id": self.request_id,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256((self.prev_hash + canonical).encode("utf-8")).hexdigest()


class AuditAnchor(models.Model):
    """The head of one audit chain (审计链锚点): its length and last hash, sealed with a key kept
    outside the database (AUDIT_ANCHOR_KEY). Written with every entry, under the chain's lock.

    Deleting the newest entries, or every entry, leaves the anchor pointing past the end; a forged
    anchor needs the key. A trigger refuses DELETE and TRUNCATE here as on the entries.
    """

    chain = models.CharField(_("链"), max_length=32, unique=True)
    length = models.PositiveBigIntegerField(_("条目数"))
    head_hash = models.CharField(max_length=64)
    seal = models.CharField(max_length=64)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("审计链锚点")
        verbose_name_plural = _("审计链锚点")

    def __str__(self) -> str:
        return f"{self.chain}#{self.length}"


class LoginCounter(models.Model):
    """Failed sign-ins of one username or one client address (登录失败计数), shared by every path.

    One row per key, read and written under `SELECT … FOR UPDATE`, so concurrent attempts in
    every worker process count exactly. An attempt is counted *before* its password is checked
    (a success gives its count back), so no burst of parallel guesses can pass the limit.
    """

    class Kind(models.TextChoices):
        USERNAME = "username", _("用户名")
        IP = "ip", _("地址")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败计数")
        verbose_name_plural = _("登录失败计数")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="core_logincounter_kind_key_uniq")]


class SignOnCode(models.Model):
    """A short-lived, single-use code that lets a tenant host open its own session (CAS-style)."""

    code_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="+")
    host = models.CharField(max_length=253)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class Notification(models.Model):
    """One outgoing message (e-mail or SMS) to one recipient: the outbox row (发件箱).

    Written in the transaction of the change it announces, delivered by a Celery worker after
    commit. A worker claims rows with `SELECT … FOR UPDATE SKIP LOCKED` and a lease; a row whose
    lease ran out (its worker died) is claimed again; the sweeper re-queues what the broker lost.
    `key` is unique per event and recipient and channel: the same event never queues twice.
    The table is in the public schema with the jurisdiction's code (see docs/messages.md).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    class Receipt(models.TextChoices):
        NONE = "", _("无回执")
        DELIVERED = "delivered", _("已送达")
        UNDELIVERED = "undelivered", _("未送达")

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="notifications"
    )
    address = models.CharField(_("地址"), max_length=254, help_text="e-mail address or phone number")
    jurisdiction_code = models.CharField(_("辖区代码"), max_length=6, blank=True, db_index=True)
    # The reception task (in the jurisdiction's schema) the message is about, if any.
    task_id = models.PositiveBigIntegerField(_("接待任务"), null=True, blank=True)
    event = models.CharField(_("事件"), max_length=100)
    template = models.CharField(_("消息模板"), max_length=50, default="generic")
    context = models.JSONField(_("模板参数"), default=dict, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    html = models.TextField(_("HTML 内容"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("错误"), blank=True)
    error_code = models.CharField(_("错误代码"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # Idempotency: one row per event, recipient and channel.
    key = models.CharField(max_length=255, unique=True)
    # Delivery bookkeeping: when it may next be tried, who holds it and until when.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # What the gateway answered: which one, its message id, and its delivery receipt.
    gateway = models.CharField(_("通道"), max_length=30, blank=True)
    gateway_message_id = models.CharField(max_length=100, blank=True, db_index=True)
    receipt = models.CharField(_("回执"), max_length=12, choices=Receipt.choices, blank=True, default="")
    receipt_code = models.CharField(max_length=100, blank=True)
    receipt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("发件箱")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="core_outbox_due_idx",
                condition=models.Q(status="queued"),
            ),
            models.Index(fields=["jurisdiction_code", "-created_at"], name="core_outbox_jurisdiction_idx"),
            models.Index(fields=["jurisdiction_code", "task_id", "-created_at"], name="core_outbox_task_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "sent", "failed"]), name="core_outbox_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.address} {self.event} ({self.status})"


class Attachment(models.Model):
    """An uploaded document kept with a row of its owner (a letter's scan, a directive's file):
    stored under a random name, with the name, type (by its first bytes) and size it came with.
    Abstract: each owner's subclass adds the link to its row (`core.files` stores them)."""

    file = models.FileField(_("文件"), max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]
