"""Delivery receipts pushed by the gateways mark sent SMS delivered or undelivered."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from core.models import Notification
from tests.conftest import api, refused

pytestmark = pytest.mark.django_db
TOKEN = "r3ceipt-t0ken-long-and-random"


def _sent(gateway: str, message_id: str, phone: str) -> Notification:
    return Notification.objects.create(
        channel="sms",
        address=phone,
        event="x",
        subject="",
        body="b",
        key=f"k:{message_id}",
        status="sent",
        gateway=gateway,
        gateway_message_id=message_id,
    )


@override_settings(SMS_RECEIPT_TOKEN=TOKEN)
def test_aliyun_sms_report_push_records_receipts():
    ok, bad = _sent("aliyun", "1234^0", "13800000001"), _sent("aliyun", "5678^0", "13800000002")
    body = [
        {
            "phone_number": "13800000001",
            "send_time": "2026-05-06 09:00:00",
            "report_time": "2026-05-06 09:00:05",
            "success": True,
            "err_code": "DELIVERED",
            "err_msg": "用户接收成功",
            "sms_size": "1",
            "biz_id": "1234^0",
        },
        {
            "phone_number": "13800000002",
            "send_time": "2026-05-06 09:00:00",
            "report_time": "2026-05-06 09:00:07",
            "success": False,
            "err_code": "MK:0001",
            "err_msg": "失败",
            "sms_size": "1",
            "biz_id": "5678^0",
        },
        {"phone_number": "13800000009", "success": True, "biz_id": "unknown"},
    ]
    response = api().post(f"/api/v1/messages/receipts/aliyun/{TOKEN}/", body, format="json")
    assert (response.status_code, response.json()) == (200, {"code": 0, "msg": "成功"})
    ok.refresh_from_db()
    bad.refresh_from_db()
    assert (ok.receipt, ok.receipt_code, timezone.localtime(ok.receipt_at).isoformat()) == (
        "delivered",
        "DELIVERED",
        "2026-05-06T09:00:05+08:00",
    )
    assert (bad.receipt, bad.receipt_code) == ("undelivered", "MK:0001")


@override_settings(SMS_RECEIPT_TOKEN=TOKEN)
def test_tencent_status_callback_records_receipts():
    row = _sent("tencent", "2019:123", "13800000003")
    body = [
        {
            "user_receive_time": "2026-05-06 09:01:00",
            "nationcode": "86",
            "mobile": "13800000003",
            "report_status": "SUCCESS",
            "errmsg": "DELIVRD",
            "description": "用户短信送达成功",
            "sid": "2019:123",
        }
    ]
    response = api().post(f"/api/v1/messages/receipts/tencent/{TOKEN}/", body, format="json")
    assert (response.status_code, response.json()) == (200, {"result": 0, "errmsg": "OK"})
    row.refresh_from_db()
    assert (row.receipt, row.receipt_code) == ("delivered", "DELIVRD")


def test_a_wrong_or_missing_token_changes_nothing():
    row = _sent("aliyun", "1234^0", "13800000001")
    body = [{"phone_number": "13800000001", "success": True, "err_code": "DELIVERED", "biz_id": "1234^0"}]
    with override_settings(SMS_RECEIPT_TOKEN=TOKEN):
        refused(api().post("/api/v1/messages/receipts/aliyun/wrong/", body, format="json"), 404, "not_found")
        refused(api().post(f"/api/v1/messages/receipts/other/{TOKEN}/", body, format="json"), 404, "not_found")
        assert api().post(f"/api/v1/messages/receipts/aliyun/{TOKEN}/", {"x": 1}, format="json").status_code == 200
    with override_settings(SMS_RECEIPT_TOKEN=""):
        refused(api().post("/api/v1/messages/receipts/aliyun/x/", body, format="json"), 404, "not_found")
    row.refresh_from_db()
    assert row.receipt == ""
