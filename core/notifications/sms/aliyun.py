"""Alibaba Cloud SMS (阿里云短信服务) through its official SDK, `alibabacloud_dysmsapi20170525`.

SendSms takes a sign name (签名), an approved template (TemplateCode) and its variables as a JSON
object (TemplateParam). The SDK signs with ACS3-HMAC-SHA256. Business refusals come back as
HTTP 200 with `Code` other than "OK" (e.g. `isv.MOBILE_NUMBER_ILLEGAL`); the row fails with that
code. Flow control and server errors are retried.
"""

from __future__ import annotations

import json

from django.conf import settings

from core.notifications.backends import DeliveryError, SmsMessage
from core.notifications.sms import credential, endpoint, template_id

DEFAULT_HOST = "dysmsapi.aliyuncs.com"
#: Answers worth another attempt later; any other code is final.
TRANSIENT = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "isp.SYSTEM_ERROR",
        "isp.GATEWAY_ERROR",
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "ServiceUnavailable",
        "InternalError",
    }
)


class AliyunSmsGateway:
    name = "aliyun"

    def __init__(self) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        scheme, host = endpoint(DEFAULT_HOST)
        timeout_ms = int(settings.SMS_TIMEOUT * 1000)
        self.client = Client(
            Config(
                access_key_id=credential("SMS_ACCESS_KEY_ID"),
                access_key_secret=credential("SMS_ACCESS_KEY_SECRET"),
                endpoint=host,
                protocol=scheme,
                connect_timeout=timeout_ms,
                read_timeout=timeout_ms,
            )
        )

    def send(self, message: SmsMessage) -> str:
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        from darabonba.exceptions import DaraException

        request = SendSmsRequest(
            phone_numbers=message.phone,
            sign_name=credential("SMS_SIGN_NAME"),
            template_code=template_id(message.kind),
            template_param=json.dumps(message.params, ensure_ascii=False),
        )
        try:
            response = self.client.send_sms(request)
        except DaraException as exc:  # refused by the gateway itself (signature, key, throttling)
            code = str(getattr(exc, "code", "") or "aliyun_error")
            status = getattr(exc, "status_code", None) or 0
            transient = code in TRANSIENT or code.startswith("Throttling") or int(status) >= 500
            raise DeliveryError(f"{code}: {getattr(exc, 'message', exc)}", code=code, permanent=not transient) from exc
        except Exception as exc:  # network: refused, reset, timed out
            raise DeliveryError(str(exc) or exc.__class__.__name__, code="gateway_unavailable") from exc
        body = response.body
        if body is None or body.code != "OK":
            code = (body.code if body is not None else None) or "aliyun_error"
            message_text = body.message if body is not None else ""
            raise DeliveryError(f"{code}: {message_text}", code=code, permanent=code not in TRANSIENT)
        return str(body.biz_id or "")
