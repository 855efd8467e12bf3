"""Celery tasks of statistics. Sent from a jurisdiction's schema, they run in it
(tenant-schemas-celery carries the schema in the message)."""

from __future__ import annotations

from celery import shared_task

from reporting.statistics.services import export_run_job
from tenants.schema import current_tenant


@shared_task(name="reporting.export_run", acks_late=True)
def export_run(job_id: str) -> str:
    """Build an export job's file in the current jurisdiction's schema."""
    return str(export_run_job(jurisdiction=current_tenant(), job_id=job_id).status)
