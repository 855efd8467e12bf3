"""Reporting reads come from a real streaming replica; writes go to the primary; a client reads
its own writes; Celery's exports read the replica in their own schema; the lag is measured.

A private stack (tests/faults/stack.py: its own PostgreSQL and Redis, gunicorn with 2 workers, a
Celery worker) with a streaming standby made by `pg_basebackup -R` (tests/scale/replica.py) and
`DATABASE_REPLICA_URL` pointing at it. The proof that an answer came from the replica: replay is
paused on the standby (`pg_wal_replay_pause()`), a reception is added on the primary, and the
statistics do not count it until replay resumes, while the primary already holds it.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import statistics
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.faults.stack import Stack, build_stack, wait_for
from tests.scale.replica import Standby

pytestmark = pytest.mark.slow

HOST = "hefei.localhost"
SCHEMA = "j340100"
PIN_SECONDS = 5
STATISTICS = "/api/v1/statistics/?from=2026-01-01&to=2026-12-31"
ADMIN = ("fault-admin", "Fault-pass-2026")
FINANCE = ("replica-finance", "Replica-pass-2026")

SEED = """
import datetime as dt
from django_tenants.utils import schema_context
from core.models import User
from reception.models import Letter, Task
admin = User.objects.get(username="fault-admin")
with schema_context("j340100"):
    letter = Letter.objects.get_or_create(
        number="340100-R", defaults=dict(sending_unit="省发改委", purpose="inspection_research", content="调研",
        people_count=3, received_on=dt.date(2026, 4, 28), created_by=admin),
    )[0]
    for title in {titles!r}:
        Task.objects.create(
            letter=letter, title=title, level="bureau", counterpart_unit="发改委", status="completed",
            start_date=dt.date(2026, 5, 6), end_date=dt.date(2026, 5, 7), created_by=admin,
        )
"""
SEEDED = ["接待-1", "接待-2", "接待-3"]
ADDED = "接待-新增"


@pytest.fixture
def stack() -> Iterator[tuple[Stack, Standby]]:
    built = build_stack({"DATABASE_REPLICA_PIN_SECONDS": str(PIN_SECONDS)})
    standby = None
    try:
        # the per-user pin lives in the cache: shared by both gunicorn workers through Redis
        built.env["CACHE_URL"] = f"redis://127.0.0.1:{built.redis.port}/1"
        member = ("--jurisdiction", "340100", "--role", "finance")
        built.manage("add_member", FINANCE[0], "--password", FINANCE[1], *member)
        built.manage("shell", "-c", SEED.format(titles=SEEDED))
        standby = Standby(built.postgres, built.base)
        built.env["DATABASE_REPLICA_URL"] = standby.url
        wait_for(standby.caught_up, "the standby to catch up")
        yield built, standby
    finally:
        if standby is not None:
            standby.stop()
        built.teardown()


def _call(
    stack: Stack, method: str, path: str, *, token: str, cookie: str | None = None, body: Any = None
) -> tuple[int, dict[str, str], bytes]:
    headers = {"Host": HOST, "Authorization": f"Token {token}"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if cookie:
        headers["Cookie"] = cookie
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=60)
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _login(stack: Stack, credentials: tuple[str, str]) -> str:
    body = json.dumps({"username": credentials[0], "password": credentials[1]}).encode()
    status, answer = stack.request("POST", "/api/v1/auth/login/", host=HOST, body=body, timeout=60)
    assert status == 200, answer
    return str(json.loads(answer)["token"])


def _receptions(stack: Stack, token: str, cookie: str | None = None) -> int:
    status, _headers, body = _call(stack, "GET", STATISTICS, token=token, cookie=cookie)
    assert status == 200, body[:500]
    return int(json.loads(body)["totals"]["receptions"])


def _count(standby: Standby, table: str, *, primary: bool) -> int:
    return int(standby.scalar(f'SELECT count(*) FROM "{SCHEMA}".{table}', primary=primary))


def _export_titles(stack: Stack, token: str) -> list[str]:
    """A detailed CSV export built by the Celery worker: the titles of its detail lines."""
    status, _h, body = _call(stack, "POST", "/api/v1/statistics/exports/", token=token, body={"format": "csv"})
    assert status == 201, body[:500]
    job = json.loads(body)

    def finished() -> bool:
        nonlocal job
        _s, _h2, answer = _call(stack, "GET", f"/api/v1/statistics/exports/{job['id']}/", token=token)
        job = json.loads(answer)
        return job["status"] in ("done", "failed")

    wait_for(finished, "the export job", timeout=120)
    assert job["status"] == "done", job
    status, _h, content = _call(stack, "GET", job["download"], token=token)
    assert status == 200
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    blank = rows.index([])
    return sorted(row[1] for row in rows[blank + 2 :])


def test_reporting_reads_come_from_the_streaming_replica(stack: tuple[Stack, Standby]) -> None:
    built, standby = stack
    built.start_web(workers=2)
    built.start_worker("replica", concurrency=1)
    admin, finance = _login(built, ADMIN), _login(built, FINANCE)
    time.sleep(PIN_SECONDS + 0.5)  # signing in wrote (audit): those pins run out first
    assert _receptions(built, finance) == len(SEEDED)

    # Replay paused: the primary gets a reception the replica does not have.
    standby.pause()
    built.manage("shell", "-c", SEED.format(titles=[ADDED]))
    assert _count(standby, "reception_task", primary=True) == len(SEEDED) + 1
    assert _count(standby, "reception_task", primary=False) == len(SEEDED)
    behind = standby.behind_bytes()
    assert behind > 0

    # Statistics answer from the replica: the new reception is not counted.
    assert _receptions(built, finance) == len(SEEDED)
    assert _receptions(built, admin) == len(SEEDED)

    # A write lands on the primary (the paused standby does not have it) and pins its client.
    status, headers, body = _call(
        built, "POST", "/api/v1/chronicle/", token=admin, body={"date": "2026-05-06", "title": "记事"}
    )
    assert status == 201, body[:500]
    assert _count(standby, "reporting_local_chronicleentry", primary=True) == 1
    assert _count(standby, "reporting_local_chronicleentry", primary=False) == 0
    cookie = headers["set-cookie"].split(";")[0]
    assert cookie.startswith("replica_pin=")
    # The writer reads its own writes: by the cookie, and by its user (a token client without
    # cookies, whichever gunicorn worker answers); anyone else still reads the replica.
    assert _receptions(built, admin, cookie) == len(SEEDED) + 1
    assert _receptions(built, admin) == len(SEEDED) + 1
    assert _receptions(built, finance) == len(SEEDED)

    # The Celery worker builds exports from the replica, in the jurisdiction's schema.
    assert _export_titles(built, finance) == sorted(SEEDED)

    # Replay resumes: the replica catches up and everyone sees the new reception.
    standby.resume()
    wait_for(standby.caught_up, "the standby to catch up", timeout=60)
    time.sleep(PIN_SECONDS + 0.5)
    assert _receptions(built, finance) == len(SEEDED) + 1
    assert _export_titles(built, finance) == sorted([*SEEDED, ADDED])

    # The lag: a commit on the primary until the standby has replayed it.
    lags = standby.commit_lag_seconds(samples=50)
    replay_age = standby.scalar("SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())")
    median_ms, worst_ms = statistics.median(lags) * 1000, max(lags) * 1000
    print(
        f"streaming replica: replay paused {behind} WAL bytes behind; commit-to-replay lag over "
        f"{len(lags)} writes: median {median_ms:.1f} ms, max {worst_ms:.1f} ms; "
        f"last replayed transaction {float(replay_age):.2f} s old"
    )
    # The client pin must outlast the lag, or a writer could read stale figures.
    assert worst_ms < PIN_SECONDS * 1000
