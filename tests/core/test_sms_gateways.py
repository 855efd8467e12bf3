"""The SMS adapters through each vendor's official SDK, against a local stand-in for its API that
checks the documented request (action, parameters, signature) and answers success or error."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from core.models import Notification
from core.notifications import MessageKind, Recipient, notify, register_message_kind
from core.notifications.delivery import outbox_drain
from tests.core.sms_standins import StandIn, aliyun_answer, aliyun_verifier, tencent_answer, tencent_verifier

pytestmark = pytest.mark.django_db

KEY_ID, SECRET = "LTAI-test-key", "test-secret-值"
register_message_kind(MessageKind("test_itinerary", sms_params=("title", "url")))


def _vendor(backend: str, url: str, **extra: Any) -> dict[str, Any]:
    return {
        "SMS_BACKEND": backend,
        "SMS_ENDPOINT": url,
        "SMS_ACCESS_KEY_ID": KEY_ID,
        "SMS_ACCESS_KEY_SECRET": SECRET,
        "SMS_SIGN_NAME": "合肥市机关事务管理局",
        "SMS_APP_ID": "1400006666",
        "SMS_TEMPLATES": {"test_itinerary": "SMS_154950909", "generic": "SMS_1"},
        **extra,
    }


def _send(phone: str, django_capture_on_commit_callbacks: Any) -> Notification:
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[Recipient(phone=phone)],
            event="reception.task.itinerary_sent",
            template="test_itinerary",
            context={"title": "省厅调研", "url": "http://hefei.localhost:8000/itinerary/abc/"},
            channels=("sms",),
        )
    return Notification.objects.get(address=phone)


@pytest.fixture
def _kind_templates(settings, tmp_path):
    folder = tmp_path / "messages"
    folder.mkdir()
    (folder / "test_itinerary.subject.txt").write_text("行程")
    (folder / "test_itinerary.txt").write_text("{{ title }} 的行程：{{ url }}")
    (folder / "test_itinerary.html").write_text("<p>{{ title }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]


# --- Alibaba Cloud --------------------------------------------------------------------------


@pytest.mark.usefixtures("_kind_templates")
def test_aliyun_sends_the_documented_signed_request(tree, django_capture_on_commit_callbacks):
    with (
        StandIn(aliyun_verifier(KEY_ID, SECRET), aliyun_answer) as gateway,
        override_settings(**_vendor("aliyun", gateway.url)),
    ):
        row = _send("13800000011", django_capture_on_commit_callbacks)
    [seen] = gateway.requests
    assert seen.problems == [] and seen.signature_ok
    assert seen.headers["x-acs-action"] == "SendSms" and seen.headers["x-acs-version"] == "2017-05-25"
    assert seen.query["PhoneNumbers"] == "13800000011"
    assert seen.query["SignName"] == "合肥市机关事务管理局"
    assert seen.query["TemplateCode"] == "SMS_154950909"
    assert json.loads(seen.query["TemplateParam"]) == {
        "title": "省厅调研",
        "url": "http://hefei.localhost:8000/itinerary/abc/",
    }
    assert (row.status, row.gateway, row.gateway_message_id) == ("sent", "aliyun", "900619746936498440^0")


@pytest.mark.usefixtures("_kind_templates")
def test_aliyun_business_error_fails_with_the_vendor_code(tree, django_capture_on_commit_callbacks):
    def answer(seen: Any) -> Any:
        return aliyun_answer(seen, code="isv.MOBILE_NUMBER_ILLEGAL")

    with (
        StandIn(aliyun_verifier(KEY_ID, SECRET), answer) as gateway,
        override_settings(**_vendor("aliyun", gateway.url)),
    ):
        row = _send("13800000012", django_capture_on_commit_callbacks)
    assert (row.status, row.attempts, row.error_code) == ("failed", 1, "isv.MOBILE_NUMBER_ILLEGAL")


@pytest.mark.usefixtures("_kind_templates")
def test_aliyun_wrong_secret_is_refused_by_signature_and_fails(tree, django_capture_on_commit_callbacks):
    with (
        StandIn(aliyun_verifier(KEY_ID, "the-real-secret"), aliyun_answer) as gateway,
        override_settings(**_vendor("aliyun", gateway.url)),
    ):
        row = _send("13800000013", django_capture_on_commit_callbacks)
    assert gateway.requests[0].signature_ok is False
    assert (row.status, row.error_code) == ("failed", "SignatureDoesNotMatch")


@pytest.mark.usefixtures("_kind_templates")
def test_aliyun_flow_control_is_retried(tree, django_capture_on_commit_callbacks):
    answers = iter(["isv.BUSINESS_LIMIT_CONTROL", "OK"])

    def answer(seen: Any) -> Any:
        return aliyun_answer(seen, code=next(answers))

    with (
        StandIn(aliyun_verifier(KEY_ID, SECRET), answer) as gateway,
        override_settings(**_vendor("aliyun", gateway.url)),
    ):
        row = _send("13800000014", django_capture_on_commit_callbacks)
        assert (row.status, row.error_code) == ("queued", "isv.BUSINESS_LIMIT_CONTROL")
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        assert outbox_drain() == {"sent": 1}
    assert len(gateway.requests) == 2


def test_a_kind_without_a_template_id_fails_without_calling_the_gateway(tree, django_capture_on_commit_callbacks):
    with (
        StandIn(aliyun_verifier(KEY_ID, SECRET), aliyun_answer) as gateway,
        override_settings(**_vendor("aliyun", gateway.url, SMS_TEMPLATES={})),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(recipients=[Recipient(phone="13800000015")], event="x", subject="s", body="b", channels=("sms",))
    row = Notification.objects.get(address="13800000015")
    assert (row.status, row.error_code) == ("failed", "template_missing")
    assert gateway.requests == []


def test_a_gateway_that_does_not_answer_is_retried(tree, django_capture_on_commit_callbacks):
    with (
        override_settings(**_vendor("tencent", "http://127.0.0.1:9", SMS_TIMEOUT=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(recipients=[Recipient(phone="13800000016")], event="x", subject="s", body="b", channels=("sms",))
    row = Notification.objects.get(address="13800000016")
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.error_code.startswith("ClientNetworkError") or row.error_code == "gateway_unavailable"


# --- Tencent Cloud --------------------------------------------------------------------------


@pytest.mark.usefixtures("_kind_templates")
def test_tencent_sends_the_documented_signed_request(tree, django_capture_on_commit_callbacks):
    with (
        StandIn(tencent_verifier(KEY_ID, SECRET), tencent_answer) as gateway,
        override_settings(**_vendor("tencent", gateway.url)),
    ):
        row = _send("13800000021", django_capture_on_commit_callbacks)
    [seen] = gateway.requests
    assert seen.problems == [] and seen.signature_ok
    assert seen.headers["x-tc-action"] == "SendSms" and seen.headers["x-tc-version"] == "2021-01-11"
    body = json.loads(seen.body)
    assert body["PhoneNumberSet"] == ["+8613800000021"]
    assert (body["SmsSdkAppId"], body["SignName"], body["TemplateId"]) == (
        "1400006666",
        "合肥市机关事务管理局",
        "SMS_154950909",
    )
    assert body["TemplateParamSet"] == ["省厅调研", "http://hefei.localhost:8000/itinerary/abc/"]
    assert (row.status, row.gateway, row.gateway_message_id) == ("sent", "tencent", "5000:1045710669157053657849499619")


@pytest.mark.usefixtures("_kind_templates")
def test_tencent_number_refused_fails_with_the_vendor_code(tree, django_capture_on_commit_callbacks):
    def answer(seen: Any) -> Any:
        return tencent_answer(seen, code="InvalidParameterValue.IncorrectPhoneNumber")

    with (
        StandIn(tencent_verifier(KEY_ID, SECRET), answer) as gateway,
        override_settings(**_vendor("tencent", gateway.url)),
    ):
        row = _send("13800000022", django_capture_on_commit_callbacks)
    assert (row.status, row.error_code) == ("failed", "InvalidParameterValue.IncorrectPhoneNumber")


@pytest.mark.usefixtures("_kind_templates")
def test_tencent_wrong_secret_fails_with_the_signature_error(tree, django_capture_on_commit_callbacks):
    with (
        StandIn(tencent_verifier(KEY_ID, "the-real-key"), tencent_answer) as gateway,
        override_settings(**_vendor("tencent", gateway.url)),
    ):
        row = _send("13800000023", django_capture_on_commit_callbacks)
    assert gateway.requests[0].signature_ok is False
    assert (row.status, row.error_code) == ("failed", "AuthFailure.SignatureFailure")
