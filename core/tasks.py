"""Celery tasks of the core app: notification delivery and housekeeping."""

from __future__ import annotations

from celery import shared_task

from core.notifications.backends import DeliveryError
from core.notifications.services import deliver, dispatch, mark_failed, pending_for_sweep
from core.services import login_failures_prune

MAX_DELIVERY_ATTEMPTS = 6


@shared_task(
    name="core.deliver_notification",
    bind=True,
    autoretry_for=(DeliveryError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_DELIVERY_ATTEMPTS - 1,
    acks_late=True,
)
def deliver_notification(self, notification_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one notification; retried with exponential backoff, then marked failed."""
    try:
        return str(deliver(notification_id).status)
    except DeliveryError as exc:
        if self.request.retries >= MAX_DELIVERY_ATTEMPTS - 1:
            mark_failed(notification_id, str(exc))
            return "failed"
        raise


@shared_task(name="core.notifications_sweep")
def notifications_sweep() -> int:
    """Re-dispatch notifications still pending (e.g. queued during a broker outage)."""
    ids = pending_for_sweep()
    dispatch(ids)
    return len(ids)


@shared_task(name="core.login_failures_prune")
def login_failures_prune_task() -> int:
    return login_failures_prune()
