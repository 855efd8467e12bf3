"""The same provider action twice at once (two sessions, committed data in 340300): one wins, the
other waits on the row lock, then finds the state moved on (409); the order in its schema, the
inbox index and the audit log agree."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from core.models import AuditEntry
from provider_portal.models import OrderIndex, ProviderServiceArea
from tests.conftest import api, in_tenant, user
from tests.reception.conftest import skip_used_task_ids


def test_two_accepts_at_once_one_wins(committed: Any, monkeypatch: Any) -> None:
    from provider_portal.orders import services
    from provider_portal.orders.models import Order
    from provider_portal.services import provider_add
    from reception.services.orders import task_dispatch
    from tenants.services import user_ensure
    from tests.conftest import PASSWORD
    from tests.reception.factories import PlanItemFactory, TaskFactory

    staff, _c = user_ensure(username="p-bengbu", password=PASSWORD, display_name="蚌埠并发测试宾馆")
    hotel, _c = provider_add(actor=None, name="蚌埠并发测试宾馆", kind="hotel", serves=[committed], staff_user=staff)
    skip_used_task_ids("340300")
    try:
        with in_tenant("340300"):
            task = TaskFactory(status="in_progress", created_by=user("340300-drafter"), handler=user("340300-handler"))
            PlanItemFactory(task=task, kind="lodging", meal_type="", provider=hotel, room_type="standard")
            task_dispatch(actor=user("340300-handler"), jurisdiction=committed, task_id=task.pk)
            order_id = str(Order.objects.get(task_id=task.pk).pk)

        record = services.audit_record

        def slow_record(**kwargs: Any) -> Any:
            time.sleep(0.3)  # hold each action inside its transaction so that the two overlap
            return record(**kwargs)

        monkeypatch.setattr(services, "audit_record", slow_record)
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def act(action: str, body: dict[str, str]) -> None:
            from django.db import connections

            client = api(None, "p-bengbu")
            try:
                barrier.wait()
                response = client.post(f"/api/v1/provider/orders/{order_id}/{action}/", body, format="json")
                statuses.append(response.status_code)
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=act, args=("accept", {})),
            threading.Thread(target=act, args=("accept", {})),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(statuses) == [200, 409]
        winner = "accepted"
        with in_tenant("340300"):
            assert Order.objects.get(pk=order_id).status == winner
        assert OrderIndex.objects.get(pk=order_id).status == winner
        done = AuditEntry.objects.filter(
            chain="340300", object_id=order_id, action__startswith="provider_portal.order."
        )
        assert sorted(done.values_list("action", flat=True)) == [
            f"provider_portal.order.{winner}",
            "provider_portal.order.sent",
        ]
    finally:  # committed rows of the public schema: leave 340300 as other committed tests expect it
        OrderIndex.objects.filter(jurisdiction=committed).delete()
        ProviderServiceArea.objects.filter(provider=hotel).delete()


@pytest.mark.parametrize("first", ["accept", "cancel"])
def test_accept_while_the_task_is_cancelled_ends_consistent(committed: Any, monkeypatch: Any, first: str) -> None:
    """The provider accepts as the task is cancelled. Whoever locks the order first holds it while
    the other arrives: accept first → accepted, then withdrawn (both 200); cancel first → the
    accept waits, finds the order withdrawn: 409. Order, index and audit agree either way."""
    from provider_portal.orders import services
    from provider_portal.orders.models import Order
    from provider_portal.services import provider_add
    from reception.models import Task
    from reception.services.orders import task_dispatch
    from tenants.services import user_ensure
    from tests.conftest import PASSWORD
    from tests.reception.factories import PlanItemFactory, TaskFactory

    staff, _c = user_ensure(username="p-bengbu", password=PASSWORD, display_name="蚌埠并发测试宾馆")
    hotel, _c = provider_add(actor=None, name="蚌埠并发测试宾馆", kind="hotel", serves=[committed], staff_user=staff)
    skip_used_task_ids("340300")
    try:
        with in_tenant("340300"):
            task = TaskFactory(status="in_progress", created_by=user("340300-drafter"), handler=user("340300-handler"))
            PlanItemFactory(task=task, kind="lodging", meal_type="", provider=hotel, room_type="standard")
            task_dispatch(actor=user("340300-handler"), jurisdiction=committed, task_id=task.pk)
            order_id = str(Order.objects.get(task_id=task.pk).pk)

        # The first action signals once it holds the order's lock (its audit entry is written
        # under the lock), then keeps the lock a while so that the second one must wait on it.
        holding = threading.Event()
        holder = "provider_portal.order.accepted" if first == "accept" else "provider_portal.order.withdrawn"
        record = services.audit_record

        def slow_record(**kwargs: Any) -> Any:
            if kwargs["action"] == holder:
                holding.set()
                time.sleep(0.5)
            return record(**kwargs)

        monkeypatch.setattr(services, "audit_record", slow_record)
        statuses: dict[str, int] = {}

        def accept() -> None:
            client = api(None, "p-bengbu")
            if first == "cancel":
                assert holding.wait(timeout=10)
            statuses["accept"] = client.post(f"/api/v1/provider/orders/{order_id}/accept/").status_code

        def cancel() -> None:
            client = api("340300", "340300-drafter")
            if first == "accept":
                assert holding.wait(timeout=10)
            response = client.post(f"/api/v1/tasks/{task.pk}/cancel/", {"reason": "会议延期"}, format="json")
            statuses["cancel"] = response.status_code

        def run(target: Any) -> Any:
            def wrapped() -> None:
                from django.db import connections

                try:
                    target()
                finally:
                    connections.close_all()

            return threading.Thread(target=wrapped)

        threads = [run(accept), run(cancel)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        expected = {"accept": 200 if first == "accept" else 409, "cancel": 200}
        assert statuses == expected
        with in_tenant("340300"):
            assert Task.objects.get(pk=task.pk).status == "cancelled"
            order = Order.objects.get(pk=order_id)
            assert (order.status, order.withdraw_reason) == ("withdrawn", "会议延期")
        index = OrderIndex.objects.get(pk=order_id)
        assert (index.status, index.withdraw_reason) == ("withdrawn", "会议延期")
        done = AuditEntry.objects.filter(
            chain="340300", object_id=order_id, action__startswith="provider_portal.order."
        )
        actions = ["sent", "accepted", "withdrawn"] if first == "accept" else ["sent", "withdrawn"]
        assert list(done.order_by("pk").values_list("action", flat=True)) == [
            f"provider_portal.order.{a}" for a in actions
        ]
        withdrawn = done.get(action="provider_portal.order.withdrawn")
        assert withdrawn.before["status"] == ("accepted" if first == "accept" else "sent")
    finally:  # committed rows of the public schema: leave 340300 as other committed tests expect it
        OrderIndex.objects.filter(jurisdiction=committed).delete()
        ProviderServiceArea.objects.filter(provider=hotel).delete()
