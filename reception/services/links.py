"""Guest itinerary links: issued for an approved plan, revocable per task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Conflict
from core.models import User
from core.notifications import Recipient, notify
from reception.models import Guest, Task
from reception.selectors import ITINERARY_STATUSES
from reception.services.common import lock_task, require_roles
from reception.tokens import itinerary_max_age, itinerary_token
from tenants.models import Jurisdiction, Role

ITINERARY_ROLES = frozenset({Role.DRAFTER, Role.REVIEWER, Role.HANDLER, Role.ADMIN})


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
        action="reception.task.itinerary_issued",
        jurisdiction_code=jurisdiction.code,
        obj=task,
        after={"generation": task.itinerary_generation, "expires_at": expires_at, "sms_sent": sent},
    )
    return IssuedLink(token=token, expires_at=expires_at, sms_sent=sent)


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
