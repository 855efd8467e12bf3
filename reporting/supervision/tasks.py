"""Celery tasks of supervision: early-warning notices and the daily digest, each run in a
jurisdiction's schema (tenant-schemas-celery carries the schema in the message), and the beat
sweeps that queue them in every active jurisdiction."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from reporting.supervision.digest import warnings_digest
from reporting.supervision.services import warnings_notify
from tenants.models import Jurisdiction
from tenants.schema import current_tenant, tenant_context


@shared_task(name="reporting.warnings_notify")
def warnings_notify_task() -> int:
    """Tell finance and supervisors of the current jurisdiction about new early warnings."""
    return warnings_notify(jurisdiction=current_tenant())


@shared_task(name="reporting.warnings_digest")
def warnings_digest_task() -> int:
    """Today's digest of early warnings to the current jurisdiction's supervisors."""
    return warnings_digest(jurisdiction=current_tenant())


@shared_task(name="reporting.warnings_digest_sweep")
def warnings_digest_sweep() -> dict[str, Any]:
    """Beat (daily): queue `warnings_digest` in every active jurisdiction's schema."""
    codes = []
    for jurisdiction in Jurisdiction.objects.filter(status=Jurisdiction.Status.ACTIVE).order_by("code"):
        with tenant_context(jurisdiction):
            warnings_digest_task.delay()
        codes.append(jurisdiction.code)
    return {"queued": len(codes)}


@shared_task(name="reporting.warnings_sweep")
def warnings_sweep() -> dict[str, Any]:
    """Beat: queue `warnings_notify` in every active jurisdiction's schema (one message each)."""
    codes = []
    for jurisdiction in Jurisdiction.objects.filter(status=Jurisdiction.Status.ACTIVE).order_by("code"):
        with tenant_context(jurisdiction):
            warnings_notify_task.delay()
        codes.append(jurisdiction.code)
    return {"queued": len(codes)}
