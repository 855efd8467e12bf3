"""The daily digest of early warnings (预警日报) to a jurisdiction's supervisors (纪检监察).

Finance hears of each new finding as it appears (`reporting.supervision.services.warnings_notify`); supervisors
get one message a day listing every current finding, so oversight sees the whole picture
without a message per finding. Run by beat in each jurisdiction's schema; once a day.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.http import site_url
from core.models import User
from core.notifications import MessageKind, notify, register_message_kind
from reporting.supervision.selectors import current_warnings
from tenants.models import Jurisdiction, Membership, Role

DIGEST = "reporting_warnings_digest"
DIGEST_ROLES = (Role.SUPERVISOR,)
#: Audit action of a digest sent.
WARNINGS_DIGEST_SENT = "reporting.warning.digest_sent"
#: At most this many findings are listed in the message; the page has them all.
LISTED = 30


register_message_kind(MessageKind(DIGEST, sms_params=("jurisdiction", "count", "url")))


def warnings_digest(*, jurisdiction: Jurisdiction, today: date | None = None) -> int:
    """Queue today's digest to the supervisors (nothing when there is no finding); once a day.
    Returns the number of messages queued."""
    today = today or timezone.localdate()
    warnings = current_warnings(jurisdiction=jurisdiction)
    if not warnings:
        return 0
    ids = Membership.objects.filter(jurisdiction=jurisdiction, role__in=DIGEST_ROLES).values_list("user_id", flat=True)
    recipients = list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
    by_code = Counter(w.code for w in warnings)
    context = {
        "jurisdiction": jurisdiction.name,
        "day": today.isoformat(),
        "count": len(warnings),
        "errors": sum(1 for w in warnings if w.severity == "error"),
        "codes": sorted(by_code.items()),
        "findings": [{"title": w.task_title, "message": w.message, "severity": w.severity} for w in warnings[:LISTED]],
        "more": max(len(warnings) - LISTED, 0),
        "url": site_url(jurisdiction.host, reverse("reporting-warnings", urlconf="config.urls_tenant")),
    }
    with transaction.atomic():
        queued = notify(
            recipients=recipients,
            event="reporting.warning.digest",
            template=DIGEST,
            context=context,
            jurisdiction_code=jurisdiction.code,
            key=f"warnings-digest:{jurisdiction.code}:{today.isoformat()}",
        )
        if queued:
            audit_record(
                actor=None,
                action=WARNINGS_DIGEST_SENT,
                jurisdiction_code=jurisdiction.code,
                object_type="reporting.warnings",
                object_id=today.isoformat(),
                after={"findings": len(warnings), "messages": len(queued)},
            )
    return len(queued)
