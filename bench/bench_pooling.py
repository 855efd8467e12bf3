"""Pooled-request correctness: task lists of two jurisdictions through a real PgBouncer
(Debian's, transaction pooling, two server connections) in front of the bench database.

gunicorn (2 workers x 4 threads) is pointed at PgBouncer and 16 client threads ask for the task
lists of two jurisdictions in turn; each answer is checked against the jurisdiction's own task
count (they differ). First without `DATABASE_POOLING` (django-tenants' session search path: the
run is expected to go wrong, which shows the check can fail), then with
`DATABASE_POOLING=transaction`, where every answer must be right. The same check, on a private
stack and with Celery workers too, is `tests/scale/test_pgbouncer.py` (make test-slow).
"""

from __future__ import annotations

import http.client
import json
import os
import threading
from collections import Counter
from typing import Any

from bench.common import Context, Result, gunicorn

THREADS = 16
REQUESTS_PER_THREAD = 25
PGBOUNCER = "/usr/sbin/pgbouncer"


def _prepare() -> dict[str, tuple[str, str, int]]:
    """host, token and task count of two cities with different numbers of tasks."""
    from django_tenants.utils import tenant_context

    from bench.load_mix import _member, _tasks
    from reception.models import Task
    from tenants.services import jurisdiction_create

    jurisdiction_create(actor=None, code="340000", name="安徽省", level="province")
    cities = {}
    for code, name, wanted in (("340100", "合肥市", 12), ("340200", "芜湖市", 5)):
        city, _created = jurisdiction_create(actor=None, code=code, name=name, level="city", parent_code="340000")
        token = _member(city, f"pool-drafter-{code}", "drafter")
        with tenant_context(city):
            missing = wanted - Task.objects.count()
        if missing > 0:
            _tasks(city, f"pool-drafter-{code}", missing)
        with tenant_context(city):
            count = Task.objects.count()
        cities[code] = (city.host, token, count)
    if cities["340100"][2] == cities["340200"][2]:
        raise RuntimeError("the two jurisdictions must hold different numbers of tasks")
    return cities


def _hammer(port: int, cities: dict[str, tuple[str, str, int]]) -> Counter[str]:
    verdicts: Counter[str] = Counter()
    lock = threading.Lock()
    codes = sorted(cities)

    def run(index: int) -> None:
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # kept alive, as a browser
        for n in range(REQUESTS_PER_THREAD):
            code = codes[(index + n) % 2]
            host, token, count = cities[code]
            try:
                client.request(
                    "GET", "/api/v1/tasks/?page_size=1", headers={"Host": host, "Authorization": f"Token {token}"}
                )
                response = client.getresponse()
                status, body = response.status, response.read()
            except (OSError, http.client.HTTPException):
                client.close()
                status, body = 0, b""
            if status != 200:
                verdict = f"status {status}"
            else:
                answered = json.loads(body)["count"]
                verdict = "right" if answered == count else "other schema"
            with lock:
                verdicts[verdict] += 1
        client.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return verdicts


def measure() -> dict[str, Any]:
    from django.db import connection

    from tests.scale.pgbouncer import PgBouncer

    cities = _prepare()
    settings = connection.settings_dict
    host, port, name = settings.get("HOST") or "127.0.0.1", settings.get("PORT") or 5432, settings["NAME"]
    if str(host).startswith("/"):  # the embedded server: its socket
        server = f"postgresql://{settings['USER']}@:{port}/{name}?host={host}"
    else:
        server = f"postgresql://{settings['USER']}@{host}:{port}/{name}"
    bouncer = PgBouncer(server, pool_size=2)
    results: dict[str, Any] = {}
    try:
        pooled_url = bouncer.url(str(settings["NAME"]))
        for mode in ("", "transaction"):
            env = {"DATABASE_URL": pooled_url, "DATABASE_POOLING": mode, "ACCESS_CACHE": "0", "CONN_MAX_AGE": "600"}
            with gunicorn(workers=2, threads=4, env=env) as web:
                results[mode or "none"] = _hammer(web.port, cities)
    finally:
        bouncer.stop()
    return results


def run(ctx: Context) -> list[Result]:
    if not os.path.exists(PGBOUNCER):
        return [Result("pooling: pgbouncer not installed", 0, "", note="apt-get install pgbouncer")]
    figures = measure()
    total = THREADS * REQUESTS_PER_THREAD
    pooled, unpooled = figures["transaction"], figures["none"]
    return [
        Result(
            "pooling: task lists right behind PgBouncer, DATABASE_POOLING=transaction",
            pooled["right"],
            f"of {total}",
            f"= {total}",
            f"pool of 2 server connections, {THREADS} clients, two jurisdictions; {dict(pooled)}",
            pooled["right"] == total,
        ),
        Result(
            "pooling: the same without DATABASE_POOLING (expected to go wrong)",
            unpooled["right"],
            f"of {total}",
            "",
            str(dict(unpooled)),
        ),
    ]
