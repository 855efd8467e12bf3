"""Two tasks booking one room at the same moment (committed data in 340300): exactly one wins, by
the exclusion constraint (no code checks first); the other answers 409 `booking_conflict`."""

from __future__ import annotations

import threading
import time
from typing import Any

from reception.models import Booking, Task
from tests.conftest import api, in_tenant, user
from tests.reception.conftest import skip_used_task_ids
from tests.reception.factories import GuestFactory, TaskFactory


def test_two_tasks_booking_one_room_at_once_one_wins(committed: Any, monkeypatch: Any) -> None:
    from provider_portal.services import provider_add
    from reception.services import lodging

    hotel, _c = provider_add(actor=None, name="蚌埠预订测试宾馆", kind="hotel", serves=[committed])
    skip_used_task_ids("340300")
    with in_tenant("340300"):
        tasks = []
        for title in ("甲任务", "乙任务"):
            task = TaskFactory(title=title, created_by=user("340300-drafter"))
            GuestFactory(task=task, name=f"{title}来宾", grade="division")
            tasks.append(task)

    record = lodging.audit_record

    def slow_record(**kwargs: Any) -> Any:
        time.sleep(0.3)  # after the booking is written: the other waits on it, uncommitted
        return record(**kwargs)

    monkeypatch.setattr(lodging, "audit_record", slow_record)
    barrier = threading.Barrier(2)
    answers: dict[int, Any] = {}

    def book(task: Task) -> None:
        from django.db import connections

        try:
            client = api("340300", "340300-drafter")
            barrier.wait()
            body = {"provider": hotel.pk, "rooms": [{"number": "601", "type": "standard"}]}
            answers[task.pk] = client.post(f"/api/v1/tasks/{task.pk}/lodging/allocate/", body, format="json")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    statuses = sorted(response.status_code for response in answers.values())
    assert statuses == [200, 409]
    loser = next(pk for pk, response in answers.items() if response.status_code == 409)
    winner = next(pk for pk in answers if pk != loser)
    assert (answers[loser].json()["code"], answers[loser].json()["task"]) == ("booking_conflict", winner)
    with in_tenant("340300"):
        assert list(Booking.objects.values_list("task_id", "resource")) == [(winner, "601")]
