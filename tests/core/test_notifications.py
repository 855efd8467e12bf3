"""The notification service: per-recipient records, delivery after commit, retries, no loss."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings

from core.models import Notification
from core.notifications import Recipient, notify
from core.notifications.backends import DeliveryError, sms_outbox
from core.tasks import MAX_DELIVERY_ATTEMPTS, notifications_sweep
from tests.conftest import user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_outbox():
    sms_outbox.clear()
    yield
    sms_outbox.clear()


def _recipient():
    u = user("340100-reviewer")
    u.email, u.phone = "reviewer@example.gov.cn", "13800000001"
    u.save()
    return u


def test_recorded_per_recipient_and_channel_then_delivered_after_commit(tree, django_capture_on_commit_callbacks):
    reviewer = _recipient()
    guest = Recipient(phone="13900000002")  # no e-mail: only the SMS is queued
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(
            recipients=[reviewer, guest],
            event="reception.task.submitted",
            subject="待审核",
            body="任务《调研》已提交。",
            jurisdiction_code="340100",
        )
        assert {(n.channel, n.address) for n in created} == {
            ("email", "reviewer@example.gov.cn"),
            ("sms", "13800000001"),
            ("sms", "13900000002"),
        }
        assert len(mail.outbox) == 0  # nothing leaves before commit
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert mail.outbox[0].to == ["reviewer@example.gov.cn"]
    assert mail.outbox[0].subject == "待审核"
    assert sorted(m.phone for m in sms_outbox) == ["13800000001", "13900000002"]
    assert sms_outbox[0].text.startswith("【公务接待】待审核：")


def test_nothing_is_sent_when_the_transaction_rolls_back(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[_recipient()], event="x", subject="s", body="b")
    assert len(callbacks) == 1  # would only run on commit
    assert mail.outbox == []


def test_dedupe_key_notifies_once(tree, django_capture_on_commit_callbacks):
    reviewer = _recipient()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(
            recipients=[reviewer], event="warning", subject="预警", body="超标", dedupe_key="w:1", channels=("sms",)
        )
        second = notify(
            recipients=[reviewer], event="warning", subject="预警", body="超标", dedupe_key="w:1", channels=("sms",)
        )
    assert len(first) == 1 and second == []
    assert len(sms_outbox) == 1


class FailingGateway:
    calls = 0

    def send(self, phone: str, text: str) -> str:
        FailingGateway.calls += 1
        raise DeliveryError("gateway timeout")


@override_settings(SMS_GATEWAY="tests.core.test_notifications.FailingGateway")
def test_failures_are_retried_then_marked_failed(tree, django_capture_on_commit_callbacks):
    from config.celery import app
    from core.tasks import deliver_notification

    FailingGateway.calls = 0
    with django_capture_on_commit_callbacks(execute=False):
        notify(recipients=[Recipient(phone="13900000003")], event="x", subject="s", body="b")
    notification = Notification.objects.get(address="13900000003")
    # Eager apply() follows Celery's retries in-process (countdowns are not waited for).
    app.conf.task_eager_propagates = False
    try:
        result = deliver_notification.apply(args=[notification.pk])
    finally:
        app.conf.task_eager_propagates = True
    assert result.get(propagate=False) == "failed"
    notification.refresh_from_db()
    assert FailingGateway.calls == MAX_DELIVERY_ATTEMPTS
    assert notification.attempts == MAX_DELIVERY_ATTEMPTS
    assert notification.status == "failed"
    assert notification.last_error == "gateway timeout"


def test_broker_outage_leaves_pending_and_the_sweeper_sends_later(tree, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    with (
        mock.patch("core.tasks.deliver_notification.delay", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(recipients=[Recipient(phone="13900000004")], event="x", subject="s", body="b")
    notification = Notification.objects.get(address="13900000004")
    assert notification.status == "pending"
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert notifications_sweep() == 1
    notification.refresh_from_db()
    assert notification.status == "sent"
    assert [m.phone for m in sms_outbox] == ["13900000004"]


def test_redelivery_sends_once(tree, django_capture_on_commit_callbacks):
    from core.notifications.services import deliver

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[Recipient(phone="13900000005")], event="x", subject="s", body="b")
    notification = Notification.objects.get(address="13900000005")
    deliver(notification.pk)
    assert len(sms_outbox) == 1
