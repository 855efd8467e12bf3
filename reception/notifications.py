"""The seam between the workflow and notifications (the notification service comes later).

Services publish a `TaskEvent`; it is delivered only after the transaction commits, to every
registered sink (logging by default). A sink failing never undoes the committed change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction

from tenants.models import Role

logger = logging.getLogger("reception.notifications")


@dataclass(frozen=True)
class TaskEvent:
    action: str  # the audit action, e.g. reception.task.returned
    jurisdiction_code: str
    task_id: int
    task_title: str
    actor: str
    comment: str = ""
    #: Who should hear of it: every member holding one of these roles, and these users.
    roles: tuple[str, ...] = ()
    usernames: tuple[str, ...] = ()


Sink = Callable[[TaskEvent], None]
_sinks: dict[str, Sink] = {}

#: Who hears of each transition, by role (the task's creator and handler are added by name).
AUDIENCE: dict[str, tuple[str, ...]] = {
    "submitted": (Role.REVIEWER,),
    "returned": (Role.DRAFTER,),
    "approved": (Role.DRAFTER, Role.ADMIN),
    "assigned": (),
    "cancelled": (Role.DRAFTER,),
}


def register_sink(name: str, sink: Sink) -> None:
    """Add a receiver of task events (the notification service registers itself here)."""
    _sinks[name] = sink


def unregister_sink(name: str) -> None:
    _sinks.pop(name, None)


def _deliver(event: TaskEvent) -> None:
    logger.info("%s task=%s@%s by %s", event.action, event.task_id, event.jurisdiction_code, event.actor)
    for name, sink in list(_sinks.items()):
        try:
            sink(event)
        except Exception:
            logger.exception("notification sink %s failed for %s", name, event.action)


def task_event_publish(event: TaskEvent) -> None:
    """Deliver `event` once the current transaction commits (never if it rolls back)."""
    transaction.on_commit(partial(_deliver, event))
