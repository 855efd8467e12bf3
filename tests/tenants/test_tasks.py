"""Tenant-aware Celery tasks: eagerly in unit tests, and through a real broker and worker."""

from __future__ import annotations

import time
import uuid

import pytest

from core.models import AuditEntry
from tenants.schema import tenant_context
from tenants.tasks import schema_check


@pytest.mark.django_db
def test_schema_check_runs_in_the_senders_schema(tree):
    with tenant_context(tree["340100"]):
        result = schema_check.delay(tag="eager").get()
    assert result == {"schema": "j340100", "code": "340100", "current": True}
    entry = AuditEntry.objects.filter(chain="340100", action="tenants.schema.checked").latest("sequence")
    assert entry.after == {"schema": "j340100", "current": True, "tag": "eager"}


@pytest.mark.broker
def test_real_worker_runs_a_task_in_the_right_schema(committed, celery_worker):
    tag = uuid.uuid4().hex
    with tenant_context(committed):
        schema_check.apply_async(kwargs={"tag": tag}, queue=celery_worker)
    deadline = time.monotonic() + 60
    entry = None
    while time.monotonic() < deadline and entry is None:
        entry = AuditEntry.objects.filter(action="tenants.schema.checked", after__tag=tag).first()
        time.sleep(0.3)
    assert entry is not None, "the worker did not run the task"
    assert entry.jurisdiction_code == "340300"
    assert entry.after == {"schema": "j340300", "current": True, "tag": tag}
