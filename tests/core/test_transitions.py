"""The one state-machine shape (core.transitions): a table read by services, permissions and pages."""

from __future__ import annotations

import pytest

from core.errors import Conflict
from core.transitions import Transition, transition_require

TABLE = {
    "submit": Transition(
        frozenset({"draft", "returned", "amending"}),
        "submitted",
        frozenset({"drafter"}),
        "submitted",
        detours=(("amending", ("amendment_submitted", "amendment_submitted")),),
    ),
    "approve": Transition(frozenset({"submitted"}), "approved", frozenset({"reviewer"}), "approved"),
}


def test_a_source_state_answers_the_transition() -> None:
    assert transition_require(TABLE, "approve", "submitted") is TABLE["approve"]


@pytest.mark.parametrize("state", ["draft", "approved", ""])
def test_any_other_state_is_a_conflict_with_a_code(state: str) -> None:
    with pytest.raises(Conflict) as refused:
        transition_require(TABLE, "approve", state)
    assert refused.value.code == "invalid_transition"


def test_a_workflow_may_name_its_own_refusal() -> None:
    with pytest.raises(Conflict) as refused:
        transition_require(TABLE, "approve", "draft", code="order_withdrawn")
    assert refused.value.code == "order_withdrawn"


def test_a_detour_leads_elsewhere_under_its_own_name() -> None:
    assert TABLE["submit"].step("draft") == ("submitted", "submitted")
    assert TABLE["submit"].step("amending") == ("amendment_submitted", "amendment_submitted")
