"""The development gateway: logs and keeps what it "sent" (like Django's locmem mail backend)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings

from core.notifications.backends import SmsMessage

logger = logging.getLogger("core.notifications")


@dataclass
class LoggedSms:
    phone: str
    text: str
    message_id: str
    kind: str = ""


#: What the logging gateway "sent", newest last (tests and development).
sms_outbox: list[LoggedSms] = []


class LoggingSmsGateway:
    name = "log"

    def send(self, message: SmsMessage) -> str:
        message_id = uuid.uuid4().hex
        text = f"【{settings.SMS_SIGN_NAME}】{message.text}"  # as the phone shows it: the sign first
        sms_outbox.append(LoggedSms(phone=message.phone, text=text, message_id=message_id, kind=message.kind))
        logger.info("sms to %s: %s", message.phone, text)
        return message_id
