"""Export jobs through a real broker and worker: the job runs in the sender's schema."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

import pytest

from tenants.schema import tenant_context
from tests.conftest import user


@pytest.fixture
def media(monkeypatch: Any, tmp_path: Any, settings: Any) -> Any:
    """One MEDIA_ROOT for this process and the worker it starts."""
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.mark.broker
def test_a_real_worker_builds_the_export_in_the_right_schema(committed: Any, media: Any, celery_worker: str) -> None:
    from reporting.local.models import ExportJob, ExportStatus
    from reporting.statistics.tasks import export_run
    from tests.reception.factories import PlanItemFactory, TaskFactory

    with tenant_context(committed):
        task = TaskFactory(status="settled", start_date=dt.date(2026, 3, 3), end_date=dt.date(2026, 3, 4))
        PlanItemFactory(task=task, unit_price=Decimal("12.34"), quantity=5, working_meal=True, payer="host")
        job = ExportJob.objects.create(
            params={"from": "2026-01-01", "to": "2026-12-31", "group_by": "month"},
            file_format="csv",
            created_by=user("340300-finance"),
        )
        export_run.apply_async(args=[str(job.pk)], queue=celery_worker)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status in (ExportStatus.DONE, ExportStatus.FAILED):
                break
            time.sleep(0.3)
    assert (job.status, job.progress, job.error) == (ExportStatus.DONE, 100, "")
    assert job.file == f"exports/j340300/{job.pk}.csv"
    content = (media / job.file).read_text(encoding="utf-8-sig").splitlines()
    assert content[1].startswith("2026-03,1,0,0,61.70")
    assert content[2].startswith("合计,1,0,0,61.70")
