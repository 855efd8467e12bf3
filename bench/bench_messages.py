"""Messages (issue 15): queueing the messages of a 300-guest meeting's approval (target ≤ 1 s),
and a worker's drain of 1,000 queued e-mails to a local SMTP server (target ≥ 50 messages/s).

The approval's messages go through `reception.notifications.arrangements_notify`, the function
the approval calls in its transaction (300 guests' SMS, the contact's and the counterpart's
e-mail and SMS: rendering, address checks, one INSERT). The drain runs `outbox_drain`, the body
of the `core.outbox_deliver` task, against aiosmtpd on loopback: claim with SKIP LOCKED and a
lease, send over one SMTP session, record each result."""

from __future__ import annotations

import datetime as dt
import socket
import time
from typing import Any
from unittest import mock

from bench.common import Context, Result, median_seconds

CODE, SLUG = "980015", "bench-messages"


def _setup(guests: int) -> tuple[Any, Any]:
    from reception.models import Guest, Letter, Task
    from tenants.models import Membership
    from tenants.schema import tenant_context
    from tenants.services import jurisdiction_create, membership_add, user_ensure

    jurisdiction, _created = jurisdiction_create(actor=None, code=CODE, name="消息基准市", level="province", slug=SLUG)
    user, _created = user_ensure(username="bench-messages-drafter", password="Bench-pass-2026", display_name="bench")
    user.email, user.phone = "drafter@bench.gov.cn", "13900000000"
    user.save()
    membership_add(actor=None, user=user, jurisdiction=jurisdiction, role="counterpart", unit_name="基准对口单位")
    Membership.objects.filter(user=user, jurisdiction=jurisdiction).update(unit_name="基准对口单位")
    day = dt.date(2026, 6, 1)
    with tenant_context(jurisdiction):
        Task.objects.all().delete()
        Letter.objects.all().delete()
        letter = Letter.objects.create(
            number="基准〔2026〕15号",
            sending_unit="基准来访单位",
            purpose="attend_meeting",
            content="基准测试",
            people_count=guests,
            received_on=day,
            contact_name="联络员",
            contact_phone="13800000000",
            contact_email="liaison@bench.gov.cn",
        )
        task = Task.objects.create(
            letter=letter,
            title="全省基准工作会议",
            level="bureau",
            counterpart_unit="基准对口单位",
            start_date=day,
            end_date=day + dt.timedelta(days=2),
            created_by=user,
            status="approved",
        )
        Guest.objects.bulk_create(
            Guest(task=task, name=f"代表{n}", unit="单位", post="处长", grade="division", phone=f"137{n:08d}")
            for n in range(guests)
        )
    return jurisdiction, task


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.count += 1
        return "250 OK"


def run(ctx: Context) -> list[Result]:
    from aiosmtpd.controller import Controller
    from django.db import transaction
    from django.test import override_settings

    from core.models import Notification
    from core.notifications import Recipient, notify
    from core.notifications.delivery import outbox_drain
    from reception.notifications import arrangements_notify
    from tenants.schema import tenant_context

    guests = 50 if ctx.quick else 300
    jurisdiction, task = _setup(guests)
    results: list[Result] = []
    queued: list[int] = []

    def approval() -> None:
        Notification.objects.filter(jurisdiction_code=CODE).delete()
        with tenant_context(jurisdiction), transaction.atomic():
            queued.append(arrangements_notify(jurisdiction=jurisdiction, task=task, event="reception.task.approved"))

    with mock.patch("core.notifications.services.dispatch"):
        seconds = median_seconds(approval, repeat=5)
    results.append(
        Result(
            f"queue the messages of a {guests}-guest approval ({queued[-1]} rows)",
            seconds,
            "s",
            target="≤ 1 s",
            ok=seconds <= 1.0,
        )
    )

    count = 200 if ctx.quick else 1000
    Notification.objects.filter(jurisdiction_code=CODE).delete()
    with mock.patch("core.notifications.services.dispatch"), transaction.atomic():
        notify(
            recipients=[Recipient(email=f"p{n}@bench.gov.cn") for n in range(count)],
            event="bench.drain",
            subject="基准测试邮件",
            body="这是一封基准测试邮件。 http://bench-messages.localhost/",
            jurisdiction_code=CODE,
            channels=("email",),
        )
    port, sink = _free_port(), _Sink()
    server = Controller(sink, hostname="127.0.0.1", port=port)
    server.start()
    try:
        smtp = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }
        with override_settings(**smtp):
            started = time.perf_counter()
            counts = outbox_drain()
            elapsed = time.perf_counter() - started
    finally:
        server.stop()
    rate = counts["sent"] / elapsed if elapsed else 0.0
    sent_rows = Notification.objects.filter(jurisdiction_code=CODE, status="sent").count()
    results.append(
        Result(
            f"worker drains {count} e-mails to a local SMTP server",
            rate,
            "msg/s",
            target="≥ 50 msg/s",
            note=f"{sink.count} received, {sent_rows} rows sent, {elapsed:.2f} s",
            ok=rate >= 50 and sink.count == count == sent_rows,
        )
    )
    Notification.objects.filter(jurisdiction_code=CODE).delete()
    return results
