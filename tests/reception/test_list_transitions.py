"""The reception list's state machine (`reception.models.LIST_TRANSITIONS`) and the codes its
service check gives from every state that is no source of an action (read before anything is
written: the API tests show that a refusal changes nothing)."""

from __future__ import annotations

import pytest

from core.errors import Conflict
from reception.models import LIST_TRANSITIONS, NO_LIST, ListAction, ListStatus, ReceptionList
from reception.services.settlement import _require_list_state

STATES = [NO_LIST, *ListStatus.values]


def test_the_table_is_the_documented_machine() -> None:
    """A source state added or lost by mistake fails here (docs/providers.md draws it)."""
    table = {action: (sorted(t.sources), t.target, t.done) for action, t in LIST_TRANSITIONS.items()}
    assert table == {
        "draft": (["", "draft", "returned"], "draft", "drafted"),
        "return": (["draft"], "returned", "returned"),
        "approve": (["draft"], "approved", "approved"),
    }


def test_every_other_state_is_refused_with_its_code() -> None:
    refused: dict[tuple[str, str], str] = {}
    for action in ListAction.values:
        for state in STATES:
            reception_list = ReceptionList(status=state) if state != NO_LIST else None
            if state in LIST_TRANSITIONS[action].sources:
                _require_list_state(action, reception_list)  # allowed: no refusal
                continue
            with pytest.raises(Conflict) as caught:
                _require_list_state(action, reception_list)
            refused[(action, state)] = caught.value.code
    assert refused == {
        ("draft", "approved"): "list_approved",
        ("return", NO_LIST): "list_missing",
        ("return", "returned"): "invalid_transition",
        ("return", "approved"): "invalid_transition",
        ("approve", NO_LIST): "list_missing",
        ("approve", "returned"): "invalid_transition",
        ("approve", "approved"): "invalid_transition",
    }
