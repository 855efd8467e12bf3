"""Celery tasks of tenant-local reporting. Sent from a jurisdiction's schema, they run in it
(tenant-schemas-celery carries the schema in the message)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from tenants.schema import current_tenant


@shared_task(name="reporting.export_run", acks_late=True)
def export_run(job_id: str) -> str:
    """Build an export job's file in the current jurisdiction's schema."""
    from reporting.statistics.exports import export_run_job

    return str(export_run_job(jurisdiction=current_tenant(), job_id=job_id).status)


@shared_task(name="reporting.warnings_notify")
def warnings_notify_task() -> int:
    """Tell finance and supervisors of the current jurisdiction about new early warnings."""
    from reporting.supervision.services import warnings_notify

    return warnings_notify(jurisdiction=current_tenant())


@shared_task(name="reporting.warnings_digest")
def warnings_digest_task() -> int:
    """Today's digest of early warnings to the current jurisdiction's supervisors."""
    from reporting.supervision.digest import warnings_digest

    return warnings_digest(jurisdiction=current_tenant())


@shared_task(name="reporting.warnings_digest_sweep")
def warnings_digest_sweep() -> dict[str, Any]:
    """Beat (daily): queue `warnings_digest` in every active jurisdiction's schema."""
    from tenants.models import Jurisdiction
    from tenants.schema import tenant_context

    codes = []
    for jurisdiction in Jurisdiction.objects.filter(status=Jurisdiction.Status.ACTIVE).order_by("code"):
        with tenant_context(jurisdiction):
            warnings_digest_task.delay()
        codes.append(jurisdiction.code)
    return {"queued": len(codes)}


@shared_task(name="reporting.warnings_sweep")
def warnings_sweep() -> dict[str, Any]:
    """Beat: queue `warnings_notify` in every active jurisdiction's schema (one message each)."""
    from tenants.models import Jurisdiction
    from tenants.schema import tenant_context

    codes = []
    for jurisdiction in Jurisdiction.objects.filter(status=Jurisdiction.Status.ACTIVE).order_by("code"):
        with tenant_context(jurisdiction):
            warnings_notify_task.delay()
        codes.append(jurisdiction.code)
    return {"queued": len(codes)}
