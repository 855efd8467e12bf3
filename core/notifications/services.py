"""The notification service: record per recipient in the caller's transaction, deliver after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import Notification, User

logger = logging.getLogger("core.notifications")
CHANNELS = tuple(Notification.Channel.values)


@dataclass(frozen=True)
class Recipient:
    """Someone without an account (a guest, an applicant): an address per channel."""

    email: str = ""
    phone: str = ""


def _address(recipient: User | Recipient, channel: str) -> str:
    if channel == Notification.Channel.EMAIL:
        return recipient.email or ""
    return recipient.phone or ""


def notify(
    *,
    recipients: Iterable[User | Recipient],
    event: str,
    subject: str,
    body: str,
    jurisdiction_code: str = "",
    channels: Sequence[str] = ("email", "sms"),
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Queue one notification per recipient and channel that has an address.

    With `dedupe_key`, the same key never produces a second notification for the same
    recipient and channel (e.g. an early warning is told once per finding).
    """
    created: list[Notification] = []
    for recipient in recipients:
        for channel in channels:
            address = _address(recipient, channel)
            if not address:
                continue
            key = f"{dedupe_key}|{channel}|{address}" if dedupe_key else None
            if key and Notification.objects.filter(dedupe_key=key).exists():
                continue
            try:
                with transaction.atomic():
                    notification = Notification.objects.create(
                        channel=channel,
                        recipient=recipient if isinstance(recipient, User) else None,
                        address=address[:254],
                        jurisdiction_code=jurisdiction_code,
                        event=event,
                        subject=str(subject)[:200],
                        body=str(body),
                        dedupe_key=key,
                    )
            except IntegrityError:
                continue  # a concurrent notify() with the same key won
            created.append(notification)
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: dispatch(ids))
    return created


def notify_address(*, email: str = "", phone: str = "", **kwargs: object) -> list[Notification]:
    return notify(recipients=[Recipient(email=email, phone=phone)], **kwargs)  # type: ignore[arg-type]


def dispatch(notification_ids: Iterable[int]) -> None:
    """Hand notifications to Celery. A broker outage leaves them pending for the sweeper."""
    from kombu.exceptions import OperationalError as BrokerError

    from core.tasks import deliver_notification

    for notification_id in notification_ids:
        try:
            deliver_notification.delay(notification_id)
        except (BrokerError, OSError):  # broker down: the row stays pending; notifications_sweep sends it later
            logger.warning("broker unavailable; notification %s stays pending", notification_id, exc_info=True)


def deliver(notification_id: int) -> Notification:
    """Send one notification now (called by the Celery task). Raises DeliveryError on failure."""
    from core.notifications.backends import DeliveryError, backend_for

    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if notification.status == Notification.Status.SENT:
            return notification  # a redelivered message: sent exactly once
        notification.attempts += 1
        try:
            backend_for(notification.channel).send(
                address=notification.address, subject=notification.subject, body=notification.body
            )
        except DeliveryError as exc:
            failure: DeliveryError | None = exc
            notification.last_error = str(exc)[:2000]
            notification.save(update_fields=["attempts", "last_error"])
        else:
            failure = None
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
            notification.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    if failure is not None:
        raise failure  # after the attempt is recorded; Celery retries with backoff
    return notification


def mark_failed(notification_id: int, error: str) -> None:
    Notification.objects.filter(pk=notification_id).exclude(status=Notification.Status.SENT).update(
        status=Notification.Status.FAILED, last_error=error[:2000]
    )


def pending_for_sweep(*, older_than: timedelta | None = None) -> list[int]:
    from django.conf import settings

    cutoff = timezone.now() - (older_than or timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER))
    return list(
        Notification.objects.filter(status=Notification.Status.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
