"""Onboarding through a real broker and worker: approval → active within seconds, committed."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.models import AuditEntry, User
from tenants import onboarding
from tenants.lifecycle import jurisdiction_delete
from tenants.models import Application, Jurisdiction
from tenants.tasks import onboarding_provision, schema_check
from tests.tenants.onboarding_helpers import STRONG, applied, approve, status_of

CODE, USERNAME, HOST = "340102", "yaohai-worker-admin", "yaohai.localhost"


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.broker
def test_real_worker_provisions_an_approved_application(committed, celery_worker, monkeypatch):
    cache.clear()
    # the worker is up (it ran a first task)
    tag = uuid.uuid4().hex
    schema_check.apply_async(kwargs={"tag": tag}, queue=celery_worker)
    assert _wait(lambda: AuditEntry.objects.filter(after__tag=tag).exists(), 60), "worker did not start"
    monkeypatch.setattr(
        onboarding,
        "provision_dispatch",
        lambda application_id: onboarding_provision.apply_async(args=[application_id], queue=celery_worker),
    )
    application_id, token = applied(code=CODE, name="瑶海区", admin_username=USERNAME)
    try:
        started = time.monotonic()
        assert approve(application_id, "340000-admin").status_code == 202
        assert _wait(lambda: status_of(application_id, token)["status"] in ("active", "failed"), 30)
        elapsed = time.monotonic() - started
        tracked = status_of(application_id, token)
        assert tracked["status"] == "active", tracked
        assert tracked["host"] == HOST
        assert elapsed < 5, f"approval → active took {elapsed:.2f}s through the worker"
        client = APIClient(HTTP_HOST=HOST)
        login = client.post("/api/v1/auth/login/", {"username": USERNAME, "password": STRONG}, format="json")
        assert login.status_code == 200
    finally:
        if Jurisdiction.objects.filter(code=CODE).exists():
            jurisdiction_delete(actor=None, code=CODE)
        User.objects.filter(username=USERNAME).update(username=f"{USERNAME}-{uuid.uuid4().hex[:6]}", is_active=False)
        Application.objects.filter(pk=application_id).delete()
