"""A task directive delivered by a real Celery worker through the broker, into the target's schema."""

from __future__ import annotations

import time

import pytest

from config.celery import app
from reception.models import Letter, Task
from reporting.models import Delivery, Directive
from tests.conftest import api, in_tenant, user
from tests.reception.factories import GuestFactory, PlanItemFactory, TaskFactory


@pytest.mark.broker
def test_a_real_worker_delivers_a_task_directive_as_a_local_draft(committed, celery_worker):
    with in_tenant("340000"):
        origin = TaskFactory(title="跨市接待（真实队列）", status="submitted", created_by=user("340000-drafter"))
        GuestFactory(task=origin)
        PlanItemFactory(task=origin)
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = celery_worker  # the dispatch after commit goes to the test worker
    directive_id = None
    try:
        response = api("340000", "340000-admin").post(
            "/api/v1/directives/",
            {"kind": "task", "title": "沿线接待", "targets": ["340300"], "task": origin.pk},
            format="json",
        )
        assert response.status_code == 201, response.json()
        directive_id = response.json()["id"]
        deadline = time.monotonic() + 60
        delivery = Delivery.objects.get(directive_id=directive_id)
        while time.monotonic() < deadline and delivery.status == "sent":
            time.sleep(0.3)
            delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("delivered", 1), delivery.last_error
        with in_tenant("340300"):
            local = Task.objects.select_related("letter").get(pk=delivery.local_task_id)
            assert (local.status, local.title, local.letter.number) == ("draft", origin.title, origin.letter.number)
            assert (local.guests.count(), local.items.count()) == (1, 1)
        detail = api("340000", "340000-admin").get(f"/api/v1/directives/{directive_id}/").json()
        assert detail["deliveries"][0]["local_task_status"] == "draft"
        inbox = api("340300", "340300-admin").get("/api/v1/directives/inbox/").json()["results"]
        assert [e["title"] for e in inbox] == ["沿线接待"]
    finally:
        app.conf.task_default_queue = default_queue
        if directive_id is not None:
            Directive.objects.filter(pk=directive_id).delete()
        with in_tenant("340000"):
            Task.objects.filter(pk=origin.pk).delete()
            Letter.objects.filter(pk=origin.letter_id).delete()
