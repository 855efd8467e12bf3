"""Amendments at the same moment (committed data in 340300): the database decides."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from reception.models import Revision, Task
from tests.conftest import api, in_tenant, user
from tests.reception.conftest import skip_used_task_ids
from tests.reception.factories import PlanItemFactory, TaskFactory

REASON = "来宾推迟一天到达"


@pytest.fixture
def committed_task(committed: Any) -> Any:
    skip_used_task_ids("340300")
    with in_tenant("340300"):
        task = TaskFactory(status="in_progress", created_by=user("340300-drafter"), handler=user("340300-handler"))
        PlanItemFactory(task=task)
    return task


def test_two_amendments_at_once_one_wins(committed_task: Any) -> None:
    """Two amend requests at the same moment: the task's row lock orders them; the second finds
    the state moved on (409), and one revision is open."""
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def go(username: str) -> None:
        from django.db import connections

        try:
            client = api("340300", username)
            barrier.wait()
            statuses.append(
                client.post(f"/api/v1/tasks/{committed_task.pk}/amend/", {"reason": REASON}, format="json").status_code
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(u,)) for u in ("340300-drafter", "340300-handler")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 409]
    with in_tenant("340300"):
        assert list(Revision.objects.filter(task_id=committed_task.pk).values_list("number", "status")) == [(1, "open")]
        assert Task.objects.get(pk=committed_task.pk).status == "amending"


def test_an_amendment_approved_while_the_provider_accepts_the_old_order(committed: Any, monkeypatch: Any) -> None:
    """The approval and the provider's accept overlap: they take the order's locks in one order (the
    inbox row, then the order), so neither deadlocks; whichever went first, the order ends with the
    amended content, one open order for the item, and its state tells who went last."""
    from core.models import AuditEntry
    from provider_portal.models import OrderIndex
    from provider_portal.orders import services
    from provider_portal.orders.models import Order
    from provider_portal.services import provider_add
    from reception.models import PlanItem
    from reception.services.orders import task_dispatch
    from reception.services.plans import item_update
    from reception.services.transitions import task_amend, task_submit
    from tenants.services import user_ensure
    from tests.conftest import PASSWORD

    staff, _c = user_ensure(username="p-bengbu-amend", password=PASSWORD, display_name="蚌埠变更测试宾馆")
    hotel, _c = provider_add(actor=None, name="蚌埠变更测试宾馆", kind="hotel", serves=[committed], staff_user=staff)
    skip_used_task_ids("340300")
    try:
        with in_tenant("340300"):
            task = TaskFactory(status="in_progress", created_by=user("340300-drafter"), handler=user("340300-handler"))
            item = PlanItemFactory(
                task=task,
                kind="lodging",
                meal_type="",
                provider=hotel,
                room_type="standard",
                quantity=4,
                menu="",
                guests_count=2,
                accompanying_count=0,
            )
            task_dispatch(actor=user("340300-handler"), jurisdiction=committed, task_id=task.pk)
            order_id = str(Order.objects.get(task_id=task.pk).pk)
            task_amend(actor=user("340300-handler"), jurisdiction=committed, task_id=task.pk, reason=REASON)
            item_update(
                actor=user("340300-drafter"),
                jurisdiction=committed,
                task_id=task.pk,
                item_id=item.pk,
                changes={"quantity": 2},
            )
            task_submit(actor=user("340300-drafter"), jurisdiction=committed, task_id=task.pk)

        record = services.audit_record

        def slow_record(**kwargs: Any) -> Any:
            time.sleep(0.3)  # hold each side inside its transaction so that the two overlap
            return record(**kwargs)

        monkeypatch.setattr(services, "audit_record", slow_record)
        barrier = threading.Barrier(2)
        statuses: dict[str, int] = {}

        def go(name: str, host: str | None, username: str, url: str) -> None:
            from django.db import connections

            try:
                client = api(host, username)
                barrier.wait()
                statuses[name] = client.post(url, {}, format="json").status_code
            finally:
                connections.close_all()

        threads = [
            threading.Thread(
                target=go, args=("approve", "340300", "340300-reviewer", f"/api/v1/tasks/{task.pk}/approve/")
            ),
            threading.Thread(
                target=go, args=("accept", None, "p-bengbu-amend", f"/api/v1/provider/orders/{order_id}/accept/")
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert statuses == {"approve": 200, "accept": 200}
        with in_tenant("340300"):
            order = Order.objects.get(pk=order_id)
            assert Order.objects.filter(item_id=item.pk).count() == 1
            assert (order.quantity, PlanItem.objects.get(pk=item.pk).quantity) == (2, 2)
            assert Task.objects.get(pk=task.pk).status == "in_progress"
        last = (
            AuditEntry.objects.filter(chain="340300", object_id=order_id, action__startswith="provider_portal.order.")
            .latest("sequence")
            .action
        )
        # Accepted first: the amendment sends it back to confirm. Amended first: the provider
        # accepted the amended order.
        assert (last, order.status) in {
            ("provider_portal.order.amended", "sent"),
            ("provider_portal.order.accepted", "accepted"),
        }
        assert OrderIndex.objects.get(pk=order_id).status == order.status
    finally:
        OrderIndex.objects.filter(jurisdiction=committed).delete()
