"""Guest itinerary links: issued for an approved plan, revocable per task."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Conflict, RateLimited
from core.models import AuditEntry, User
from core.notifications import Recipient, notify
from reception.models import Guest, Task
from reception.selectors import ITINERARY_STATUSES
from reception.services.common import lock_task, require_roles
from reception.tokens import itinerary_max_age, itinerary_token
from tenants.models import Jurisdiction, Role

ITINERARY_ROLES = frozenset({Role.DRAFTER, Role.REVIEWER, Role.HANDLER, Role.ADMIN})
ITINERARY_ISSUED = "reception.task.itinerary_issued"
#: SMS sends of a task's itinerary (each to every guest with a phone) allowed per window: each
#: costs money and reaches people's phones, so a stuck button or a script cannot repeat it.
ITINERARY_SMS_LIMIT = 3
ITINERARY_SMS_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class IssuedLink:
    token: str
    expires_at: datetime
    sms_sent: int = 0


def _locked(*, actor: User, jurisdiction: Jurisdiction, task_id: int) -> Task:
    task = lock_task(task_id, jurisdiction=jurisdiction)
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=ITINERARY_ROLES)
    if task.status not in ITINERARY_STATUSES:
        raise Conflict(_("方案批准后才能向来宾发送行程链接。"), code="invalid_transition")
    return task


@transaction.atomic
def itinerary_link_issue(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, sms_base_url: str | None = None
) -> IssuedLink:
    """A signed, expiring link to the guests' itinerary (no login). With `sms_base_url` (the
    host's origin), every guest with a phone also receives the link by SMS (after commit, retried)."""
    task = _locked(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    expires_at = timezone.now() + itinerary_max_age()
    token = itinerary_token(schema=jurisdiction.schema_name, task_id=task.pk, generation=task.itinerary_generation)
    sent = 0
    if sms_base_url is not None:
        _check_sms_rate(jurisdiction=jurisdiction, task=task)
        url = f"{sms_base_url.rstrip('/')}/itinerary/{token}/"
        phones = sorted({g.phone for g in Guest.objects.filter(task=task).exclude(phone="")})
        sent = len(
            notify(
                recipients=[Recipient(phone=phone) for phone in phones],
                event="reception.task.itinerary_sent",
                subject="",
                body=gettext("您在%(place)s的接待行程（用餐、住宿、乘车、会议）：%(url)s")
                % {"place": jurisdiction.name, "url": url},
                jurisdiction_code=jurisdiction.code,
                channels=("sms",),
            )
        )
    audit_record(
        actor=actor,
        action=ITINERARY_ISSUED,
        jurisdiction_code=jurisdiction.code,
        obj=task,
        after={"generation": task.itinerary_generation, "expires_at": expires_at, "sms_sent": sent},
    )
    return IssuedLink(token=token, expires_at=expires_at, sms_sent=sent)


def _check_sms_rate(*, jurisdiction: Jurisdiction, task: Task) -> None:
    """RateLimited once the task's itinerary went out by SMS ITINERARY_SMS_LIMIT times within the
    window (read from the audit trail, under the task's row lock: concurrent sends queue)."""
    now = timezone.now()
    sends = list(
        AuditEntry.objects.filter(
            jurisdiction_code=jurisdiction.code,
            object_type="reception.task",
            object_id=str(task.pk),
            action=ITINERARY_ISSUED,
            at__gte=now - ITINERARY_SMS_WINDOW,
            after__sms_sent__gt=0,
        )
        .order_by("at")
        .values_list("at", flat=True)
    )
    if len(sends) >= ITINERARY_SMS_LIMIT:
        wait = math.ceil((sends[-ITINERARY_SMS_LIMIT] + ITINERARY_SMS_WINDOW - now).total_seconds())
        raise RateLimited(
            _("行程短信每小时最多发送 %(n)s 次，请稍后再试。") % {"n": ITINERARY_SMS_LIMIT},
            extra={"retry_after": max(wait, 1)},
        )


@transaction.atomic
def itinerary_links_revoke(*, actor: User, jurisdiction: Jurisdiction, task_id: int) -> Task:
    """Revoke every itinerary link issued so far for this task."""
    task = lock_task(task_id, jurisdiction=jurisdiction)
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=ITINERARY_ROLES)
    task.itinerary_generation += 1
    task.save(update_fields=["itinerary_generation", "updated_at"])
    audit_record(
        actor=actor,
        action="reception.task.itinerary_revoked",
        jurisdiction_code=jurisdiction.code,
        obj=task,
        after={"generation": task.itinerary_generation},
    )
    return task
