"""The onboarding application's state machine (`tenants.models.APPLICATION_TRANSITIONS`): a
reviewer decides only a pending or failed application; from any other state approving and
rejecting are refused (409 `not_pending`) and change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import AuditEntry
from tenants.models import APPLICATION_ACTIONS, APPLICATION_TRANSITIONS, Application
from tests.conftest import api
from tests.tenants.onboarding_helpers import APPLY, applied, approve

pytestmark = pytest.mark.django_db


def test_the_table_is_the_documented_machine() -> None:
    """A source state added or lost by mistake fails here (docs/onboarding.md describes it)."""
    table = {action: (sorted(t.sources), t.target, t.done) for action, t in APPLICATION_TRANSITIONS.items()}
    assert table == {
        "approve": (["applied", "failed"], "provisioning", "approved"),
        "reject": (["applied", "failed"], "rejected", "rejected"),
        "provision": (["provisioning"], "active", "provisioned"),
        "fail": (["provisioning"], "failed", "failed"),
    }
    assert APPLICATION_TRANSITIONS["approve"].step("failed") == ("provisioning", "retried")
    dones = {t.done for t in APPLICATION_TRANSITIONS.values()} | {"retried"}
    assert dones == set(APPLICATION_ACTIONS)
    assert all(name == f"tenants.application.{done}" for done, name in APPLICATION_ACTIONS.items())


def test_a_decided_or_provisioning_application_is_refused_and_unchanged(tree: Any) -> None:
    application_id, _token = applied()
    reviewer = api(username="340000-admin")
    refused = []
    for status in ("provisioning", "active", "rejected"):
        Application.objects.filter(pk=application_id).update(status=status, reason="")
        audits = AuditEntry.objects.count()
        for response in (
            approve(application_id),
            reviewer.post(f"{APPLY}{application_id}/reject/", {"reason": "不符合条件"}, format="json"),
        ):
            refused.append((status, response.status_code, response.json()["code"]))
        row = Application.objects.get(pk=application_id)
        assert (row.status, row.reason, row.reviewed_by_id) == (status, "", None)
        assert AuditEntry.objects.count() == audits
    assert refused == [(s, 409, "not_pending") for s in ("provisioning", "active", "rejected") for _ in range(2)]
