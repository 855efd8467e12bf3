"""Orders: dispatch and re-dispatch, decline, costs (cash refused), finance's review, completion."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.models import AuditEntry, Notification
from provider_portal.models import OrderIndex, ProviderServiceArea
from provider_portal.orders.models import Order, OrderCost
from reception.models import PlanItem, Task
from tests.conftest import error_codes, in_tenant, refused, unchanged
from tests.provider_portal.conftest import cost_body, provider_api, staff_api

pytestmark = pytest.mark.django_db


def dispatch(task: Any, body: dict[str, Any] | None = None, role: str = "handler") -> Any:
    return staff_api("340100", role).post(f"/api/v1/tasks/{task.pk}/dispatch/", body or {}, format="json")


def orders(task: Any) -> dict[str, dict[str, Any]]:
    rows = staff_api("340100", "handler").get(f"/api/v1/tasks/{task.pk}/orders/").json()
    return {row["kind"]: row for row in rows if row["status"] != "declined"}


def act(username: str, order_id: str, action: str, body: dict[str, Any] | None = None) -> Any:
    return provider_api(username).post(f"/api/v1/provider/orders/{order_id}/{action}/", body or {}, format="json")


def fulfilled(task: Any) -> dict[str, str]:
    assert dispatch(task).status_code == 200
    ids = {kind: row["id"] for kind, row in orders(task).items()}
    for kind, username in (("lodging", "p-hotel"), ("meal", "p-restaurant")):
        assert act(username, ids[kind], "accept").status_code == 200
        assert act(username, ids[kind], "fulfil").status_code == 200
    return ids


def test_dispatch_needs_the_handler_and_a_task_in_progress(task: Any) -> None:
    for role in ("drafter", "reviewer", "finance", "admin", "counterpart", "supervisor"):
        with unchanged("340100"):
            refused(dispatch(task, role=role), 403, "permission_denied")
    with in_tenant("340100"):
        assert Order.objects.count() == 0
        Task.objects.filter(pk=task.pk).update(status="approved")
    early = dispatch(task)
    refused(early, 409, "invalid_transition")
    assert not OrderIndex.objects.exists()


def test_dispatch_records_each_order_and_the_transition(task: Any) -> None:
    assert dispatch(task).status_code == 200
    with in_tenant("340100"):
        ids = [str(pk) for pk in Order.objects.values_list("pk", flat=True)]
    sent = AuditEntry.objects.filter(chain="340100", action="provider_portal.order.sent")
    assert sorted(sent.values_list("object_id", flat=True)) == sorted(ids)
    assert AuditEntry.objects.filter(chain="340100", action="reception.task.dispatched").count() == 1


def test_a_provider_taken_off_the_list_cannot_receive_orders(task: Any, providers: dict[str, Any], tree: Any) -> None:
    ProviderServiceArea.objects.filter(provider=providers["hotel"], jurisdiction=tree["340100"]).delete()
    refused = dispatch(task)
    assert refused.status_code == 400 and "provider" in refused.json()
    with in_tenant("340100"):
        assert Order.objects.count() == 0


def test_decline_with_reason_returns_the_item_for_redispatch(task: Any, providers: dict[str, Any], tree: Any) -> None:
    from core.models import User

    User.objects.filter(username="340100-handler").update(email="handler@hefei.example")
    assert dispatch(task).status_code == 200
    hotel_order = orders(task)["lodging"]["id"]
    no_reason = act("p-hotel", hotel_order, "decline", {"reason": "  "})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    declined = act("p-hotel", hotel_order, "decline", {"reason": "客房已满"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert declined.json()["decline_reason"] == "客房已满"
    # The handler who dispatched is told.
    told = Notification.objects.filter(event="provider_portal.order.declined")
    assert list(told.values_list("address", flat=True)) == ["handler@hefei.example"]
    assert "客房已满" in told.get().body
    # Declined again, accepted after declining: 409.
    with unchanged("340100"):
        refused(act("p-hotel", hotel_order, "decline", {"reason": "x"}), 409, "invalid_transition")
        refused(act("p-hotel", hotel_order, "accept"), 409, "invalid_transition")

    # Re-dispatch to another designated hotel.
    other, _c = __import__("provider_portal.services", fromlist=["provider_add"]).provider_add(
        actor=None, name="古井假日酒店", kind="hotel", serves=[tree["340100"]]
    )
    with in_tenant("340100"):
        lodging = PlanItem.objects.get(task=task, kind="lodging")
    wrong = dispatch(task, {"reassign": [{"item": lodging.pk, "provider": providers["wuhu"].pk}]})
    refused(wrong, 400, "provider_not_serving")
    again = dispatch(task, {"reassign": [{"item": lodging.pk, "provider": other.pk}]})
    assert again.status_code == 200, again.json()
    live = orders(task)["lodging"]
    assert live["provider"] == other.pk and live["status"] == "sent" and live["id"] != hotel_order
    with in_tenant("340100"):
        assert PlanItem.objects.get(pk=lodging.pk).provider_id == other.pk
        assert Order.objects.filter(item_id=lodging.pk).count() == 2


def test_complete_allows_declined_orders(task: Any) -> None:
    assert dispatch(task).status_code == 200
    ids = {kind: row["id"] for kind, row in orders(task).items()}
    assert act("p-hotel", ids["lodging"], "decline", {"reason": "停业装修"}).status_code == 200
    assert act("p-restaurant", ids["meal"], "accept").status_code == 200
    assert (
        staff_api("340100", "handler").post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json").status_code == 409
    )
    assert act("p-restaurant", ids["meal"], "fulfil").status_code == 200
    done = staff_api("340100", "handler").post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "completed"


def test_costs_only_once_fulfilled(task: Any) -> None:
    assert dispatch(task).status_code == 200
    order_id = orders(task)["lodging"]["id"]
    early = act("p-hotel", order_id, "costs", cost_body("100.00"))
    refused(early, 409, "invalid_transition")


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (cost_body("100.00", method="cash"), "lines", "cash_refused"),
        (cost_body("100.00", method="cheque"), "lines", "invalid_payment_method"),
        (cost_body("-1.00"), "lines", "invalid_amount"),
        (cost_body("0"), "lines", "invalid_amount"),
        (
            {"invoice_number": "", "lines": [{"description": "房费", "amount": "1", "payment_method": "transfer"}]},
            "invoice_number",
            "blank",
        ),
        ({"invoice_number": "A1", "lines": []}, "lines.non_field_errors", "empty"),
        (
            {"invoice_number": "A1", "lines": [{"description": "房费", "amount": "abc", "payment_method": "transfer"}]},
            "lines.0.amount",
            "invalid",
        ),
        ({"invoice_number": "A1", "lines": "x"}, "lines.non_field_errors", "not_a_list"),
    ],
)
def test_bad_costs_are_400_with_their_code(task: Any, body: dict[str, Any], field: str, code: str) -> None:
    ids = fulfilled(task)
    response = act("p-hotel", ids["lodging"], "costs", body)
    assert response.status_code == 400, response.content
    assert field.split(".")[0] in response.json()  # DRF's `{field: [messages]}` stays
    assert error_codes(response) == {(field, code)}
    with in_tenant("340100"):
        assert Order.objects.get(pk=ids["lodging"]).status == "fulfilled"
        assert not OrderCost.objects.exists()


def test_cash_is_refused_with_its_code(task: Any) -> None:
    ids = fulfilled(task)
    response = act("p-hotel", ids["lodging"], "costs", cost_body("100.00", "20.00", method="cash"))
    assert (response.status_code, error_codes(response)) == (400, {("lines", "cash_refused")})


def test_finance_returns_a_cost_and_the_provider_reports_again(task: Any) -> None:
    ids = fulfilled(task)
    finance = staff_api("340100", "finance")
    assert act("p-hotel", ids["lodging"], "costs", cost_body("1600.00")).status_code == 200
    with unchanged("340100"):
        refused(finance.post(f"/api/v1/orders/{ids['lodging']}/return-cost/", {}, format="json"), 400, "required")
    returned = finance.post(f"/api/v1/orders/{ids['lodging']}/return-cost/", {"comment": "超出协议价"}, format="json")
    assert returned.status_code == 200
    assert returned.json()["status"] == "fulfilled" and returned.json()["cost_comment"] == "超出协议价"
    assert OrderIndex.objects.get(pk=ids["lodging"]).status == "fulfilled"
    again = act("p-hotel", ids["lodging"], "costs", cost_body("1520.00", method="transfer"))
    assert again.status_code == 200
    approved = finance.post(f"/api/v1/orders/{ids['lodging']}/approve-cost/", {}, format="json")
    assert approved.json()["amount"] == "1520.00"
    assert approved.json()["cost"]["lines"][0]["payment_method"] == "transfer"
    with in_tenant("340100"):
        assert OrderCost.objects.filter(order_id=ids["lodging"]).count() == 1
        assert OrderCost.objects.get(order_id=ids["lodging"]).approved_at is not None
    # The answer is the approved order as stored (it is serialised from the reviewed instance,
    # not read again): the same as the order's detail read afterwards.
    assert approved.json()["status"] == "cost_approved" and approved.json()["cost"]["approved_at"] is not None
    assert approved.json() == finance.get(f"/api/v1/orders/{ids['lodging']}/").json()
    # Approved: neither reported again nor returned.
    with unchanged("340100"):
        refused(act("p-hotel", ids["lodging"], "costs", cost_body("1.00")), 409, "invalid_transition")
        returned_again = finance.post(f"/api/v1/orders/{ids['lodging']}/return-cost/", {"comment": "x"}, format="json")
        refused(returned_again, 409, "invalid_transition")
    with in_tenant("340100"):
        assert Order.objects.get(pk=ids["lodging"]).cost_amount == Decimal("1520.00")


def test_only_finance_of_this_jurisdiction_reviews_costs(task: Any) -> None:
    ids = fulfilled(task)
    assert act("p-hotel", ids["lodging"], "costs", cost_body("100.00")).status_code == 200
    for role in ("handler", "drafter", "reviewer", "admin", "supervisor", "counterpart"):
        with unchanged("340100"):
            refused(
                staff_api("340100", role).post(f"/api/v1/orders/{ids['lodging']}/approve-cost/"),
                403,
                "permission_denied",
            )
    # Finance of the province (oversight is read-only) and of another city.
    from tests.conftest import api

    refused(
        api("340100", "340000-finance").post(f"/api/v1/orders/{ids['lodging']}/approve-cost/"), 403, "permission_denied"
    )
    other = api("340100", "340200-finance")
    refused(other.post(f"/api/v1/orders/{ids['lodging']}/approve-cost/"), 403, "permission_denied")
    # On its own host the order does not exist.
    refused(api("340200", "340200-finance").post(f"/api/v1/orders/{ids['lodging']}/approve-cost/"), 404, "not_found")
    with in_tenant("340100"):
        assert Order.objects.get(pk=ids["lodging"]).status == "cost_reported"


def test_a_provider_action_is_one_transaction_across_both_schemas(task: Any, monkeypatch: Any) -> None:
    """If the index row cannot be written, the order in the tenant schema stays as it was."""
    from provider_portal.orders import services

    assert dispatch(task).status_code == 200
    order_id = orders(task)["lodging"]["id"]

    def broken(order: Any) -> None:
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(services, "_index_sync", broken)
    with pytest.raises(RuntimeError):
        services.order_accept(actor=__import__("tests.conftest", fromlist=["user"]).user("p-hotel"), order_id=order_id)
    with in_tenant("340100"):
        assert Order.objects.get(pk=order_id).status == "sent"
    assert OrderIndex.objects.get(pk=order_id).status == "sent"
    assert not AuditEntry.objects.filter(action="provider_portal.order.accepted").exists()


def test_the_database_refuses_to_change_an_approved_cost(task: Any) -> None:
    """Defence in depth: even a write that bypasses the services cannot edit an approved cost."""
    from django.db import IntegrityError, transaction

    from provider_portal.orders.models import OrderCostLine

    ids = fulfilled(task)
    assert act("p-hotel", ids["lodging"], "costs", cost_body("1500.00", "20.00")).status_code == 200
    assert staff_api("340100", "finance").post(f"/api/v1/orders/{ids['lodging']}/approve-cost/").status_code == 200
    with in_tenant("340100"):
        attempts = [
            lambda: OrderCostLine.objects.filter(cost__order_id=ids["lodging"]).update(amount=Decimal("1.00")),
            lambda: OrderCostLine.objects.filter(cost__order_id=ids["lodging"]).delete(),
            lambda: OrderCostLine.objects.create(
                cost=OrderCost.objects.get(order_id=ids["lodging"]),
                description="追加",
                amount=Decimal("9.00"),
                payment_method="transfer",
            ),
            lambda: OrderCost.objects.filter(order_id=ids["lodging"]).update(total=Decimal("1.00")),
            lambda: Order.objects.filter(pk=ids["lodging"]).update(cost_amount=Decimal("1.00")),
            lambda: Order.objects.filter(pk=ids["lodging"]).update(status="fulfilled"),
        ]
        for attempt in attempts:
            with pytest.raises(IntegrityError), transaction.atomic():
                attempt()
        order = Order.objects.get(pk=ids["lodging"])
        assert (order.status, order.cost_amount) == ("cost_approved", Decimal("1520.00"))
        assert sorted(OrderCostLine.objects.filter(cost__order_id=ids["lodging"]).values_list("amount", flat=True)) == [
            Decimal("20.00"),
            Decimal("1500.00"),
        ]
