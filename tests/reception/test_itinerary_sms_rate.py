"""Itinerary SMS sends are rate limited per task: the fourth within an hour is a 429
`rate_limited` with Retry-After, sends nothing and writes nothing; links without SMS go on."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from core.models import AuditEntry, Notification
from reception.models import Guest
from reception.services import links
from reception.services.links import ITINERARY_SMS_LIMIT
from tests.conftest import api, in_tenant, refused, unchanged
from tests.reception.arrangements import set_status
from tests.reception.conftest import task_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(draft: Any) -> Any:
    set_status(draft, "approved")
    with in_tenant("340100"):
        for n, guest in enumerate(Guest.objects.filter(task=draft)):
            Guest.objects.filter(pk=guest.pk).update(phone=f"1380000020{n}")
    return draft


def send(task: Any, sms: bool = True, username: str = "340100-handler") -> Any:
    return api("340100", username).post(task_url(task, "itinerary-link/"), {"sms": sms}, format="json")


def sms_count() -> int:
    return Notification.objects.filter(jurisdiction_code="340100", channel="sms").count()


def test_the_fourth_sms_send_within_the_hour_is_refused(approved: Any) -> None:
    assert ITINERARY_SMS_LIMIT == 3
    for _n in range(ITINERARY_SMS_LIMIT):
        sent = send(approved)
        assert (sent.status_code, sent.json()["sms_sent"]) == (201, 2)
    before = (sms_count(), AuditEntry.objects.count())
    refusal = send(approved)
    refused(refusal, 429, "rate_limited")
    assert refusal.json()["code"] == "rate_limited"
    assert 3500 < int(refusal["Retry-After"]) <= 3600
    assert (sms_count(), AuditEntry.objects.count()) == before
    # a link without SMS is still issued
    assert send(approved, sms=False).status_code == 201


def test_the_window_slides(approved: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(links, "ITINERARY_SMS_WINDOW", timedelta(seconds=2))
    for _n in range(ITINERARY_SMS_LIMIT):
        assert send(approved).status_code == 201
    refusal = send(approved)
    refused(refusal, 429, "rate_limited")
    assert refusal["Retry-After"] in ("1", "2")  # the window's end, rounded up
    time.sleep(2.1)  # the oldest send leaves the window (audit entries cannot be back-dated)
    assert send(approved).status_code == 201


def test_each_task_has_its_own_count(approved: Any, meeting_task: Any) -> None:
    for _n in range(ITINERARY_SMS_LIMIT):
        assert send(approved).status_code == 201
    set_status(meeting_task, "approved")
    assert send(meeting_task).status_code == 201


def test_another_jurisdiction_cannot_send(approved: Any) -> None:
    before = sms_count()
    with unchanged():
        refused(send(approved, username="340200-handler"), 403, "permission_denied")
    assert sms_count() == before
