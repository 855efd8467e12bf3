"""Channels: e-mail through Django's mail backends (SMTP from EMAIL_URL), SMS through a gateway.

A channel is opened once per worker batch (one SMTP connection for many messages), sends one
outbox row at a time and answers a `Sent` (which gateway, its message id) or raises
`DeliveryError` with a code: `permanent` failures (a refused recipient, a vendor's "illegal
number") are not retried, the others are, with backoff.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from core.models import Notification

logger = logging.getLogger("core.notifications")


class DeliveryError(Exception):
    """The channel did not take the message. `code` is stable (the vendor's, or ours)."""

    def __init__(self, message: str, *, code: str = "delivery_error", permanent: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.permanent = permanent


@dataclass(frozen=True)
class Sent:
    gateway: str
    message_id: str = ""


class Channel(Protocol):
    def send(self, row: Notification) -> Sent: ...

    def close(self) -> None: ...


# --- E-mail ---------------------------------------------------------------------------------

_MAIL_GATEWAYS = {
    "django.core.mail.backends.smtp.EmailBackend": "smtp",
    "django.core.mail.backends.filebased.EmailBackend": "file",
    "django.core.mail.backends.console.EmailBackend": "console",
    "django.core.mail.backends.locmem.EmailBackend": "locmem",
}


def message_id_for(row: Notification) -> str:
    """The same Message-ID on every attempt of a row, so that a copy delivered twice (a worker
    killed after the server took it) is recognisably the same message."""
    digest = hashlib.sha256(row.key.encode()).hexdigest()[:16]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or settings.BASE_DOMAIN
    return f"<outbox-{row.pk}.{digest}@{domain}>"


class EmailChannel:
    """Plain text with an HTML alternative, over one connection kept open for the batch."""

    def __init__(self) -> None:
        self.backend_path = settings.EMAIL_BACKEND
        self.gateway = _MAIL_GATEWAYS.get(self.backend_path, self.backend_path.rsplit(".", 2)[-2])
        self.connection: BaseEmailBackend | None = None

    def _connection(self) -> BaseEmailBackend:
        if self.connection is None:
            self.connection = get_connection(fail_silently=False)
            self.connection.open()
        return self.connection

    def send(self, row: Notification) -> Sent:
        message = EmailMultiAlternatives(
            subject=row.subject,
            body=row.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[row.address],
            headers={"Message-ID": message_id_for(row)},
        )
        if row.html:
            message.attach_alternative(row.html, "text/html")
        try:
            message.connection = self._connection()
            sent = message.send()
        except smtplib.SMTPResponseException as exc:  # the server answered with a code
            self.close()
            raise DeliveryError(
                f"{exc.smtp_code} {exc.smtp_error!r}", code=f"smtp_{exc.smtp_code}", permanent=exc.smtp_code >= 500
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            codes = sorted({code for code, _msg in exc.recipients.values()})
            raise DeliveryError(
                str(exc), code=f"smtp_{codes[0] if codes else 550}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:  # connection refused, reset, timed out
            self.close()
            raise DeliveryError(str(exc) or exc.__class__.__name__, code="smtp_unavailable") from exc
        if sent != 1:
            raise DeliveryError("the mail backend accepted no message", code="smtp_not_accepted")
        return Sent(gateway=self.gateway, message_id=message_id_for(row))

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:
                logger.debug("closing the mail connection failed", exc_info=True)
            self.connection = None


# --- SMS ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsMessage:
    """What a gateway needs: the number, the message kind and its template variables, the text
    (the logging gateway's, and the record of what the template says)."""

    phone: str
    kind: str
    text: str
    params: dict[str, str] = field(default_factory=dict)


class SmsGateway(Protocol):
    name: str

    def send(self, message: SmsMessage) -> str: ...


#: SMS_BACKEND's short names.
SMS_BACKENDS = {
    "log": "core.notifications.sms.log.LoggingSmsGateway",
    "aliyun": "core.notifications.sms.aliyun.AliyunSmsGateway",
    "tencent": "core.notifications.sms.tencent.TencentSmsGateway",
}


def sms_gateway() -> SmsGateway:
    path = SMS_BACKENDS.get(settings.SMS_BACKEND, settings.SMS_BACKEND)
    return import_string(path)()  # type: ignore[no-any-return]


class SmsChannel:
    def __init__(self) -> None:
        self.gateway = sms_gateway()

    def send(self, row: Notification) -> Sent:
        from core.notifications.kinds import sms_params

        message = SmsMessage(
            phone=row.address, kind=row.template, text=row.body, params=sms_params(row.template, row.context)
        )
        return Sent(gateway=self.gateway.name, message_id=str(self.gateway.send(message)))

    def close(self) -> None:
        pass


CHANNELS: dict[str, type[EmailChannel] | type[SmsChannel]] = {"email": EmailChannel, "sms": SmsChannel}


def open_channel(channel: str) -> Channel:
    return CHANNELS[channel]()
