"""An approved amendment makes the task's orders follow it in the same transaction: a dropped
item's open order is withdrawn with the amendment's reason, a changed item's order is updated and
goes back to `sent` (the provider sees what changed and confirms again), a new item gets its order
at the next dispatch; an item never has two open orders (a partial unique index)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from core.models import AuditEntry, Notification
from provider_portal.models import OrderIndex
from provider_portal.orders.models import Order
from reception.models import PlanItem, Task
from tests.conftest import in_tenant
from tests.provider_portal.conftest import provider_api, staff_api
from tests.provider_portal.test_pages import page_client
from tests.reception.factories import PlanItemFactory, at

pytestmark = pytest.mark.django_db

REASON = "来宾改为两晚，取消午餐"


def post(task: Any, role: str, action: str, body: dict[str, Any] | None = None) -> Any:
    response = staff_api("340100", role).post(f"/api/v1/tasks/{task.pk}/{action}/", body or {}, format="json")
    assert response.status_code == 200, response.content
    return response


def orders_by_kind(task: Any) -> dict[str, list[tuple[str, str]]]:
    with in_tenant("340100"):
        rows = Order.objects.filter(task_id=task.pk).order_by("created_at")
        found: dict[str, list[tuple[str, str]]] = {}
        for order in rows:
            found.setdefault(order.kind, []).append((order.status, order.withdraw_reason))
        return found


@pytest.fixture
def dispatched(task: Any) -> Any:
    """The task's lunch (restaurant) and lodging (hotel) dispatched; the hotel accepted."""
    post(task, "handler", "dispatch")
    with in_tenant("340100"):
        lodging = Order.objects.get(task_id=task.pk, kind="lodging")
    assert provider_api("p-hotel").post(f"/api/v1/provider/orders/{lodging.pk}/accept/").status_code == 200
    return task


def amend_and_approve(task: Any, edit: Any) -> None:
    post(task, "handler", "amend", {"reason": REASON})
    with in_tenant("340100"):
        edit(task)
    post(task, "drafter", "submit")
    post(task, "reviewer", "approve")


def test_orders_stay_in_force_while_amending(dispatched: Any) -> None:
    before = orders_by_kind(dispatched)
    post(dispatched, "handler", "amend", {"reason": REASON})
    drafter = staff_api("340100", "drafter")
    with in_tenant("340100"):
        lodging = PlanItem.objects.get(task=dispatched, kind="lodging")
    patch = drafter.patch(f"/api/v1/tasks/{dispatched.pk}/items/{lodging.pk}/", {"quantity": 2}, format="json")
    assert patch.status_code == 200, patch.content
    post(dispatched, "drafter", "submit")
    assert orders_by_kind(dispatched) == before == {"meal": [("sent", "")], "lodging": [("accepted", "")]}


def test_approval_withdraws_dropped_updates_changed_and_leaves_new_items_for_dispatch(dispatched: Any) -> None:
    def edit(task: Any) -> None:
        PlanItem.objects.filter(task=task, kind="meal").delete()
        PlanItem.objects.filter(task=task, kind="lodging").update(quantity=2, venue="稻香楼宾馆5号楼")
        PlanItemFactory(
            task=task,
            kind="meal",
            meal_type="dinner",
            provider_id=OrderIndex.objects.filter(kind="meal").values_list("provider_id", flat=True).first(),
            starts_at=at(18),
            guests_count=2,
            accompanying_count=1,
            quantity=3,
            unit_price=Decimal("50.00"),
            venue="徽园餐厅一楼",
            working_meal=False,
        )

    amend_and_approve(dispatched, edit)
    assert orders_by_kind(dispatched) == {"meal": [("withdrawn", REASON)], "lodging": [("sent", "")]}
    with in_tenant("340100"):
        lodging = Order.objects.get(task_id=dispatched.pk, kind="lodging")
        assert (lodging.quantity, lodging.venue, lodging.planned_amount) == (2, "稻香楼宾馆5号楼", Decimal("760.00"))
        assert lodging.amendment_reason == REASON
        assert [(c["field"], c["before"], c["after"]) for c in lodging.amendment_changes] == [
            ("venue", "稻香楼宾馆3号楼", "稻香楼宾馆5号楼"),
            ("quantity", 4, 2),
            ("planned_amount", "1520.00", "760.00"),
        ]
        assert Task.objects.get(pk=dispatched.pk).status == "in_progress"
    index = OrderIndex.objects.get(pk=lodging.pk)
    assert (index.status, index.venue) == ("sent", "稻香楼宾馆5号楼")
    actions = list(
        AuditEntry.objects.filter(chain="340100", action__in=["provider_portal.order.amended"]).values_list(
            "object_id", "comment"
        )
    )
    assert actions == [(str(lodging.pk), REASON)]
    assert Notification.objects.filter(event="provider_portal.order.changed").exists()
    # The new dinner is dispatched with the next dispatch, once.
    post(dispatched, "handler", "dispatch")
    assert orders_by_kind(dispatched)["meal"] == [("withdrawn", REASON), ("sent", "")]


def test_the_provider_sees_the_change_and_confirms_again(dispatched: Any) -> None:
    amend_and_approve(dispatched, lambda t: PlanItem.objects.filter(task=t, kind="lodging").update(quantity=2))
    with in_tenant("340100"):
        order_id = Order.objects.get(task_id=dispatched.pk, kind="lodging").pk
    detail = provider_api("p-hotel").get(f"/api/v1/provider/orders/{order_id}/").json()
    assert detail["status"] == "sent"
    assert detail["amendment"]["reason"] == REASON
    assert [c["field"] for c in detail["amendment"]["changes"]] == ["quantity", "planned_amount"]
    page = page_client(None, "p-hotel").get(f"/provider/orders/{order_id}/")
    assert page.status_code == 200
    assert REASON in page.content.decode() and 'data-testid="amendment-change"' in page.content.decode()
    assert provider_api("p-hotel").post(f"/api/v1/provider/orders/{order_id}/accept/").status_code == 200


def test_a_changed_provider_withdraws_the_old_order_and_dispatch_sends_the_new(
    dispatched: Any, providers: Any, tree: Any
) -> None:
    from provider_portal.services import provider_add

    other, _created = provider_add(actor=None, name="合肥皇冠假日", kind="hotel", serves=[tree["340100"]])
    amend_and_approve(dispatched, lambda t: PlanItem.objects.filter(task=t, kind="lodging").update(provider=other))
    assert orders_by_kind(dispatched)["lodging"] == [("withdrawn", REASON)]
    post(dispatched, "handler", "dispatch")
    with in_tenant("340100"):
        assert list(
            Order.objects.filter(task_id=dispatched.pk, kind="lodging")
            .order_by("created_at")
            .values_list("provider_id", "status")
        ) == [(providers["hotel"].pk, "withdrawn"), (other.pk, "sent")]


def test_fulfilled_work_stays_as_it_was(dispatched: Any) -> None:
    with in_tenant("340100"):
        lodging = Order.objects.get(task_id=dispatched.pk, kind="lodging")
    assert provider_api("p-hotel").post(f"/api/v1/provider/orders/{lodging.pk}/fulfil/").status_code == 200
    amend_and_approve(dispatched, lambda t: PlanItem.objects.filter(task=t, kind="lodging").delete())
    assert orders_by_kind(dispatched)["lodging"] == [("fulfilled", "")]


def test_the_database_refuses_a_second_open_order_for_an_item(dispatched: Any) -> None:
    with in_tenant("340100"):
        order = Order.objects.get(task_id=dispatched.pk, kind="meal")
        copy = {f.attname: getattr(order, f.attname) for f in Order._meta.concrete_fields if f.attname != "id"}
        with pytest.raises(IntegrityError), transaction.atomic():
            Order.objects.create(**copy)
        Order.objects.filter(pk=order.pk).update(status="withdrawn")
        with transaction.atomic():
            Order.objects.create(**copy)  # a withdrawn order may be followed by another
