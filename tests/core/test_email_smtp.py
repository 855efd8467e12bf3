"""E-mail over real SMTP: an aiosmtpd server started by the test receives what the outbox sends."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.test import override_settings
from django.utils import timezone

from core.mailurl import email_settings
from core.models import Notification
from core.notifications import Recipient, notify
from core.notifications.delivery import outbox_drain

pytestmark = [
    pytest.mark.django_db,
    # A loopback test server: AUTH without TLS is what the test wants (the credentials reach it).
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"mailer", b"p@ss word")
    return AuthResult(success=ok)


def _server(port: int, inbox: Inbox) -> Controller:
    return Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=_authenticate, auth_require_tls=False, auth_required=True
    )


def _settings(port: int) -> dict[str, Any]:
    return {
        **email_settings(f"smtp://mailer:p%40ss%20word@127.0.0.1:{port}?timeout=5"),
        "DEFAULT_FROM_EMAIL": "公务接待 <reception@example.gov.cn>",
    }


def test_email_url_forms():
    assert email_settings("smtp+tls://u%40x:s3cret@mail.example.gov.cn") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.gov.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "u@x",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 20.0,
    }
    ssl = email_settings("smtp+ssl://relay:2465")
    assert (ssl["EMAIL_PORT"], ssl["EMAIL_USE_SSL"], ssl["EMAIL_USE_TLS"], ssl["EMAIL_HOST_USER"]) == (
        2465,
        True,
        False,
        "",
    )
    assert email_settings("smtp://relay")["EMAIL_PORT"] == 25
    for bad in ("http://relay", "smtp://", "relay:25"):
        with pytest.raises(ValueError):
            email_settings(bad)


def test_a_message_arrives_with_recipient_subject_body_and_link(tree, django_capture_on_commit_callbacks):
    port, inbox = _free_port(), Inbox()
    server = _server(port, inbox)
    server.start()
    try:
        with override_settings(**_settings(port)), django_capture_on_commit_callbacks(execute=True):
            notify(
                recipients=[Recipient(email="liaison@visiting.gov.cn")],
                event="reception.task.approved",
                subject="接待安排已确定：省厅调研",
                body="您好，接待安排如下。行程： http://hefei.localhost:8000/itinerary/abc/",
                channels=("email",),
            )
    finally:
        server.stop()
    [(sender, recipients, message)] = inbox.messages
    assert sender == "reception@example.gov.cn"
    assert recipients == ["liaison@visiting.gov.cn"]
    assert message["Subject"] == "接待安排已确定：省厅调研"
    assert message["To"] == "liaison@visiting.gov.cn"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "接待安排如下" in text and "http://hefei.localhost:8000/itinerary/abc/" in text
    assert 'href="http://hefei.localhost:8000/itinerary/abc/"' in html
    row = Notification.objects.get(address="liaison@visiting.gov.cn")
    assert (row.status, row.gateway, row.gateway_message_id) == ("sent", "smtp", message["Message-ID"])


def test_server_down_then_up_delivers_once(tree, django_capture_on_commit_callbacks):
    port, inbox = _free_port(), Inbox()
    with override_settings(**_settings(port)):
        with django_capture_on_commit_callbacks(execute=True):  # nobody listens: the attempt fails
            notify(
                recipients=[Recipient(email="a@visiting.gov.cn")],
                event="x",
                subject="主题",
                body="正文",
                channels=("email",),
            )
        row = Notification.objects.get(address="a@visiting.gov.cn")
        assert (row.status, row.attempts, row.error_code) == ("queued", 1, "smtp_unavailable")
        server = _server(port, inbox)
        server.start()
        try:
            assert outbox_drain() == {}  # not due yet
            Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
            assert outbox_drain() == {"sent": 1}
            assert outbox_drain() == {}  # and never again
        finally:
            server.stop()
    assert [m[1] for m in inbox.messages] == [["a@visiting.gov.cn"]]
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_refused_recipient_fails_with_the_smtp_code(tree, django_capture_on_commit_callbacks):
    class Refusing(Inbox):
        async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
            return "550 no such user"

    port = _free_port()
    server = _server(port, Refusing())
    server.start()
    try:
        with override_settings(**_settings(port)), django_capture_on_commit_callbacks(execute=True):
            notify(
                recipients=[Recipient(email="gone@visiting.gov.cn")],
                event="x",
                subject="主题",
                body="正文",
                channels=("email",),
            )
    finally:
        server.stop()
    row = Notification.objects.get(address="gone@visiting.gov.cn")
    assert (row.status, row.error_code) == ("failed", "smtp_550")


def test_one_connection_carries_a_batch(tree, django_capture_on_commit_callbacks):
    port, inbox = _free_port(), Inbox()
    sessions: list[Any] = []

    class Counting(Inbox):
        async def handle_EHLO(
            self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
        ) -> list[str]:
            sessions.append(session)
            session.host_name = hostname
            return responses

    inbox = Counting()
    server = _server(port, inbox)
    server.start()
    try:
        with override_settings(**_settings(port)), django_capture_on_commit_callbacks(execute=True):
            notify(
                recipients=[Recipient(email=f"p{n}@visiting.gov.cn") for n in range(12)],
                event="x",
                subject="主题",
                body="正文",
                channels=("email",),
            )
    finally:
        server.stop()
    assert len(inbox.messages) == 12
    assert len(sessions) == 1


def test_without_email_url_mail_goes_to_the_file_sink_and_counts_as_sent(
    tree, tmp_path, django_capture_on_commit_callbacks
):
    sink = {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(tmp_path)}
    with override_settings(**sink), django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[Recipient(email="demo@visiting.gov.cn")],
            event="x",
            subject="演示",
            body="离线演示",
            channels=("email",),
        )
    row = Notification.objects.get(address="demo@visiting.gov.cn")
    assert (row.status, row.gateway) == ("sent", "file")
    [written] = list(tmp_path.iterdir())
    parsed = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == "demo@visiting.gov.cn" and parsed["Subject"] == "演示"


def test_settings_read_email_url(monkeypatch):
    """config/settings.py turns EMAIL_URL into Django's SMTP settings (a fresh interpreter)."""
    import subprocess
    import sys

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS)"
    )
    env = {**__import__("os").environ, "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.gov.cn:2587"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.gov.cn",
        "2587",
        "mailer",
        "True",
    ]
