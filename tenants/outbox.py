"""The jurisdiction's outbox (发件箱) for its admins: what left, what waits, what failed; retry."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Conflict, Forbidden, NotFound
from core.models import Notification, User
from core.notifications.services import dispatch
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
    row = (
        Notification.objects.select_for_update().filter(pk=notification_id, jurisdiction_code=jurisdiction.code).first()
    )
    if row is None:
        raise NotFound(_("消息不存在。"))
    if row.status != Notification.Status.FAILED:
        raise Conflict(_("只能重发发送失败的消息。"), code="invalid_transition")
    before = {"status": row.status, "attempts": row.attempts, "error_code": row.error_code}
    now = timezone.now()
    row.status = Notification.Status.QUEUED
    row.attempts = 0
    row.next_attempt_at = row.dispatched_at = now
    row.lease_until = row.claim = None
    row.save(update_fields=["status", "attempts", "next_attempt_at", "dispatched_at", "lease_until", "claim"])
    audit_record(
        actor=actor,
        action=OUTBOX_RETRIED,
        jurisdiction_code=jurisdiction.code,
        object_type="core.notification",
        object_id=row.pk,
        before=before,
        after={"status": row.status, "attempts": 0},
    )
    transaction.on_commit(lambda: dispatch([row.pk]))
    return row
