"""Writes of statistics: export jobs. A large export (with one detail line per reception) runs as a
Celery job with progress; the finished file is kept under MEDIA_ROOT and downloaded through the
API (membership checked)."""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.db.replica import reporting_reads
from core.models import User
from reporting.local.models import ExportJob, ExportStatus
from reporting.statistics.exports import detail_lines, file_bytes
from reporting.statistics.selectors import statistics
from tenants.models import Jurisdiction


def export_create(
    *, actor: User, jurisdiction: Jurisdiction, start: date, end: date, group_by: str, file_format: str
) -> ExportJob:
    """Queue an export job (after commit); audited."""
    from reporting.statistics.tasks import export_run

    with transaction.atomic():
        job = ExportJob.objects.create(
            params={"from": start.isoformat(), "to": end.isoformat(), "group_by": group_by},
            file_format=file_format,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="reporting.export.created",
            jurisdiction_code=jurisdiction.code,
            object_type="reporting.export",
            object_id=str(job.pk),
            after={**job.params, "format": file_format},
        )
        job_id = str(job.pk)
        transaction.on_commit(lambda: export_run.delay(job_id))
    return job


def export_run_job(*, jurisdiction: Jurisdiction, job_id: str) -> ExportJob:
    """Build the job's file, recording progress; safe to run twice (a finished job stays)."""
    job = ExportJob.objects.get(pk=job_id)
    if job.status == ExportStatus.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=0)
    try:
        start, end = date.fromisoformat(job.params["from"]), date.fromisoformat(job.params["to"])

        def progress(done: int, total: int) -> None:
            # The detail is most of the work; the last 5 % is writing the file.
            ExportJob.objects.filter(pk=job.pk).update(progress=min(95, done * 95 // max(total, 1)))

        # The figures may come from the read replica (the job's own row never does).
        with reporting_reads():
            data = statistics(
                jurisdiction=jurisdiction, start=start, end=end, group_by=job.params["group_by"]
            ).as_json()
            detail = list(detail_lines(start, end, progress))
        content = file_bytes(data, job.file_format, jurisdiction_name=jurisdiction.name, detail=detail)
        name = default_storage.save(
            f"exports/{jurisdiction.schema_name}/{job.pk}.{job.file_format}", ContentFile(content)
        )
    except Exception as exc:  # the job records any failure for the user, then re-raises for the log
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=str(exc)[:2000])
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, progress=100, file=name, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job
