"""Reporting's state machines (a directive's delivery, a report, an inspection) as tables in the
shape of `core.transitions`, and the notification events named whole beside their writers.

The API tests cover one refused state each; these check every state against every table, so a
wrong source state in a table fails here."""

from __future__ import annotations

import pytest

from core.errors import Conflict
from core.transitions import transition_require
from reception.rules import RuleCode
from reporting.local.models import INSPECTION_TRANSITIONS, InspectionAction, InspectionStatus
from reporting.models import (
    DELIVERY_TRANSITIONS,
    REPORT_TRANSITIONS,
    DeliveryAction,
    DeliveryStatus,
    ReportAction,
    ReportStatus,
)
from reporting.reports.services import REMINDER_EVENTS, REVIEW_EVENTS
from reporting.supervision.selectors import WarningCode
from reporting.supervision.services import WARNING_EVENTS
from tenants.models import STAFF_ROLES, Role

_D, _R, _I = DeliveryStatus, ReportStatus, InspectionStatus

# action → (sources, target, roles), written out independently of the tables.
DELIVERY = {
    DeliveryAction.DELIVER: ({_D.SENT, _D.FAILED}, _D.DELIVERED, set()),
    DeliveryAction.FAIL: ({_D.SENT, _D.FAILED}, _D.FAILED, set()),
    DeliveryAction.RESEND: ({_D.FAILED}, _D.SENT, {Role.ADMIN}),
    DeliveryAction.ACKNOWLEDGE: ({_D.DELIVERED}, _D.ACKNOWLEDGED, set(STAFF_ROLES)),
}
REPORT = {
    ReportAction.SUBMIT: ({_R.SUBMITTED, _R.RETURNED}, _R.SUBMITTED, {Role.ADMIN, Role.FINANCE}),
    ReportAction.ACCEPT: ({_R.SUBMITTED}, _R.ACCEPTED, {Role.ADMIN}),
    ReportAction.RETURN: ({_R.SUBMITTED, _R.ACCEPTED}, _R.RETURNED, {Role.ADMIN}),
}
INSPECTION = {InspectionAction.CLOSE: ({_I.OPEN}, _I.CLOSED, {Role.ADMIN, Role.SUPERVISOR})}

CASES = [
    (DELIVERY_TRANSITIONS, DELIVERY, DeliveryStatus, "already_acknowledged"),
    (REPORT_TRANSITIONS, REPORT, ReportStatus, "report_locked"),
    (INSPECTION_TRANSITIONS, INSPECTION, InspectionStatus, "inspection_closed"),
]


@pytest.mark.parametrize(("table", "expected", "statuses", "code"), CASES, ids=["delivery", "report", "inspection"])
def test_each_action_is_taken_from_its_sources_only(table, expected, statuses, code) -> None:
    assert set(table) == set(expected)
    for action, (sources, target, roles) in expected.items():
        transition = table[action]
        assert (set(transition.sources), transition.target, set(transition.roles)) == (sources, target, roles)
        for state in statuses.values:
            if state in sources:
                assert transition_require(table, action, state) is transition
            else:
                with pytest.raises(Conflict) as refused:
                    transition_require(table, action, state, code=code)
                assert refused.value.code == code


def test_every_warning_code_has_its_event_named_whole() -> None:
    codes = [*RuleCode, *WarningCode]
    assert set(WARNING_EVENTS) == {str(code) for code in codes}
    for code in codes:
        assert WARNING_EVENTS[code] == "reporting.warning." + str(code)


def test_report_events_are_named_whole() -> None:
    assert REVIEW_EVENTS == {_R.ACCEPTED: "reporting.report.accepted", _R.RETURNED: "reporting.report.returned"}
    assert REMINDER_EVENTS == {"reminder": "reporting.report.reminder", "overdue": "reporting.report.overdue"}
