"""Channel backends. E-mail goes through Django's mail backends; SMS through a gateway interface.

An SMS gateway is any class with `send(phone, text) -> str` (the gateway's message id) that
raises `DeliveryError` on failure. The default, `LoggingSmsGateway`, logs and keeps an outbox
(like Django's locmem mail backend) so tests and development can see what would be sent.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("core.notifications")


class DeliveryError(Exception):
    """The channel refused or failed to take the message; delivery will be retried."""


class ChannelBackend(Protocol):
    def send(self, *, address: str, subject: str, body: str) -> str: ...


class EmailBackend:
    def send(self, *, address: str, subject: str, body: str) -> str:
        try:
            sent = send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
        except Exception as exc:  # SMTP errors of every kind
            raise DeliveryError(str(exc)) from exc
        if sent != 1:
            raise DeliveryError("mail backend accepted no message")
        return ""


@dataclass
class SmsMessage:
    phone: str
    text: str
    message_id: str


#: What the logging gateway "sent", newest last (tests and development).
sms_outbox: list[SmsMessage] = []


class LoggingSmsGateway:
    def send(self, phone: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        sms_outbox.append(SmsMessage(phone=phone, text=text, message_id=message_id))
        logger.info("sms to %s: %s", phone, text)
        return message_id


class SmsBackend:
    """Formats `subject: body` into one text and hands it to the configured gateway."""

    def __init__(self) -> None:
        self.gateway = import_string(settings.SMS_GATEWAY)()

    def send(self, *, address: str, subject: str, body: str) -> str:
        text = f"【{settings.SMS_SIGNATURE}】{subject}：{body}" if subject else f"【{settings.SMS_SIGNATURE}】{body}"
        return str(self.gateway.send(address, text))


def backend_for(channel: str) -> ChannelBackend:
    return import_string(settings.NOTIFICATION_BACKENDS[channel])()
