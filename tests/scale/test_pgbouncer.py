"""Behind PgBouncer in transaction-pooling mode, every query runs in its own tenant's schema.

A private stack (its own PostgreSQL and Redis, tests/faults/stack.py) with two jurisdictions
holding different tasks, and a real PgBouncer (Debian's) with a pool of two server connections
in front of it: gunicorn (2 workers x 4 threads) and a Celery worker connect through it.

The test first runs the web tier without `DATABASE_POOLING` and requires wrong answers: that is
the bug (django-tenants' session `SET search_path` is issued on one server connection and the
query runs on another, answering `relation "reception_task" does not exist` or from the other
jurisdiction's schema), and it shows that the checks below can fail. Then, with
`DATABASE_POOLING=transaction`, every one of hundreds of concurrent answers across the two
jurisdictions, and every Celery task sent from either, must come from its own schema.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.faults.stack import Stack, build_stack, wait_for
from tests.scale.pgbouncer import PgBouncer

pytestmark = pytest.mark.slow

HOSTS = {"340100": "hefei.localhost", "340200": "wuhu.localhost"}
TASK_COUNTS = {"340100": 3, "340200": 4}
USERS = {"340100": ("fault-admin", "Fault-pass-2026"), "340200": ("pool-wuhu", "Pool-pass-2026")}
REQUESTS_PER_THREAD = 25
THREADS = 16

SEED = """
import datetime as dt
from django_tenants.utils import schema_context
from core.models import User
from reception.models import Letter, Task
admin = User.objects.get(username="fault-admin")
for code, count in {counts!r}.items():
    with schema_context("j" + code):
        letter = Letter.objects.create(
            number=code + "-1", sending_unit="省发改委", purpose="inspection_research", content="调研",
            people_count=3, received_on=dt.date(2026, 4, 28), created_by=admin,
        )
        for i in range(count):
            Task.objects.create(
                letter=letter, title=f"{{code}}-任务-{{i}}", level="bureau", counterpart_unit="发改委",
                start_date=dt.date(2026, 5, 6), end_date=dt.date(2026, 5, 7), created_by=admin,
            )
"""

SEND = """
from django_tenants.utils import schema_context
from tests.scale.probe_tasks import pooling_probe
for i in range({n}):
    for code in ("340100", "340200"):
        with schema_context("j" + code):
            pooling_probe.delay(f"{{code}}-{{i}}")
"""


@pytest.fixture
def stack(tmp_path) -> Iterator[Stack]:
    built = build_stack({"POOLING_PROBE_FILE": str(tmp_path / "probes.jsonl")})
    bouncer = None
    try:
        built.manage(
            "create_jurisdiction", "--code", "340200", "--name", "芜湖市", "--level", "city", "--parent", "340000"
        )
        built.manage(
            "add_member", "pool-wuhu", "--password", "Pool-pass-2026", "--jurisdiction", "340200", "--role", "admin"
        )
        built.manage("shell", "-c", SEED.format(counts=TASK_COUNTS))
        bouncer = PgBouncer(built.env["DATABASE_URL"], pool_size=2)
        database = urlsplit(built.env["DATABASE_URL"]).path.lstrip("/")
        built.env["DATABASE_URL"] = bouncer.url(database)
        built.bouncer = bouncer  # type: ignore[attr-defined]
        yield built
    finally:
        built.teardown()
        if bouncer is not None:
            bouncer.stop()


def _start_web(stack: Stack) -> None:
    try:
        stack.start_web(workers=2)
    except TimeoutError:
        log = (stack.base / "web.log").read_text(errors="replace")
        raise AssertionError(f"gunicorn did not start behind the pooler:\n{log[-3000:]}") from None


def _token(stack: Stack, code: str) -> str:
    username, password = USERS[code]
    body = json.dumps({"username": username, "password": password}).encode()
    status, answer = stack.request("POST", "/api/v1/auth/login/", host=HOSTS[code], body=body)
    assert status == 200, answer
    return str(json.loads(answer)["token"])


def _expected_titles(code: str) -> list[str]:
    return sorted(f"{code}-任务-{i}" for i in range(TASK_COUNTS[code]))


def _hammer(stack: Stack) -> Counter[str]:
    """Concurrent task lists from both jurisdictions; counts answers by verdict."""
    tokens = {code: _token(stack, code) for code in HOSTS}
    verdicts: Counter[str] = Counter()
    lock = threading.Lock()

    def run(index: int) -> None:
        for n in range(REQUESTS_PER_THREAD):
            code = ("340100", "340200")[(index + n) % 2]
            status, body = stack.get("/api/v1/tasks/", host=HOSTS[code], token=tokens[code], timeout=30)
            if status != 200:
                verdict = f"status {status}"
            else:
                answer = json.loads(body)
                titles = sorted(row["title"] for row in answer["results"])
                right = titles == _expected_titles(code) and answer["count"] == TASK_COUNTS[code]
                verdict = "right" if right else "other schema"
            with lock:
                verdicts[verdict] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return verdicts


def _probes(path: Any) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_request_and_task_runs_in_its_own_schema_behind_pgbouncer(stack, tmp_path):
    total = THREADS * REQUESTS_PER_THREAD

    # Without the fix: the same load through the same pooler gets wrong answers.
    stack.env.pop("DATABASE_POOLING", None)
    _start_web(stack)
    unpooled = _hammer(stack)
    stack.kill("web")
    assert sum(unpooled.values()) == total
    assert unpooled["right"] < total, f"the unpooled run should have failed somewhere: {unpooled}"

    # With it: every answer from its own schema.
    stack.env["DATABASE_POOLING"] = "transaction"
    _start_web(stack)
    pooled = _hammer(stack)
    print(f"behind PgBouncer (pool of 2), {total} requests: unpooled {dict(unpooled)}, pooled {dict(pooled)}")
    assert pooled == Counter({"right": total}), pooled

    # Celery: two worker processes share the same two server connections.
    stack.start_worker("pooled", concurrency=2, extra=("--include", "tests.scale.probe_tasks"))
    sent = 20
    stack.manage("shell", "-c", SEND.format(n=sent))
    probe_file = tmp_path / "probes.jsonl"
    wait_for(lambda: len(_probes(probe_file)) >= 2 * sent, "the worker's probes", timeout=120)
    probes = _probes(probe_file)
    assert len(probes) == 2 * sent
    by_tenant = Counter(p["tenant"] for p in probes)
    assert by_tenant == Counter({"j340100": sent, "j340200": sent})
    for probe in probes:
        code = probe["tag"].split("-")[0]
        assert probe["tenant"] == f"j{code}", probe
        assert probe["schema_in_transaction"] == f"j{code}", probe
        assert probe["autocommit_titles"] == _expected_titles(code), probe
        assert probe["transaction_titles"] == _expected_titles(code), probe
