"""Cancelling a task withdraws its orders not yet carried out (sent, accepted) in the same
transaction, with the reason; fulfilled work and declined orders stay. Providers are told, see the
reason, and can no longer act on a withdrawn order (409, nothing changes)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.models import AuditEntry, Notification
from provider_portal.models import OrderIndex
from provider_portal.orders.models import Order, OrderCost
from reception.models import Task
from tests.conftest import api, in_tenant, refused, refused_page, unchanged, user
from tests.provider_portal.conftest import cost_body, provider_api, staff_api
from tests.reception.factories import PlanItemFactory, TaskFactory

pytestmark = pytest.mark.django_db

REASON = "来访单位行程取消"
#: The state each of the task's orders is brought to before the cancel, and the state after it.
STATES = {
    "sent": "withdrawn",
    "accepted": "withdrawn",
    "declined": "declined",
    "fulfilled": "fulfilled",
    "cost_reported": "cost_reported",
    "cost_approved": "cost_approved",
}


def act(username: str, order_id: str, action: str, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return provider_api(username).post(
        f"/api/v1/provider/orders/{order_id}/{action}/", body or {}, format="json", **extra
    )


def cancel(task: Any, reason: str = REASON, username: str = "340100-reviewer") -> Any:
    return api("340100", username).post(f"/api/v1/tasks/{task.pk}/cancel/", {"reason": reason}, format="json")


@pytest.fixture
def orders_in_each_state(providers: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """A task in progress with one hotel order in each state of STATES: {state: order id}."""
    with in_tenant("340100"):
        task = TaskFactory(title="省财政厅检查接待", status="in_progress", handler=user("340100-handler"))
        for state in STATES:
            PlanItemFactory(
                task=task,
                kind="lodging",
                meal_type="",
                provider=providers["hotel"],
                venue=f"3号楼-{state}",
                payer="host",  # booked and paid by the host: its spending
            )
    dispatched = staff_api("340100", "handler").post(f"/api/v1/tasks/{task.pk}/dispatch/", {}, format="json")
    assert dispatched.status_code == 200, dispatched.content
    with in_tenant("340100"):
        ids = {o.venue.removeprefix("3号楼-"): str(o.pk) for o in Order.objects.filter(task_id=task.pk)}
    steps = {
        "accepted": ["accept"],
        "declined": ["decline"],
        "fulfilled": ["accept", "fulfil"],
        "cost_reported": ["accept", "fulfil", "costs"],
        "cost_approved": ["accept", "fulfil", "costs"],
    }
    bodies = {"decline": {"reason": "客房已满"}, "costs": cost_body("760.00")}
    for state, actions in steps.items():
        for action in actions:
            assert act("p-hotel", ids[state], action, bodies.get(action)).status_code == 200
    finance = staff_api("340100", "finance")
    assert finance.post(f"/api/v1/orders/{ids['cost_approved']}/approve-cost/").status_code == 200
    with in_tenant("340100"):
        assert {str(o.pk): o.status for o in Order.objects.all()} == {ids[s]: s for s in STATES}
        task.refresh_from_db()
    return task, ids


# --- Service: cancel withdraws, in the same transaction ----------------------------------------


@pytest.mark.parametrize("task_status", ["approved", "in_progress"])
def test_cancel_withdraws_open_orders_and_leaves_done_work(
    orders_in_each_state: tuple[Any, dict[str, str]], tree: dict[str, Any], task_status: str
) -> None:
    from reception.services.transitions import task_cancel

    task, ids = orders_in_each_state
    with in_tenant("340100"):
        Task.objects.filter(pk=task.pk).update(status=task_status)  # given: the task in that state
        cancelled = task_cancel(
            actor=user("340100-reviewer"), jurisdiction=tree["340100"], task_id=task.pk, reason=f"  {REASON} "
        )
        assert cancelled.status == "cancelled"
        orders = {str(o.pk): o for o in Order.objects.all()}
    for state, after in STATES.items():
        order = orders[ids[state]]
        assert order.status == after, state
        assert order.withdraw_reason == (REASON if after == "withdrawn" else "")
        index = OrderIndex.objects.get(pk=ids[state])
        assert (index.status, index.withdraw_reason) == (order.status, order.withdraw_reason)
    # The fulfilled work keeps its cost.
    assert orders[ids["cost_approved"]].cost_amount == Decimal("760.00")
    assert orders[ids["cost_reported"]].cost_amount == Decimal("760.00")
    # One audit entry per withdrawn order, with the reason.
    withdrawn = AuditEntry.objects.filter(chain="340100", action="provider_portal.order.withdrawn")
    assert sorted(withdrawn.values_list("object_id", flat=True)) == sorted([ids["sent"], ids["accepted"]])
    assert set(withdrawn.values_list("comment", flat=True)) == {REASON}
    entry = withdrawn.get(object_id=ids["accepted"])
    assert entry.before["status"] == "accepted" and entry.after["status"] == "withdrawn"
    assert entry.actor_id == user("340100-reviewer").pk


def test_cancel_over_the_api_keeps_the_history_and_the_fulfilled_costs_open(
    orders_in_each_state: tuple[Any, dict[str, str]],
) -> None:
    task, ids = orders_in_each_state
    response = cancel(task)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    history = api("340100", "340100-reviewer").get(f"/api/v1/tasks/{task.pk}/history/").json()
    assert (history[-1]["action"], history[-1]["comment"]) == ("reception.task.cancelled", REASON)
    rows = {r["id"]: r for r in staff_api("340100", "handler").get(f"/api/v1/tasks/{task.pk}/orders/").json()}
    assert (rows[ids["sent"]]["status"], rows[ids["sent"]]["withdraw_reason"]) == ("withdrawn", REASON)
    # A fulfilled order's cost can still be reported and approved, whatever the task's state.
    assert act("p-hotel", ids["fulfilled"], "costs", cost_body("380.00")).status_code == 200
    approved = staff_api("340100", "finance").post(f"/api/v1/orders/{ids['cost_reported']}/approve-cost/")
    assert approved.status_code == 200 and approved.json()["status"] == "cost_approved"


def test_a_refused_cancel_withdraws_nothing(orders_in_each_state: tuple[Any, dict[str, str]]) -> None:
    task, ids = orders_in_each_state
    refused(cancel(task, reason="  "), 400, "blank")
    refused(cancel(task, username="340100-handler"), 403, "permission_denied")  # handler may not cancel
    refused(cancel(task, username="340200-reviewer"), 403, "permission_denied")  # another jurisdiction
    refused(cancel(task, username="340000-supervisor"), 403, "permission_denied")  # oversight is read-only
    with in_tenant("340100"):
        assert Task.objects.get(pk=task.pk).status == "in_progress"
        assert Order.objects.get(pk=ids["sent"]).status == "sent"
    assert OrderIndex.objects.get(pk=ids["accepted"]).status == "accepted"
    assert not AuditEntry.objects.filter(action="provider_portal.order.withdrawn").exists()
    assert not Notification.objects.filter(event="provider_portal.order.withdrawn").exists()


def test_cancel_and_withdrawal_are_one_transaction(
    orders_in_each_state: tuple[Any, dict[str, str]], monkeypatch: Any
) -> None:
    """If an index row cannot be written, the task is not cancelled and no order changes."""
    from provider_portal.orders import services

    task, ids = orders_in_each_state

    def broken(order: Any) -> None:
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(services, "_index_sync", broken)
    with pytest.raises(RuntimeError):
        cancel(task)
    with in_tenant("340100"):
        assert Task.objects.get(pk=task.pk).status == "in_progress"
        assert Order.objects.get(pk=ids["sent"]).status == "sent"
    assert not AuditEntry.objects.filter(chain="340100", action="reception.task.cancelled").exists()
    assert not Notification.objects.filter(event="provider_portal.order.withdrawn").exists()


def test_a_task_without_orders_is_cancelled_as_before(task: Any) -> None:
    response = cancel(task)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert not AuditEntry.objects.filter(action="provider_portal.order.withdrawn").exists()


# --- Notification ------------------------------------------------------------------------------


def test_each_provider_is_told_once_with_the_reason(task: Any) -> None:
    from core.models import User

    User.objects.filter(username="p-restaurant").update(email="kitchen@huiyuan.example")
    assert staff_api("340100", "handler").post(f"/api/v1/tasks/{task.pk}/dispatch/", {}, format="json").status_code
    assert cancel(task).status_code == 200
    told = Notification.objects.filter(event="provider_portal.order.withdrawn").order_by("address")
    # The hotel by its contact phone (its staff has no address), the restaurant's staff by e-mail.
    assert [(n.channel, n.address) for n in told] == [("sms", "13900000001"), ("email", "kitchen@huiyuan.example")]
    for notification in told:
        assert REASON in notification.body and task.title in notification.body
        assert notification.jurisdiction_code == "340100"


# --- The provider's side: inbox, detail, every action refused ---------------------------------


def test_provider_sees_withdrawn_orders_with_the_reason(orders_in_each_state: tuple[Any, dict[str, str]]) -> None:
    task, ids = orders_in_each_state
    assert cancel(task).status_code == 200
    rows = {r["id"]: r for r in provider_api("p-hotel").get("/api/v1/provider/orders/").json()["results"]}
    assert {r["status"] for r in rows.values()} == set(STATES.values())
    assert (rows[ids["accepted"]]["status"], rows[ids["accepted"]]["withdraw_reason"]) == ("withdrawn", REASON)
    assert rows[ids["fulfilled"]]["withdraw_reason"] == ""
    only = provider_api("p-hotel").get("/api/v1/provider/orders/?status=withdrawn").json()["results"]
    assert sorted(r["id"] for r in only) == sorted([ids["sent"], ids["accepted"]])
    detail = provider_api("p-hotel").get(f"/api/v1/provider/orders/{ids['sent']}/").json()
    assert (detail["status"], detail["withdraw_reason"]) == ("withdrawn", REASON)


@pytest.mark.parametrize(
    ("action", "body"),
    [("accept", None), ("decline", {"reason": "不来了"}), ("fulfil", None), ("costs", cost_body("100.00"))],
)
def test_every_action_on_a_withdrawn_order_is_409_and_changes_nothing(
    orders_in_each_state: tuple[Any, dict[str, str]], action: str, body: dict[str, Any] | None
) -> None:
    task, ids = orders_in_each_state
    assert cancel(task).status_code == 200
    for state in ("sent", "accepted"):
        with in_tenant("340100"):
            before = Order.objects.values().get(pk=ids[state])
        entries = AuditEntry.objects.count()
        refusal = act("p-hotel", ids[state], action, body)
        refused(refusal, 409, "order_withdrawn")
        assert refusal.json()["code"] == "order_withdrawn"
        assert REASON in refusal.json()["detail"]  # the provider is told why
        with in_tenant("340100"):
            assert Order.objects.values().get(pk=ids[state]) == before
            assert not OrderCost.objects.filter(order_id=ids[state]).exists()
        index = OrderIndex.objects.get(pk=ids[state])
        assert (index.status, index.withdraw_reason) == ("withdrawn", REASON)
        assert AuditEntry.objects.count() == entries


def test_the_refusal_reads_in_the_users_language(orders_in_each_state: tuple[Any, dict[str, str]]) -> None:
    task, ids = orders_in_each_state
    assert cancel(task).status_code == 200
    refusal = act("p-hotel", ids["sent"], "accept", HTTP_ACCEPT_LANGUAGE="en")
    refused(refusal, 409, "order_withdrawn")
    assert refusal.json()["detail"] == (
        f"This order was withdrawn (its reception task was cancelled: {REASON}); it can no longer be acted on."
    )


def test_other_providers_and_jurisdictions_do_not_see_a_withdrawn_order(
    orders_in_each_state: tuple[Any, dict[str, str]],
) -> None:
    task, ids = orders_in_each_state
    assert cancel(task).status_code == 200
    for username in ("p-restaurant", "p-wuhu"):
        assert provider_api(username).get(f"/api/v1/provider/orders/{ids['sent']}/").status_code == 404
        refused(act(username, ids["sent"], "accept"), 404, "not_found")
        assert ids["sent"] not in {
            r["id"] for r in provider_api(username).get("/api/v1/provider/orders/").json()["results"]
        }
    assert api("340200", "340200-finance").get(f"/api/v1/orders/{ids['sent']}/").status_code == 404
    assert api("340100", "340200-finance").get(f"/api/v1/orders/{ids['sent']}/").status_code == 403
    with unchanged():
        refused(staff_api("340100", "handler").post(f"/api/v1/provider/orders/{ids['sent']}/accept/"), 404, "not_found")


# --- Completion and figures -------------------------------------------------------------------


def test_withdrawn_orders_count_like_declined_and_never_as_a_cost(
    orders_in_each_state: tuple[Any, dict[str, str]],
) -> None:
    import datetime as dt

    from provider_portal.orders.selectors import orders_blocking_completion, orders_not_approved
    from reception.figures import counted_tasks, task_costs

    task, ids = orders_in_each_state
    assert cancel(task).status_code == 200
    with in_tenant("340100"):
        assert {str(o.pk) for o in orders_blocking_completion(task.pk)} == set()
        assert {str(o.pk) for o in orders_not_approved(task.pk)} == {ids["fulfilled"], ids["cost_reported"]}
        # A cancelled task is no held reception: none of its amounts reach reports or statistics.
        assert task.pk not in set(counted_tasks(dt.date(2000, 1, 1), dt.date(2100, 1, 1)).values_list("pk", flat=True))
        # Per item, only the approved cost replaces the planned amount: 5 × 380 × 4 planned + 760 approved.
        items = {i.venue: i.amount for i in task.items.all()}
        assert task_costs([task.pk])[task.pk] == {
            "lodging": sum(amount for venue, amount in items.items() if venue != "3号楼-cost_approved")
            + Decimal("760.00")
        }


# --- Pages ------------------------------------------------------------------------------------


def test_provider_pages_show_the_reason_and_offer_no_action(orders_in_each_state: tuple[Any, dict[str, str]]) -> None:
    from django.test import Client

    from tests.conftest import PUBLIC_HOST

    task, ids = orders_in_each_state
    assert cancel(task).status_code == 200
    hotel = Client(HTTP_HOST=PUBLIC_HOST)
    hotel.force_login(user("p-hotel"))
    inbox = hotel.get("/provider/?status=withdrawn").content.decode()
    assert inbox.count('data-testid="inbox-row" data-status="withdrawn"') == 2
    assert inbox.count(REASON) == 2
    page = hotel.get(f"/provider/orders/{ids['accepted']}/")
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="withdrawn"' in text and REASON in text
    for testid in ("accept", "fulfil", "decline-form", "cost-form"):
        assert f'data-testid="{testid}"' not in text
    refused = hotel.post(f"/provider/orders/{ids['accepted']}/", {"action": "fulfil"})
    assert REASON in refused_page(refused, 409, "order_withdrawn")
    with in_tenant("340100"):
        assert Order.objects.get(pk=ids["accepted"]).status == "withdrawn"


def test_the_staff_task_page_shows_each_withdrawn_orders_reason(
    orders_in_each_state: tuple[Any, dict[str, str]],
) -> None:
    from django.test import Client

    from tests.conftest import HOSTS

    task, _ids = orders_in_each_state
    assert cancel(task).status_code == 200
    finance = Client(HTTP_HOST=HOSTS["340100"])
    finance.force_login(user("340100-finance"))
    page = finance.get(f"/reception/tasks/{task.pk}/").content.decode()
    assert page.count('data-status="withdrawn"') == 2
    assert page.count(f'<small class="muted" data-testid="withdraw-reason">撤回原因：{REASON}</small>') == 2
