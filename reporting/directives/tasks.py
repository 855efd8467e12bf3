"""Celery tasks of directives: deliver one directive to one target."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from reporting.directives.services import MAX_DELIVERY_ATTEMPTS, delivery_materialise, delivery_record_failure


def retry_countdown(retries: int) -> float:
    """Exponential backoff: base, 2×base, 4×base … capped at 10 minutes."""
    base = float(getattr(settings, "DIRECTIVE_RETRY_BASE_SECONDS", 5))
    return min(base * (2**retries), 600.0)


@shared_task(name="reporting.directive_deliver", bind=True, acks_late=True, max_retries=MAX_DELIVERY_ATTEMPTS - 1)
def directive_deliver(self, delivery_id: int) -> str:  # type: ignore[no-untyped-def]
    """Materialise one delivery; a failure is recorded with its reason and retried with backoff,
    and the last allowed attempt marks the delivery failed (the sender can resend it)."""
    try:
        return delivery_materialise(delivery_id=delivery_id)
    except Exception as exc:  # any failure there (a missing schema, a bad row, the database) is retried
        final = self.request.retries >= MAX_DELIVERY_ATTEMPTS - 1
        delivery_record_failure(delivery_id=delivery_id, reason=str(exc) or exc.__class__.__name__, final=final)
        if final:
            return "failed"
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
