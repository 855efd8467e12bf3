"""Notifications: one service, pluggable channel backends, Celery delivery with retries.

    notify(recipients=[user, …], event="reception.task.returned", subject=…, body=…,
           jurisdiction_code="340100", channels=("email", "sms"))

writes one `Notification` row per recipient and channel in the caller's transaction and, after
commit, asks Celery to deliver each. Backends come from `settings.NOTIFICATION_BACKENDS`.
"""

from core.notifications.services import Recipient, notify, notify_address

__all__ = ["Recipient", "notify", "notify_address"]
