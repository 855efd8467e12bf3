"""Celery tasks of the core app: the outbox's delivery and sweeper, and housekeeping."""

from __future__ import annotations

from celery import shared_task

from core.services import login_failures_prune


@shared_task(name="core.outbox_deliver", acks_late=True)
def outbox_deliver(notification_ids: list[int] | None = None) -> dict[str, int]:
    """Send these queued messages (claimed with a lease: a duplicate task does nothing)."""
    from core.notifications.delivery import outbox_drain

    return dict(outbox_drain(ids=notification_ids))


@shared_task(name="core.notifications_sweep")
def notifications_sweep() -> int:
    """Beat: re-queue due messages no worker holds (broker outage, lost task, dead worker)."""
    from core.notifications.delivery import outbox_sweep

    return outbox_sweep()


@shared_task(name="core.login_failures_prune")
def login_failures_prune_task() -> int:
    return login_failures_prune()
