"""The outbox: one row per recipient and channel, queued after commit, claimed with a lease,
retried with backoff, sent exactly once."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from core.models import Notification
from core.notifications import Recipient, notify
from core.notifications.backends import DeliveryError, SmsMessage
from core.notifications.delivery import backoff_seconds, outbox_claim, outbox_drain, outbox_sweep
from core.notifications.sms.log import sms_outbox
from core.tasks import notifications_sweep
from tests.conftest import user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_outbox():
    sms_outbox.clear()
    yield
    sms_outbox.clear()


def _recipient():
    u = user("340100-reviewer")
    u.email, u.phone = "reviewer@example.gov.cn", "138 0000 0001"
    u.save()
    return u


def test_one_row_per_recipient_and_channel_rendered_and_sent_after_commit(tree, django_capture_on_commit_callbacks):
    reviewer = _recipient()
    guest = Recipient(phone="+86 139-0000-0002")  # no e-mail: only the SMS is queued
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(
            recipients=[reviewer, guest],
            event="reception.task.submitted",
            subject="待审核",
            body="任务《调研》已提交。 http://hefei.localhost:8000/reception/tasks/1/",
            jurisdiction_code="340100",
            task_id=1,
        )
        assert {(n.channel, n.address) for n in created} == {
            ("email", "reviewer@example.gov.cn"),
            ("sms", "13800000001"),
            ("sms", "13900000002"),
        }
        assert {n.status for n in created} == {"queued"}
        assert len(mail.outbox) == 0  # nothing leaves before commit
    rows = Notification.objects.filter(jurisdiction_code="340100", task_id=1)
    assert set(rows.values_list("status", "attempts")) == {("sent", 1)}
    assert all(r.sent_at is not None and r.gateway for r in rows)
    message = mail.outbox[0]
    assert message.to == ["reviewer@example.gov.cn"]
    assert message.subject == "待审核"
    assert "http://hefei.localhost:8000/reception/tasks/1/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="http://hefei.localhost:8000/reception/tasks/1/"' in html
    assert message.extra_headers["Message-ID"].startswith("<outbox-")
    assert sorted(m.phone for m in sms_outbox) == ["13800000001", "13900000002"]
    assert sms_outbox[0].text.startswith("【公务接待】待审核：任务《调研》已提交。 http")


def test_unusable_addresses_are_not_queued(tree, django_capture_on_commit_callbacks):
    people = [Recipient(email="not-an-address", phone="0551-62345678"), Recipient(phone="12345678901")]
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(recipients=people, event="x", subject="s", body="b") == []
    assert not Notification.objects.exists()


def test_nothing_is_sent_when_the_transaction_rolls_back(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[_recipient()], event="x", subject="s", body="b")
    assert len(callbacks) == 1  # would only run on commit
    assert mail.outbox == []


def test_the_same_key_queues_once_per_recipient_and_channel(tree, django_capture_on_commit_callbacks):
    reviewer = _recipient()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(
            recipients=[reviewer], event="warning", subject="预警", body="超标", key="w:1", channels=("sms",)
        )
        second = notify(recipients=[reviewer], event="warning", subject="预警", body="超标", key="w:1")
    assert len(first) == 1
    assert [n.channel for n in second] == ["email"]  # the e-mail is new; the SMS was queued already
    assert len(sms_outbox) == 1


class FlakyGateway:
    """Fails `failures` times with a transient error, then sends."""

    name = "flaky"
    failures = 0
    calls = 0

    def send(self, message: SmsMessage) -> str:
        FlakyGateway.calls += 1
        if FlakyGateway.calls <= FlakyGateway.failures:
            raise DeliveryError("gateway timeout", code="gateway_unavailable")
        return f"id-{FlakyGateway.calls}"


class RefusingGateway:
    name = "refusing"
    calls = 0

    def send(self, message: SmsMessage) -> str:
        RefusingGateway.calls += 1
        raise DeliveryError("isv.MOBILE_NUMBER_ILLEGAL: bad", code="isv.MOBILE_NUMBER_ILLEGAL", permanent=True)


def _make_due(row: Notification) -> None:
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@override_settings(SMS_BACKEND="tests.core.test_outbox.FlakyGateway", OUTBOX_RETRY_BASE_SECONDS=10)
def test_a_transient_failure_is_retried_with_exponential_backoff(tree, django_capture_on_commit_callbacks):
    FlakyGateway.failures, FlakyGateway.calls = 2, 0
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[Recipient(phone="13900000003")], event="x", subject="s", body="b", channels=("sms",))
    row = Notification.objects.get(address="13900000003")
    assert (row.status, row.attempts, row.error_code) == ("queued", 1, "gateway_unavailable")
    assert row.lease_until is None and row.claim is None
    assert 9 <= (row.next_attempt_at - timezone.now()).total_seconds() <= 10
    assert outbox_drain() == {}  # not due yet: nobody sends it early
    _make_due(row)
    outbox_drain()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 2)
    assert 19 <= (row.next_attempt_at - timezone.now()).total_seconds() <= 20  # doubled
    _make_due(row)
    assert outbox_drain() == {"sent": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.gateway_message_id, row.error_code) == ("sent", 3, "id-3", "")
    assert FlakyGateway.calls == 3


@override_settings(OUTBOX_RETRY_BASE_SECONDS=10, OUTBOX_RETRY_MAX_SECONDS=60)
def test_backoff_doubles_up_to_the_cap():
    assert [backoff_seconds(n) for n in range(1, 7)] == [10, 20, 40, 60, 60, 60]


@override_settings(SMS_BACKEND="tests.core.test_outbox.FlakyGateway", OUTBOX_MAX_ATTEMPTS=3)
def test_after_the_last_attempt_the_row_fails_with_the_error(tree, django_capture_on_commit_callbacks):
    FlakyGateway.failures, FlakyGateway.calls = 99, 0
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[Recipient(phone="13900000004")], event="x", subject="s", body="b", channels=("sms",))
    row = Notification.objects.get(address="13900000004")
    for _ in range(2):
        _make_due(row)
        outbox_drain()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error_code, row.last_error) == (
        "failed",
        3,
        "gateway_unavailable",
        "gateway timeout",
    )
    _make_due(row)
    assert outbox_drain() == {}  # failed rows are never taken again
    assert FlakyGateway.calls == 3


@override_settings(SMS_BACKEND="tests.core.test_outbox.RefusingGateway")
def test_a_permanent_refusal_fails_at_once_with_the_vendor_code(tree, django_capture_on_commit_callbacks):
    RefusingGateway.calls = 0
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[Recipient(phone="13900000005")], event="x", subject="s", body="b", channels=("sms",))
    row = Notification.objects.get(address="13900000005")
    assert (row.status, row.attempts, row.error_code) == ("failed", 1, "isv.MOBILE_NUMBER_ILLEGAL")
    assert RefusingGateway.calls == 1


def test_a_claimed_row_is_held_by_its_lease_and_taken_again_when_it_runs_out(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notify(recipients=[Recipient(phone="13900000006")], event="x", subject="s", body="b", channels=("sms",))
    row = Notification.objects.get(address="13900000006")
    [claimed] = outbox_claim()
    assert claimed.pk == row.pk and claimed.attempts == 1
    assert outbox_claim() == []  # held: a second worker (or a redelivered task) finds nothing
    assert outbox_drain(ids=[row.pk]) == {}
    # The first worker died mid-send: its lease runs out and another worker takes the row.
    Notification.objects.filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert outbox_drain(ids=[row.pk]) == {"sent": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    # The dead worker's claim cannot overwrite the result.
    from core.notifications.delivery import _record_failure

    _record_failure(claimed, DeliveryError("late"))
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("sent", "")
    assert len(sms_outbox) == 1


def test_broker_outage_leaves_rows_queued_and_the_sweeper_requeues_them(tree, django_capture_on_commit_callbacks):
    with (
        mock.patch("core.tasks.outbox_deliver.delay", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(recipients=[Recipient(phone="13900000007")], event="x", subject="s", body="b", channels=("sms",))
    row = Notification.objects.get(address="13900000007")
    assert row.status == "queued"
    assert outbox_sweep() == 0  # just handed over: the sweeper leaves it to its task for a while
    Notification.objects.filter(pk=row.pk).update(dispatched_at=timezone.now() - timedelta(minutes=5))
    assert notifications_sweep() == 1
    row.refresh_from_db()
    assert row.status == "sent"
    assert [m.phone for m in sms_outbox] == ["13900000007"]
    assert notifications_sweep() == 0
