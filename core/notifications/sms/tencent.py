"""Tencent Cloud SMS (腾讯云短信) through its official SDK, `tencentcloud-sdk-python-sms` (API 2021-01-11).

SendSms takes the SDK app id (SmsSdkAppId), a sign name, an approved template id and its
variables as an ordered list (TemplateParamSet). The SDK signs with TC3-HMAC-SHA256. Each number
has its own status: `Ok`, or a code such as `InvalidParameterValue.IncorrectPhoneNumber`, and
the row fails with it; limits and internal errors are retried.
"""

from __future__ import annotations

from django.conf import settings

from core.notifications.backends import DeliveryError, SmsMessage
from core.notifications.sms import credential, endpoint, template_id

DEFAULT_HOST = "sms.tencentcloudapi.com"
TRANSIENT_PREFIXES = ("InternalError", "RequestLimitExceeded", "LimitExceeded.DeliveryFrequencyLimit")
TRANSIENT = frozenset(
    {"LimitExceeded.PhoneNumberOneHourLimit", "LimitExceeded.PhoneNumberThirtySecondLimit", "ResourceUnavailable"}
)


def _transient(code: str) -> bool:
    return code in TRANSIENT or code.startswith(TRANSIENT_PREFIXES)


class TencentSmsGateway:
    name = "tencent"

    def __init__(self) -> None:
        from tencentcloud.common import credential as tc_credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        scheme, host = endpoint(DEFAULT_HOST)
        http = HttpProfile(protocol=scheme, endpoint=host, reqTimeout=int(settings.SMS_TIMEOUT))
        profile = ClientProfile(signMethod="TC3-HMAC-SHA256", httpProfile=http)
        cred = tc_credential.Credential(credential("SMS_ACCESS_KEY_ID"), credential("SMS_ACCESS_KEY_SECRET"))
        self.client = sms_client.SmsClient(cred, settings.SMS_REGION, profile)

    def send(self, message: SmsMessage) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{message.phone}"]
        request.SmsSdkAppId = credential("SMS_APP_ID")
        request.SignName = credential("SMS_SIGN_NAME")
        request.TemplateId = template_id(message.kind)
        request.TemplateParamSet = list(message.params.values())
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = str(exc.code or "tencent_error")
            # The SDK reports network failures with its own client-side codes.
            network = code.startswith("ClientNetworkError") or code == "ClientError"
            raise DeliveryError(
                f"{code}: {exc.message}", code=code, permanent=not (network or _transient(code))
            ) from exc
        except Exception as exc:
            raise DeliveryError(str(exc) or exc.__class__.__name__, code="gateway_unavailable") from exc
        statuses = response.SendStatusSet or []
        if not statuses:
            raise DeliveryError("empty SendStatusSet", code="tencent_empty_answer")
        status = statuses[0]
        if status.Code != "Ok":
            code = str(status.Code or "tencent_error")
            raise DeliveryError(f"{code}: {status.Message}", code=code, permanent=not _transient(code))
        return str(status.SerialNo or "")
