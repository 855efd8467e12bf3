"""Direct reports: built from the tenant's own records, versions, locks, review, deadlines,
reminders, and two concurrent submissions on committed data."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from core.models import AuditEntry, Notification, User
from reporting.models import Report, ReportDeadline
from reporting.reports.selectors import default_deadline, next_month, period_of, previous_month
from reporting.reports.services import report_submit, reports_remind
from tests.conftest import api, in_tenant, refused, user
from tests.reception.factories import GuestFactory, PlanItemFactory, StaffFactory, TaskFactory

URL = "/api/v1/reports/"
TODAY = timezone.localdate()
PERIOD = period_of(TODAY)
LAST = period_of(previous_month(TODAY))
FUTURE = period_of(next_month(TODAY))


def held_receptions(code: str = "340100") -> None:
    """Two receptions held this month (one with a meal over the standard), a draft, and one held
    last month: the report for this month counts the first two only."""
    day = TODAY.replace(day=1)
    with in_tenant(code):
        first = TaskFactory(status="completed", start_date=day, end_date=day, level="bureau")
        GuestFactory.create_batch(5, task=first, grade="bureau")
        StaffFactory.create_batch(2, task=first)
        # The working lunch for the 5 guests and 2 accompanying, 100 > 90: over
        PlanItemFactory(task=first, unit_price=Decimal("100.00"), quantity=7, working_meal=True, payer="host")
        second = TaskFactory(status="settled", start_date=day, end_date=day)
        GuestFactory(task=second, grade="bureau")
        PlanItemFactory(
            task=second, kind="lodging", meal_type="", unit_price=Decimal("380.00"), quantity=2, payer="host"
        )
        draft = TaskFactory(status="draft", start_date=day, end_date=day)
        PlanItemFactory(task=draft, unit_price=Decimal("50.00"))
        earlier = TaskFactory(status="completed", start_date=previous_month(day), end_date=previous_month(day))
        PlanItemFactory(task=earlier)


@pytest.mark.django_db
def test_a_report_is_built_from_the_tenants_records(tree):
    held_receptions()
    response = api("340100", "340100-finance").post(URL, {"period": PERIOD}, format="json")
    assert response.status_code == 201, response.json()
    report = response.json()
    assert (report["period"], report["status"], report["version"], report["on_time"]) == (PERIOD, "submitted", 1, True)
    assert report["figures"] == {
        "receptions": 2,
        "guests": 6,
        "accompanying": 2,
        "cost_total": "1460.00",
        "guest_paid_total": "0.00",
        "cost_by_kind": {
            "meal": "700.00",
            "lodging": "760.00",
            "vehicle": "0.00",
            "meeting": "0.00",
            "visit": "0.00",
        },
        "over_standard": 1,
    }
    assert report["deadline"] == default_deadline(PERIOD).isoformat()
    entry = AuditEntry.objects.filter(chain="340100", action="reporting.report.submitted").latest("sequence")
    assert entry.after["version"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("period", [FUTURE, "2026-13", "2026-1", "soon", "", None])
def test_a_future_month_or_a_bad_period_is_400(tree, period):
    body = {} if period is None else {"period": period}
    response = api("340100", "340100-admin").post(URL, body, format="json")
    assert response.status_code == 400
    assert "period" in response.json()
    assert not Report.objects.filter(jurisdiction__code="340100").exists()


@pytest.mark.django_db
def test_the_root_has_nobody_to_report_to(tree):
    response = api("340000", "340000-admin").post(URL, {"period": PERIOD}, format="json")
    assert response.status_code == 400 and "period" in response.json()


@pytest.mark.django_db
def test_resubmission_replaces_the_current_version_and_keeps_both(tree):
    client = api("340100", "340100-admin")
    assert client.post(URL, {"period": LAST}, format="json").status_code == 201
    held_receptions()
    second = client.post(URL, {"period": PERIOD}, format="json")
    third = client.post(URL, {"period": PERIOD}, format="json")
    assert (second.json()["version"], third.json()["version"]) == (1, 2)
    rows = Report.objects.filter(jurisdiction__code="340100", period=PERIOD).order_by("version")
    assert [(r.version, r.is_current) for r in rows] == [(1, False), (2, True)]
    listed = client.get(URL, {"period": PERIOD}).json()["results"]
    assert [(r["version"], r["is_current"]) for r in listed] == [(2, True), (1, False)]


@pytest.mark.django_db
def test_an_accepted_report_is_locked_with_a_readable_reason(tree):
    created = api("340100", "340100-admin").post(URL, {"period": PERIOD}, format="json").json()
    accepted = api("340000", "340000-admin").post(f"/api/v1/oversight/reports/{created['id']}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert (accepted.json()["status"], accepted.json()["locked"]) == ("accepted", True)
    again = api("340100", "340100-admin").post(URL, {"period": PERIOD}, format="json")
    assert "340000 admin" in refused(again, 409, "report_locked")["detail"]  # who locked it
    assert Report.objects.filter(jurisdiction__code="340100", period=PERIOD).count() == 1
    entries = AuditEntry.objects.count()
    again = api("340000", "340000-admin").post(f"/api/v1/oversight/reports/{created['id']}/accept/")
    refused(again, 409, "invalid_transition")
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_a_returned_report_may_be_resubmitted(tree):
    created = api("340100", "340100-admin").post(URL, {"period": PERIOD}, format="json").json()
    review = f"/api/v1/oversight/reports/{created['id']}/"
    blank = api("340000", "340000-admin").post(review + "return/", {"comment": ""}, format="json")
    refused(blank, 400, "required")
    assert Report.objects.get(pk=created["id"]).status == "submitted"
    returned = api("340000", "340000-admin").post(review + "return/", {"comment": "费用分类有误"}, format="json")
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["review_comment"]) == ("returned", "费用分类有误")
    assert AuditEntry.objects.filter(chain="340100", action="reporting.report.returned").exists()
    resubmitted = api("340100", "340100-finance").post(URL, {"period": PERIOD}, format="json")
    assert (resubmitted.status_code, resubmitted.json()["version"], resubmitted.json()["status"]) == (
        201,
        2,
        "submitted",
    )


@pytest.mark.django_db
def test_only_the_direct_superiors_admin_reviews(tree):
    county = api("340123", "340123-admin").post(URL, {"period": PERIOD}, format="json").json()
    accept = f"/api/v1/oversight/reports/{county['id']}/accept/"
    refused(api("340000", "340000-admin").post(accept), 404, "not_found")  # not the province's direct subordinate
    refused(api("340100", "340100-supervisor").post(accept), 403, "permission_denied")
    refused(api("340100", "340000-admin").post(accept), 403, "permission_denied")  # oversight reads, never writes
    refused(api("340100", "340200-admin").post(accept), 403, "permission_denied")  # another jurisdiction's user
    assert api("340200", "340200-admin").post(accept).status_code == 404  # not 芜湖's subordinate
    assert api("340100", "340100-admin").post(accept).status_code == 200


@pytest.mark.django_db
def test_deadlines_make_reports_on_time_or_late(tree):
    late = api("340100", "340100-admin").post(URL, {"period": period_of(previous_month(previous_month(TODAY)))})
    assert late.json()["on_time"] is False
    # the province moves this month's deadline back before today: late; a city's own setting wins for its counties
    due = TODAY - timedelta(days=1)
    if due < TODAY.replace(day=1):
        due = TODAY.replace(day=1)
    set_deadline = api("340000", "340000-admin").post(URL + "deadlines/", {"period": PERIOD, "due_on": due.isoformat()})
    assert set_deadline.status_code == 200, set_deadline.json()
    api("340100", "340100-admin").post(
        URL + "deadlines/", {"period": PERIOD, "due_on": (TODAY + timedelta(days=9)).isoformat()}
    )
    city = api("340100", "340100-admin").post(URL, {"period": PERIOD}).json()
    county = api("340123", "340123-admin").post(URL, {"period": PERIOD}).json()
    assert city["deadline"] == due.isoformat()
    assert city["on_time"] is (due >= TODAY)
    assert (county["deadline"], county["on_time"]) == ((TODAY + timedelta(days=9)).isoformat(), True)
    assert (
        api("340000", "340000-drafter").post(URL + "deadlines/", {"period": PERIOD, "due_on": "2026-01-01"}).status_code
        == 403
    )
    bad = api("340000", "340000-admin").post(URL + "deadlines/", {"period": PERIOD, "due_on": "1999-01-01"})
    assert bad.status_code == 400 and "due_on" in bad.json()


@pytest.mark.django_db
def test_who_may_submit_and_read(tree):
    refused(api("340100", "340100-drafter").post(URL, {"period": PERIOD}), 403, "permission_denied")
    refused(api("340100", "340200-admin").post(URL, {"period": PERIOD}), 403, "permission_denied")
    refused(api("340100", "340000-admin").post(URL, {"period": PERIOD}), 403, "permission_denied")  # read-only there
    refused(api("340100", "340200-admin").get(URL), 403, "permission_denied")
    assert api("340100", "340000-supervisor").get(URL).status_code == 200
    refused(api("340100").get(URL), 401, "not_authenticated")
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_reminders_go_3_days_before_the_deadline_to_those_who_have_not_reported(tree):
    User.objects.filter(username__in=["340123-admin", "340100-finance", "340121-admin"]).update(email="x@example.org")
    Report.objects.create(
        jurisdiction=tree["340100"], period=LAST, figures={}, submitted_by=user("340100-admin"), on_time=True
    )
    remind_on = default_deadline(LAST) - timedelta(days=3)
    assert reports_remind(today=remind_on - timedelta(days=1)) == 0
    told = reports_remind(today=remind_on)
    reminded = set(
        Notification.objects.filter(event="reporting.report.reminder").values_list("jurisdiction_code", flat=True)
    )
    assert "340100" not in reminded and "340123" in reminded
    assert told == len({"340123", "340200", "340300"})  # those with admins or finance members (340121 has none)
    count = Notification.objects.filter(event="reporting.report.reminder").count()
    reports_remind(today=remind_on)
    assert Notification.objects.filter(event="reporting.report.reminder").count() == count  # once per period
    # a superior's later deadline moves the reminder
    ReportDeadline.objects.create(
        jurisdiction=tree["340000"], period=LAST, due_on=default_deadline(LAST) + timedelta(days=5)
    )
    assert reports_remind(today=remind_on + timedelta(days=5)) >= 1


def test_the_beat_schedule_runs_the_reminders_daily():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["report-reminders"]["task"] == "reporting.report_reminders"


def test_two_concurrent_submissions_leave_one_current_version(committed):
    """Two threads, two connections, committed data: the advisory lock serialises them."""
    admin = user("340300-admin")
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def submit() -> None:
        try:
            connection.set_tenant(committed)
            barrier.wait(timeout=10)
            outcomes.append(report_submit(actor=admin, jurisdiction=committed, period=PERIOD).version)
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert all(isinstance(o, int) for o in outcomes), outcomes
        assert sorted(outcomes) == [1, 2]
        rows = Report.objects.filter(jurisdiction=committed, period=PERIOD)
        assert rows.filter(is_current=True).count() == 1
        assert sorted(rows.values_list("version", flat=True)) == [1, 2]
    finally:
        Report.objects.filter(jurisdiction=committed).delete()


@pytest.mark.django_db
def test_a_missed_deadline_is_told_the_day_after_once_and_not_to_those_who_reported(tree):
    User.objects.filter(username__in=["340123-admin", "340100-admin"]).update(email="x@example.org")
    Report.objects.create(
        jurisdiction=tree["340100"], period=LAST, figures={}, submitted_by=user("340100-admin"), on_time=True
    )
    deadline = default_deadline(LAST)
    assert reports_remind(today=deadline) == 0  # the deadline day itself: nothing yet
    assert not Notification.objects.filter(event="reporting.report.overdue").exists()
    reports_remind(today=deadline + timedelta(days=1))
    overdue = Notification.objects.filter(event="reporting.report.overdue")
    assert set(overdue.values_list("jurisdiction_code", flat=True)) >= {"340123"}
    assert "340100" not in set(overdue.values_list("jurisdiction_code", flat=True))
    row = overdue.get(jurisdiction_code="340123", channel="email")
    assert LAST in row.subject and "/reporting/reports/" in row.body
    count = overdue.count()
    reports_remind(today=deadline + timedelta(days=1))
    assert overdue.count() == count  # once per period
    reports_remind(today=deadline + timedelta(days=2))
    assert overdue.count() == count  # only the day after


@pytest.mark.django_db
def test_the_reminder_task_runs_for_a_given_day(tree):
    from reporting.reports.tasks import report_reminders

    User.objects.filter(username="340123-admin").update(email="x@example.org")
    remind_on = default_deadline(LAST) - timedelta(days=3)
    assert report_reminders.delay(remind_on.isoformat()).get() >= 1
    assert Notification.objects.filter(event="reporting.report.reminder", jurisdiction_code="340123").exists()
