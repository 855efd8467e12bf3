"""The worker's side of the outbox: claim, send, record; retry with backoff; sweep.

Claiming is one short transaction: `SELECT … FOR UPDATE SKIP LOCKED` picks due rows nobody holds,
and an UPDATE gives them a lease (`lease_until`) and a claim token, and counts the attempt. The
message is sent outside any transaction; the result is written only where the claim token still
matches. So two workers never send one row, a worker that dies mid-send leaves a lease that runs
out (and the row is claimed again), and a redelivered Celery message finds nothing to do.

The one window left is a worker killed after the gateway accepted a message and before the
result was written: that message can go out twice. E-mails then carry the same Message-ID
(`backends.message_id_for`); docs/messages.md says so.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.models import Notification
from core.notifications.backends import Channel, DeliveryError, open_channel

logger = logging.getLogger("core.notifications")
Status = Notification.Status


def backoff_seconds(attempts: int) -> float:
    """Delay before attempt `attempts + 1`: base, 2×base, 4×base … capped."""
    base = float(settings.OUTBOX_RETRY_BASE_SECONDS)
    return float(min(base * (2 ** max(attempts - 1, 0)), float(settings.OUTBOX_RETRY_MAX_SECONDS)))


def _due(now: object) -> Q:
    return Q(status=Status.QUEUED, next_attempt_at__lte=now) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))


_CLAIM = """
UPDATE {table} SET lease_until = %s, claim = %s, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM {table}
    WHERE status = 'queued' AND next_attempt_at <= %s AND (lease_until IS NULL OR lease_until < %s) {only}
    ORDER BY next_attempt_at, id
    LIMIT %s
    FOR UPDATE SKIP LOCKED
)
RETURNING *
"""


def outbox_claim(*, ids: Iterable[int] | None = None, limit: int = 10) -> list[Notification]:
    """Take up to `limit` due rows (of `ids`, if given) for this worker, for one lease: one
    statement (its own transaction), rows nobody else holds (SKIP LOCKED), the attempt counted."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    params: list[object] = [lease, uuid.uuid4(), now, now]
    only = ""
    if ids is not None:
        only = "AND id = ANY(%s)"
        params.append(list(ids))
    params.append(limit)
    sql = _CLAIM.format(table=connection.ops.quote_name(Notification._meta.db_table), only=only)
    with transaction.atomic():
        rows = list(Notification.objects.raw(sql, params))
    return sorted(rows, key=lambda row: (row.next_attempt_at, row.pk))


def _record_sent(row: Notification, gateway: str, message_id: str) -> bool:
    return bool(
        Notification.objects.filter(pk=row.pk, claim=row.claim, status=Status.QUEUED).update(
            status=Status.SENT,
            sent_at=timezone.now(),
            lease_until=None,
            claim=None,
            gateway=gateway[:30],
            gateway_message_id=message_id[:100],
            last_error="",
            error_code="",
        )
    )


def _record_failure(row: Notification, exc: DeliveryError) -> float | None:
    """Write the failure; the delay before the next attempt, or None when the row has failed."""
    final = exc.permanent or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    delay = None if final else backoff_seconds(row.attempts)
    now = timezone.now()
    fields: dict[str, object] = {
        "lease_until": None,
        "claim": None,
        "last_error": str(exc)[:2000],
        "error_code": exc.code[:100],
    }
    if final:
        fields["status"] = Status.FAILED
    else:
        assert delay is not None
        fields["next_attempt_at"] = now + timedelta(seconds=delay)
        fields["dispatched_at"] = now + timedelta(seconds=delay)
    Notification.objects.filter(pk=row.pk, claim=row.claim, status=Status.QUEUED).update(**fields)
    return delay


def _send(row: Notification, channels: dict[str, Channel]) -> tuple[str, float | None]:
    channel = channels.get(row.channel)
    try:
        if channel is None:
            channel = channels[row.channel] = open_channel(row.channel)
        sent = channel.send(row)
    except DeliveryError as exc:
        delay = _record_failure(row, exc)
        logger.warning("message %s to %s failed (%s), attempt %s", row.pk, row.address, exc.code, row.attempts)
        return ("retry" if delay is not None else "failed"), delay
    except Exception as exc:  # a bug or an unexpected library error: recorded, retried, never lost
        logger.exception("message %s: unexpected error", row.pk)
        delay = _record_failure(row, DeliveryError(repr(exc), code="internal_error"))
        return ("retry" if delay is not None else "failed"), delay
    _record_sent(row, sent.gateway, sent.message_id)
    return "sent", None


def outbox_drain(
    *, ids: Iterable[int] | None = None, batch: int | None = None, max_seconds: float | None = None
) -> Counter[str]:
    """Send due rows (of `ids`, or any) until none is left or `max_seconds` have passed.
    One connection per channel for the whole run. Answers how many were sent, retried, failed."""
    from core.tasks import outbox_deliver

    wanted = list(ids) if ids is not None else None
    batch = batch or settings.OUTBOX_CLAIM_BATCH
    deadline = time.monotonic() + max_seconds if max_seconds else None
    counts: Counter[str] = Counter()
    channels: dict[str, Channel] = {}
    retries: dict[float, list[int]] = {}
    try:
        while deadline is None or time.monotonic() < deadline:
            rows = outbox_claim(ids=wanted, limit=batch)
            if not rows:
                break
            for row in rows:
                outcome, delay = _send(row, channels)
                counts[outcome] += 1
                if delay is not None:
                    retries.setdefault(delay, []).append(row.pk)
    finally:
        for channel in channels.values():
            channel.close()
    for delay, retry_ids in retries.items():
        try:
            outbox_deliver.apply_async(args=(retry_ids,), countdown=delay)
        except Exception:
            logger.warning("could not schedule the retry of %s messages", len(retry_ids), exc_info=True)
    return counts


def outbox_sweep(*, limit: int = 5000) -> int:
    """Re-queue due rows that no worker is on: never handed over (the broker was down), whose
    Celery message was lost (a broker restart), or whose worker died (lease ran out)."""
    from core.notifications.services import dispatch

    now = timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER)
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(_due(now))
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=ids).update(dispatched_at=now)
    dispatch(ids)  # after the commit above (the sweep runs as its own task, outside any transaction)
    return len(ids)
