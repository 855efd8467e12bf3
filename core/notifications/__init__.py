"""Messages that leave the system: the outbox, e-mail over SMTP, SMS through a gateway.

    notify(recipients=[user, Recipient(phone=…)], event="reception.task.approved",
           template="reception_arrangements", context={…}, jurisdiction_code="340100",
           task_id=…, key="…")

writes one outbox row (`core.models.Notification`) per recipient and channel in the caller's
transaction; after commit the worker delivers them (`core.notifications.delivery`).
See docs/messages.md.
"""

from core.notifications.kinds import MessageKind, register_message_kind
from core.notifications.services import Recipient, notify, notify_address

__all__ = ["MessageKind", "Recipient", "notify", "notify_address", "register_message_kind"]
