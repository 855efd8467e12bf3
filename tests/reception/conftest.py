"""Reception fixtures: a draft task in 合肥 (340100) with a clean plan, and providers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from provider_portal.services import provider_add
from tests.conftest import in_tenant

# Issue 8's fixtures (meetings, schedule, lodging, seating, library), kept in their own module.
from tests.reception.arrangements import meeting_task  # noqa: F401
from tests.reception.factories import GuestFactory, LetterFactory, PlanItemFactory, StaffFactory, TaskFactory

TASKS = "/api/v1/tasks/"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()  # rate-limit counters live in the cache
    yield
    cache.clear()


@pytest.fixture
def letter(tree: dict[str, Any]) -> Any:
    with in_tenant("340100"):
        return LetterFactory()


@pytest.fixture
def draft(tree: dict[str, Any]) -> Any:
    """A draft task in 340100 with two guests, one accompanying official and one lunch that passes
    every rule."""
    with in_tenant("340100"):
        task = TaskFactory()
        GuestFactory(task=task, name="王明", grade="bureau", post="副主任")
        GuestFactory(task=task, name="李华", grade="division")
        StaffFactory(task=task, name="赵强")
        PlanItemFactory(task=task, guests_count=2, accompanying_count=1, quantity=3)
        return task


@pytest.fixture
def hotel(tree: dict[str, Any]) -> Any:
    provider, _created = provider_add(actor=None, name="稻香楼宾馆", kind="hotel", serves=[tree["340100"]])
    return provider


@pytest.fixture
def elsewhere_hotel(tree: dict[str, Any]) -> Any:
    provider, _created = provider_add(actor=None, name="芜湖宾馆", kind="hotel", serves=[tree["340200"]])
    return provider


def task_url(task: Any, suffix: str = "") -> str:
    return f"{TASKS}{task.pk}/{suffix}"


def snapshot(code: str = "340100") -> dict[str, Any]:
    """Everything a refused request must leave as it was (rows, states, versions, audit)."""
    from core.models import AuditEntry
    from reception.models import AccompanyingStaff, Guest, Letter, LetterAttachment, PlanItem, Standard, Task

    with in_tenant(code):
        state = {
            "letters": list(Letter.objects.order_by("pk").values_list("pk", "status", "number")),
            "attachments": LetterAttachment.objects.count(),
            "tasks": list(Task.objects.order_by("pk").values_list("pk", "status", "version", "handler_id", "title")),
            "guests": list(Guest.objects.order_by("pk").values_list("pk", "version", "name")),
            "staff": list(AccompanyingStaff.objects.order_by("pk").values_list("pk", "version")),
            "items": list(PlanItem.objects.order_by("pk").values_list("pk", "version", "unit_price", "venue")),
            "standards": Standard.objects.count(),
        }
    state["audit"] = AuditEntry.objects.filter(chain=code).count()
    return state


def skip_used_task_ids(code: str) -> None:
    """Committed tests empty their schema with RESTART IDENTITY, but the audit log (append-only,
    public) keeps entries of earlier tasks by id: start this schema's task ids past all of them."""
    from django.db import connection

    from core.models import AuditEntry

    used = AuditEntry.objects.filter(chain=code, object_type="reception.task").values_list("object_id", flat=True)
    top = max((int(object_id) for object_id in used), default=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [f'"j{code}"."reception_task"', top + 1])
