"""The transition table and the database's own guards (named constraints)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from reception.models import EDITABLE_STATUSES, TRANSITIONS, ItemKind, TaskAction, TaskStatus
from reception.models.tasks import RESUMED
from tests.conftest import in_tenant
from tests.reception.factories import PlanItemFactory, TaskFactory


def test_the_transition_table_is_the_documented_lifecycle():
    path = [(a, TRANSITIONS[a].target) for a in ("submit", "approve", "assign", "complete", "settle")]
    assert path == [
        ("submit", "submitted"),
        ("approve", "approved"),
        ("assign", "in_progress"),
        ("complete", "completed"),
        ("settle", "settled"),
    ]
    assert TRANSITIONS["return"].sources == {"submitted", "amendment_submitted"}
    assert TRANSITIONS["return"].target == "returned"
    assert TRANSITIONS["submit"].sources == {"draft", "returned", "amending"}
    # The amendment cycle takes detours from its own states (docs/amendments.md).
    assert TRANSITIONS["amend"].sources == {"approved", "in_progress"} and TRANSITIONS["amend"].target == "amending"
    assert TRANSITIONS["submit"].step("amending") == ("amendment_submitted", "amendment_submitted")
    assert TRANSITIONS["return"].step("amendment_submitted") == ("amending", "amendment_returned")
    assert TRANSITIONS["approve"].step("amendment_submitted") == (RESUMED, "amendment_approved")
    assert TRANSITIONS["approve"].step("submitted") == ("approved", "approved")
    assert "completed" not in TRANSITIONS["cancel"].sources and "settled" not in TRANSITIONS["cancel"].sources
    assert set(TRANSITIONS) == set(TaskAction.values)
    for transition in TRANSITIONS.values():
        assert transition.sources <= set(TaskStatus.values) and transition.target in TaskStatus.values
        assert transition.roles, "every transition names who takes it"
    assert {"draft", "returned", "amending"} == EDITABLE_STATUSES
    # every status but the ends is left by some transition
    left = set().union(*(t.sources for t in TRANSITIONS.values()))
    assert set(TaskStatus.values) - left == {"settled", "cancelled"}


def test_item_kinds_are_the_contracts():
    assert ItemKind.values == ["meal", "lodging", "vehicle", "meeting", "visit"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "fields"),
    [
        (TaskFactory, {"start_date": dt.date(2026, 5, 7), "end_date": dt.date(2026, 5, 6)}),
        (TaskFactory, {"budget": -1}),
        (TaskFactory, {"status": "lost"}),
        (PlanItemFactory, {"unit_price": -1}),
        (PlanItemFactory, {"quantity": 0}),
    ],
)
def test_the_database_refuses_what_services_never_write(tree, factory, fields):
    with in_tenant("340100"), pytest.raises(IntegrityError), transaction.atomic():
        factory(**fields)
