"""Workers racing for the outbox with real commits: SKIP LOCKED gives each row to one of them."""

from __future__ import annotations

import threading
from unittest import mock

from django.db import connection

from core.models import Notification
from core.notifications import Recipient, notify
from core.notifications.delivery import outbox_drain
from core.notifications.sms.log import sms_outbox


def test_concurrent_workers_send_each_row_once(committed):
    """Four workers drain 60 rows at once (real commits, SKIP LOCKED): every row sent once."""
    from django.db import transaction

    phones = [f"1370000{n:04d}" for n in range(60)]
    try:
        with mock.patch("core.notifications.services.dispatch"), transaction.atomic():
            rows = notify(
                recipients=[Recipient(phone=p) for p in phones], event="x", subject="s", body="b", channels=("sms",)
            )
        ids = [row.pk for row in rows]  # other committed tests may have left rows of their own
        errors: list[BaseException] = []

        def work() -> None:
            try:
                outbox_drain(ids=ids, batch=3)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        # Only this test's rows: messages other tests sent in this process may be in the log too.
        assert sorted(m.phone for m in sms_outbox if m.phone in set(phones)) == sorted(phones)
        assert set(Notification.objects.filter(address__in=phones).values_list("status", "attempts")) == {("sent", 1)}
    finally:
        Notification.objects.filter(address__in=phones).delete()
