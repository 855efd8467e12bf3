"""The order's state machine (`provider_portal.orders.models.ORDER_TRANSITIONS`): every action
taken from a state that is none of its sources is refused (409 `invalid_transition`; on a
withdrawn order `order_withdrawn`) and changes nothing, whichever state that is."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from core.errors import Conflict
from core.models import AuditEntry
from provider_portal.models import OrderIndex
from provider_portal.orders import services
from provider_portal.orders.models import ORDER_ACTIONS, ORDER_TRANSITIONS, Order, OrderStatus
from tests.conftest import in_tenant, user
from tests.provider_portal.conftest import staff_api

pytestmark = pytest.mark.django_db

#: Every state, the approved cost last (the database refuses to move an order out of it).
STATES = [s for s in OrderStatus.values if s != OrderStatus.COST_APPROVED] + [OrderStatus.COST_APPROVED]
LINES = [services.CostLineInput("住宿", Decimal("100.00"), "official_card")]


def _provider(action: str) -> Callable[[str], Any]:
    def run(order_id: str) -> Any:
        staff = user("p-hotel")
        if action == "accept":
            return services.order_accept(actor=staff, order_id=order_id)
        if action == "decline":
            return services.order_decline(actor=staff, order_id=order_id, reason="满房")
        if action == "fulfil":
            return services.order_fulfil(actor=staff, order_id=order_id)
        return services.order_report_cost(actor=staff, order_id=order_id, invoice_number="No.1", lines=LINES)

    return run


def _finance(action: str) -> Callable[[str], Any]:
    def run(order_id: str) -> Any:
        with in_tenant("340100") as jurisdiction:
            finance = user("340100-finance")
            if action == "approve_cost":
                return services.order_cost_approve(actor=finance, jurisdiction=jurisdiction, order_id=order_id)
            if action == "return_cost":
                return services.order_cost_return(
                    actor=finance, jurisdiction=jurisdiction, order_id=order_id, comment="发票不清"
                )
            return services.order_cost_reopen(
                actor=finance, jurisdiction=jurisdiction, order_id=order_id, reason="更正"
            )

    return run


#: Every action a person takes (withdraw and amend are the reception workflow's: they skip an
#: order outside their sources instead of refusing it).
ACTIONS: dict[str, Callable[[str], Any]] = {
    **{action: _provider(action) for action in ("accept", "decline", "fulfil", "report_cost")},
    **{action: _finance(action) for action in ("approve_cost", "return_cost", "reopen_cost")},
}


def test_the_table_is_the_documented_machine() -> None:
    """A source state added or lost by mistake fails here (docs/providers.md describes it)."""
    table = {action: (sorted(t.sources), t.target) for action, t in ORDER_TRANSITIONS.items()}
    assert table == {
        "accept": (["sent"], "accepted"),
        "decline": (["accepted", "sent"], "declined"),
        "fulfil": (["accepted"], "fulfilled"),
        "report_cost": (["cost_reported", "fulfilled"], "cost_reported"),
        "approve_cost": (["cost_reported"], "cost_approved"),
        "return_cost": (["cost_reported"], "fulfilled"),
        "reopen_cost": (["cost_approved"], "cost_reported"),
        "withdraw": (["accepted", "sent"], "withdrawn"),
        "amend": (["accepted", "sent"], "sent"),
    }


def test_the_table_names_every_action_and_its_audit_action() -> None:
    assert set(ACTIONS) | {"withdraw", "amend"} == set(ORDER_TRANSITIONS)
    assert {t.done for t in ORDER_TRANSITIONS.values()} == set(ORDER_ACTIONS)
    assert all(name == f"provider_portal.order.{done}" for done, name in ORDER_ACTIONS.items())
    assert frozenset({"finance"}) == services.FINANCE_ROLES


def test_an_action_from_any_other_state_is_refused_and_changes_nothing(task: Any) -> None:
    assert (
        staff_api("340100", "handler").post(f"/api/v1/tasks/{task.pk}/dispatch/", {}, format="json").status_code == 200
    )
    with in_tenant("340100"):
        order_id = str(Order.objects.get(kind="lodging").pk)
    refused: list[tuple[str, str, str]] = []
    for status in STATES:
        with in_tenant("340100"):
            Order.objects.filter(pk=order_id).update(status=status)
        OrderIndex.objects.filter(pk=order_id).update(status=status)
        for action, run in ACTIONS.items():
            if status in ORDER_TRANSITIONS[action].sources:
                continue
            audits = AuditEntry.objects.count()
            with pytest.raises(Conflict) as caught:
                run(order_id)
            refused.append((status, action, caught.value.code))
            with in_tenant("340100"):
                assert Order.objects.get(pk=order_id).status == status
            assert OrderIndex.objects.get(pk=order_id).status == status
            assert AuditEntry.objects.count() == audits
    expected = [
        (status, action, "order_withdrawn" if status == OrderStatus.WITHDRAWN else "invalid_transition")
        for status in STATES
        for action in ACTIONS
        if status not in ORDER_TRANSITIONS[action].sources
    ]
    assert refused == expected
    assert len(expected) == len(STATES) * len(ACTIONS) - sum(
        len(ORDER_TRANSITIONS[action].sources) for action in ACTIONS
    )
