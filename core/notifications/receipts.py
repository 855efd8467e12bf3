"""Delivery receipts (回执) pushed by the SMS gateways to

    POST /api/v1/messages/receipts/aliyun/<SMS_RECEIPT_TOKEN>/    Alibaba Cloud SmsReport (HTTP batch push)
    POST /api/v1/messages/receipts/tencent/<SMS_RECEIPT_TOKEN>/   Tencent Cloud status callback

Each matches a sent row by the gateway's message id (Alibaba's BizId, Tencent's sid = SerialNo)
and number, and records `delivered` or `undelivered` with the vendor's code. The token in the
path (a long random secret, configured at the vendor too) authenticates the push; without
SMS_RECEIPT_TOKEN the endpoints answer 404.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import Notification

SHANGHAI_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Receipt:
    message_id: str
    phone: str  # may be masked by the vendor (138****0000): matched on the id, checked on the last digits
    delivered: bool
    code: str
    at: datetime | None


def _when(text: Any) -> datetime | None:
    try:
        return timezone.make_aware(datetime.strptime(str(text), SHANGHAI_FORMAT))
    except (TypeError, ValueError):
        return None


@transaction.atomic
def sms_receipts_record(*, gateway: str, receipts: list[Receipt]) -> int:
    """Record delivery receipts on the rows they are about; unknown ids are ignored (a receipt
    may arrive for a message of another installation sharing the vendor account). Returns matches."""
    matched = 0
    for receipt in receipts:
        if not receipt.message_id:
            continue
        rows = Notification.objects.select_for_update().filter(
            gateway=gateway, gateway_message_id=receipt.message_id, channel=Notification.Channel.SMS
        )
        for row in rows:
            if receipt.phone and row.address[-4:] != receipt.phone[-4:]:
                continue
            row.receipt = Notification.Receipt.DELIVERED if receipt.delivered else Notification.Receipt.UNDELIVERED
            row.receipt_code = receipt.code[:100]
            row.receipt_at = receipt.at or timezone.now()
            row.save(update_fields=["receipt", "receipt_code", "receipt_at"])
            matched += 1
    return matched


def aliyun_receipts(payload: Any) -> list[Receipt]:
    items = payload if isinstance(payload, list) else []
    return [
        Receipt(
            message_id=str(item.get("biz_id") or ""),
            phone=str(item.get("phone_number") or ""),
            delivered=item.get("success") in (True, "true", "True"),
            code=str(item.get("err_code") or ""),
            at=_when(item.get("report_time")),
        )
        for item in items
        if isinstance(item, dict)
    ]


def tencent_receipts(payload: Any) -> list[Receipt]:
    items = payload if isinstance(payload, list) else []
    return [
        Receipt(
            message_id=str(item.get("sid") or ""),
            phone=str(item.get("mobile") or ""),
            delivered=item.get("report_status") == "SUCCESS",
            code=str(item.get("errmsg") or ""),
            at=_when(item.get("user_receive_time")),
        )
        for item in items
        if isinstance(item, dict)
    ]


VENDORS = {
    "aliyun": (aliyun_receipts, {"code": 0, "msg": "成功"}),
    "tencent": (tencent_receipts, {"result": 0, "errmsg": "OK"}),
}


class SmsReceiptsApi(APIView):
    """A gateway's push of delivery receipts (no login: the path's secret token authenticates)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(operation_id="sms_receipts", request=None, responses={200: dict})
    def post(self, request: Request, vendor: str, token: str) -> Response:
        expected = settings.SMS_RECEIPT_TOKEN
        if vendor not in VENDORS or not expected or not hmac.compare_digest(token.encode(), expected.encode()):
            raise Http404
        parse, answer = VENDORS[vendor]
        sms_receipts_record(gateway=vendor, receipts=parse(request.data))
        return Response(answer)
