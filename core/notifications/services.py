"""Queueing messages: one outbox row per recipient and channel, in the caller's transaction.

    notify(recipients=[user, Recipient(phone=…)], event="reception.task.approved",
           template="reception_arrangements", context={…}, jurisdiction_code="340100",
           task_id=task.pk, key=f"arrangements:340100:{task.pk}:{task.version}")

Rows are handed to the worker after commit (`transaction.on_commit`): a refused or rolled-back
change tells nobody, a committed one is never lost (the sweeper re-queues what the broker lost).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, NotFound
from core.models import Notification, User
from core.notifications.kinds import plain_context, render_message
from core.notifications.phones import normalise_mobile

logger = logging.getLogger("core.notifications")
CHANNELS = tuple(Notification.Channel.values)
DISPATCH_CHUNK = 200


@dataclass(frozen=True)
class Recipient:
    """Someone without an account (a guest, a visiting unit's contact): an address per channel."""

    email: str = ""
    phone: str = ""


def address_for(recipient: User | Recipient, channel: str) -> str:
    """The recipient's address on a channel, or "" when it has none that can be used."""
    if channel == Notification.Channel.EMAIL:
        email = (recipient.email or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            return ""
        return email
    return normalise_mobile(recipient.phone or "") or ""


def _row_key(base: str, channel: str, address: str) -> str:
    key = f"{base}|{channel}|{address}"
    if len(key) > 255:  # long event keys: keep them unique, and short enough for the index
        key = f"{key[:190]}#{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def notify(
    *,
    recipients: Iterable[User | Recipient],
    event: str,
    subject: str = "",
    body: str = "",
    template: str | None = None,
    context: dict[str, Any] | None = None,
    jurisdiction_code: str = "",
    task_id: int | None = None,
    channels: Sequence[str] = ("email", "sms"),
    key: str | None = None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Queue one message per recipient and channel that has a usable address (a valid e-mail,
    a mainland mobile number); others are skipped. Rendered once, in Chinese.

    `key` names the event (e.g. one approval of one task): the same key never queues a second
    message to the same address on the same channel, so a retried or repeated call is harmless.
    Without it every call is its own event. (`dedupe_key` is the older name of `key`.)
    """
    if template is None:
        template, context = "generic", {"subject": str(subject), "body": str(body)}
    stored = plain_context(context or {})
    base = key or dedupe_key or f"once:{uuid.uuid4().hex}"
    rows: dict[str, Notification] = {}
    rendered = None
    now = timezone.now()
    for recipient in recipients:
        for channel in channels:
            address = address_for(recipient, channel)
            if not address:
                continue
            row_key = _row_key(base, channel, address)
            if row_key in rows:
                continue
            rendered = rendered or render_message(template, stored)
            rows[row_key] = Notification(
                channel=channel,
                recipient=recipient if isinstance(recipient, User) else None,
                address=address[:254],
                jurisdiction_code=jurisdiction_code,
                task_id=task_id,
                event=event,
                template=template,
                context=stored,
                subject=rendered.subject,
                body=rendered.text if channel == Notification.Channel.EMAIL else rendered.sms,
                html=rendered.html if channel == Notification.Channel.EMAIL else "",
                key=row_key,
                next_attempt_at=now,
                dispatched_at=now,
            )
    if not rows:
        return []
    existing = set(Notification.objects.filter(key__in=list(rows)).values_list("key", flat=True))
    fresh = [row for k, row in rows.items() if k not in existing]
    created = _insert(fresh)
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: dispatch(ids))
    return created


def _insert(rows: list[Notification]) -> list[Notification]:
    """Insert in one statement; when a concurrent notify() took a key meanwhile, one by one."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        created = []
        for row in rows:
            row.pk = None
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue  # that key won elsewhere: the event is already queued
            created.append(row)
        return created


def notify_address(*, email: str = "", phone: str = "", **kwargs: Any) -> list[Notification]:
    return notify(recipients=[Recipient(email=email, phone=phone)], **kwargs)


def dispatch(notification_ids: Iterable[int]) -> None:
    """Hand rows to the worker. A broker outage leaves them queued: the sweeper re-queues them."""
    from kombu.exceptions import OperationalError as BrokerError

    from core.tasks import outbox_deliver

    ids = list(notification_ids)
    for start in range(0, len(ids), DISPATCH_CHUNK):
        try:
            outbox_deliver.delay(ids[start : start + DISPATCH_CHUNK])
        except (BrokerError, OSError):
            logger.warning("broker unavailable; %s messages stay queued for the sweeper", len(ids), exc_info=True)
            return


def outbox_requeue(*, jurisdiction_code: str, notification_id: int) -> tuple[Notification, dict[str, Any]]:
    """Queue a failed message of this jurisdiction again with a fresh count of attempts, in the
    caller's transaction (which checks the actor and records the audit entry); answers the row
    and its state before. Delivery follows the commit."""

    row = (
        Notification.objects.select_for_update().filter(pk=notification_id, jurisdiction_code=jurisdiction_code).first()
    )
    if row is None:
        raise NotFound(_("消息不存在。"))
    if row.status != Notification.Status.FAILED:
        raise Conflict(_("只能重发发送失败的消息。"), code="invalid_transition")
    before = {"status": row.status, "attempts": row.attempts, "error_code": row.error_code}
    now = timezone.now()
    row.status = Notification.Status.QUEUED
    row.attempts = 0
    row.next_attempt_at = row.dispatched_at = now
    row.lease_until = row.claim = None
    row.save(update_fields=["status", "attempts", "next_attempt_at", "dispatched_at", "lease_until", "claim"])
    transaction.on_commit(lambda: dispatch([row.pk]))
    return row, before
