"""Messages (issue 15): queueing the messages of a 300-guest meeting's approval (target ≤ 1 s),
and a worker's drain of 1,000 queued e-mails to a local SMTP server (target ≥ 50 messages/s).

The approval's messages go through `reception.notifications.arrangements_notify`, the function
the approval calls in its transaction (300 guests' SMS, the contact's and the counterpart's
e-mail and SMS: rendering, address checks, one INSERT). The drain runs `outbox_drain`, the body
of the `core.outbox_deliver` task, against aiosmtpd on loopback in its own process: claim with SKIP LOCKED and a
lease, send over one SMTP session, record each result."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

from bench.common import Context, Result, median_seconds

CODE, SLUG = "960000", "bench-messages"


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


def _wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("the SMTP sink did not start")


def run(ctx: Context) -> list[Result]:
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
    port = _free_port()
    counter = Path(tempfile.mkdtemp()) / "received"
    counter.touch()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "bench.smtp_sink.CountingSink",
            str(counter),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port)
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
            started, cpu_started = time.perf_counter(), time.process_time()
            counts = outbox_drain()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        server.terminate()
        server.wait(timeout=10)
    received = counter.stat().st_size
    rate = counts["sent"] / elapsed if elapsed else 0.0
    sent_rows = Notification.objects.filter(jurisdiction_code=CODE, status="sent").count()
    results.append(
        Result(
            f"worker drains {count} e-mails to a local SMTP server",
            rate,
            "msg/s",
            target="≥ 50 msg/s",
            note=f"{received} received, {sent_rows} rows sent, {elapsed:.2f} s; worker CPU {cpu:.2f} s "
            f"({count / cpu:.0f} msg per CPU-second); load average {os.getloadavg()[0]:.1f}",
            ok=rate >= 50 and received == count == sent_rows,
        )
    )
    Notification.objects.filter(jurisdiction_code=CODE).delete()
    return results
