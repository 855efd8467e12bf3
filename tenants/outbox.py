"""The jurisdiction's outbox (发件箱) for its admins: what left, what waits, what failed; retry."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Forbidden
from core.models import Notification, User
from core.notifications.services import outbox_requeue
from tenants.models import Jurisdiction, Role
from tenants.permissions import access_for

OUTBOX_ROLES = frozenset({Role.ADMIN})
#: Audit action of a retried message.
OUTBOX_RETRIED = "tenants.outbox.retried"


@transaction.atomic
def outbox_retry(*, actor: User, jurisdiction: Jurisdiction, notification_id: int) -> Notification:
    """Queue a failed message of this jurisdiction again, with a fresh count of attempts."""
    if not access_for(actor, jurisdiction).can_write(OUTBOX_ROLES):
        raise Forbidden(_("只有本辖区管理员可以重发消息。"))
    row, before = outbox_requeue(jurisdiction_code=jurisdiction.code, notification_id=notification_id)
    audit_record(
        actor=actor,
        action=OUTBOX_RETRIED,
        jurisdiction_code=jurisdiction.code,
        object_type="core.notification",
        object_id=row.pk,
        before=before,
        after={"status": row.status, "attempts": 0},
    )
    return row
