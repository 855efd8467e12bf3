"""Throughput of `GET tasks/` (first page of 50) against `/healthz` on the same gunicorn in the
same run, measured by an outside load client (`wrk`, Debian) at 16 connections.

Targets (issue 18): the task list at >= 25 % of /healthz's requests per second, p99 <= 150 ms.
`python bench/bench_throughput.py --profile` prints a cProfile of the request instead (where
the time goes, in process, without the server); `--cpu` compares the CPU of one request, in
process and in PostgreSQL, with the access cache off and on.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import Context, Result, Server, cpu_seconds, gunicorn, http_request  # noqa: E402

CONNECTIONS = 16
TASKS = 60  # more than one page


def prepare() -> tuple[str, str]:
    """The city 340100 with `TASKS` tasks (5 guests, 10 plan items each) and a drafter's token."""
    from django_tenants.utils import tenant_context

    from bench.load_mix import _member, _tasks
    from reception.models import Task
    from tenants.services import jurisdiction_create

    jurisdiction_create(actor=None, code="340000", name="安徽省", level="province")
    city, _created = jurisdiction_create(actor=None, code="340100", name="合肥市", level="city", parent_code="340000")
    token = _member(city, "load-drafter", "drafter")
    with tenant_context(city):
        missing = TASKS - Task.objects.count()
    if missing > 0:
        _tasks(city, "load-drafter", missing)
    return city.host, token


def _wrk(port: int, path: str, host: str, token: str | None, seconds: int) -> dict[str, float]:
    headers = ["-H", f"Host: {host}"]
    if token:
        headers += ["-H", f"Authorization: Token {token}"]
    command = ["wrk", "-t", "4", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--latency", *headers]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+([\d.]+\w+)", out.stdout).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
    requests = float(re.search(r"(\d+) requests in", out.stdout).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p99_ms": p99, "non_2xx": float(errors.group(1)) if errors else 0.0, "requests": requests}


def _database_pids() -> list[int]:
    """PostgreSQL's server processes for this database (the server's connections included)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def _phase(server: Server, path: str, host: str, token: str | None, seconds: int) -> dict[str, float]:
    """One wrk run, with the CPU it cost per request: gunicorn's processes, PostgreSQL's server
    processes for this database, wrk itself (the machine's other load is not counted)."""
    import resource

    web, db = server.worker_pids(), _database_pids()
    before_web, before_db = cpu_seconds(web), cpu_seconds(db)
    before_wrk = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = _wrk(server.port, path, host, token, seconds)
    after_wrk = resource.getrusage(resource.RUSAGE_CHILDREN)
    db = sorted(set(db) | set(_database_pids()))
    after_web, after_db = cpu_seconds(web), cpu_seconds(db)
    per_request = 1000 / max(figures["requests"], 1)
    figures["web_cpu_ms"] = sum(after_web[p] - before_web.get(p, 0.0) for p in after_web) * per_request
    figures["db_cpu_ms"] = sum(after_db[p] - before_db.get(p, 0.0) for p in after_db) * per_request
    wrk_cpu = (after_wrk.ru_utime + after_wrk.ru_stime) - (before_wrk.ru_utime + before_wrk.ru_stime)
    figures["client_cpu_ms"] = wrk_cpu * per_request
    return figures


def cpu_total(figures: dict[str, float]) -> float:
    return figures["web_cpu_ms"] + figures["db_cpu_ms"] + figures["client_cpu_ms"]


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def measure(*, seconds: int = 10, workers: int = 2, threads: int = 4) -> dict[str, Any]:
    host, token = prepare()
    with gunicorn(workers=workers, threads=threads) as server:
        status = http_request(server.port, "GET", "/api/v1/tasks/", host, token, None)[0]
        if status != 200:
            raise RuntimeError(f"GET tasks/ answered {status}")
        _wrk(server.port, "/api/v1/tasks/", host, token, 2)  # warm-up: connections, caches
        health = _phase(server, "/healthz", "localhost", None, seconds)
        tasks = _phase(server, "/api/v1/tasks/", host, token, seconds)
    return {
        "healthz": health,
        "tasks": tasks,
        "ratio": tasks["rps"] / health["rps"],
        # What the ratio would be if CPU alone limited both (an otherwise idle machine).
        "cpu_ratio": cpu_total(health) / cpu_total(tasks),
        "load": os.getloadavg(),
    }


def run(ctx: Context) -> list[Result]:
    if shutil.which("wrk") is None:
        return [Result("throughput: wrk not installed", 0, "", note="apt-get install wrk")]
    figures = measure(seconds=5 if ctx.quick else 10)
    health, tasks = figures["healthz"], figures["tasks"]
    load = f"load average {figures['load'][0]:.1f}"
    return [
        Result("throughput: /healthz (wrk, 16 connections)", health["rps"], "req/s", "", load),
        Result(
            "throughput: GET tasks/ (first page of 50)", tasks["rps"], "req/s", "", f"{tasks['non_2xx']:.0f} non-2xx"
        ),
        Result(
            "throughput: GET tasks/ ÷ /healthz",
            figures["ratio"] * 100,
            "%",
            ">= 25 %",
            "",
            figures["ratio"] >= 0.25 and tasks["non_2xx"] == 0,
        ),
        Result("throughput: GET tasks/ p99", tasks["p99_ms"], "ms", "<= 150 ms", "", tasks["p99_ms"] <= 150),
        Result("throughput: CPU per /healthz (web + db + wrk)", cpu_total(health), "ms", "", _cpu_note(health)),
        Result("throughput: CPU per GET tasks/ (web + db + wrk)", cpu_total(tasks), "ms", "", _cpu_note(tasks)),
        Result("throughput: CPU-bound ratio (healthz CPU ÷ tasks CPU)", figures["cpu_ratio"] * 100, "%", "", ""),
    ]


def _cpu_note(figures: dict[str, float]) -> str:
    return f"web {figures['web_cpu_ms']:.2f}, db {figures['db_cpu_ms']:.2f}, wrk {figures['client_cpu_ms']:.2f} ms"


def profile(repeat: int = 200) -> None:
    import cProfile
    import pstats

    from django.test import Client

    host, token = prepare()
    client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/tasks/").status_code == 200
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(repeat):
        client.get("/api/v1/tasks/")
    profiler.disable()
    print(f"{(time.perf_counter() - started) / repeat * 1000:.1f} ms per request (in process, profiled)")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


def cpu_ab(rounds: int = 5, repeat: int = 300) -> None:
    """CPU of one `GET tasks/` in process (Django) and in its PostgreSQL backend, with the access
    cache (core/db/notified.py) off and on, in alternating rounds: a comparison that the load of
    the machine moves far less than requests per second."""
    import statistics

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from core.db.notified import access_cache

    host, token = prepare()
    client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/tasks/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    figures: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _round in range(rounds):
        for on in (False, True):
            settings.ACCESS_CACHE = on
            while on and not access_cache.enabled():
                time.sleep(0.01)
            for _ in range(20):
                client.get("/api/v1/tasks/")
            web, db = time.process_time(), cpu_seconds([backend])[backend]
            for _ in range(repeat):
                client.get("/api/v1/tasks/")
            figures[on].append(
                ((time.process_time() - web) / repeat * 1000, (cpu_seconds([backend])[backend] - db) / repeat * 1000)
            )
    for on in (False, True):
        web = statistics.median(w for w, _d in figures[on])
        db = statistics.median(d for _w, d in figures[on])
        print(f"access cache {'on ' if on else 'off'}: web {web:.2f} ms + db {db:.2f} ms = {web + db:.2f} ms of CPU")
    print(f"load average {os.getloadavg()[0]:.1f}; {rounds} rounds of {repeat} requests each, medians")


if __name__ == "__main__":
    from bench.run import bench_database_url

    url, _name = bench_database_url(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/reception"))
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"})
    import django

    django.setup()
    if "--profile" in sys.argv:
        profile()
    elif "--cpu" in sys.argv:
        cpu_ab()
    else:
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--seconds", type=int, default=10)
        args, _rest = parser.parse_known_args()
        print(measure(seconds=args.seconds, workers=args.workers, threads=args.threads))
