"""Throughput of `GET tasks/` (first page of 50) against `/healthz` on the same gunicorn in the
same run, measured by an outside load client (`wrk`, Debian) at 16 connections.

Targets (issue 18): the task list at >= 25 % of /healthz's requests per second, p99 <= 150 ms.
`python bench/bench_throughput.py --profile` prints a cProfile of the request instead (where
the time goes, in process, without the server).
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

from bench.common import Context, Result, gunicorn, http_request  # noqa: E402

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
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "4",
            "-c",
            str(CONNECTIONS),
            "-d",
            f"{seconds}s",
            "--latency",
            *headers,
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p99_ms": p99, "non_2xx": float(errors.group(1)) if errors else 0.0}


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def measure(*, seconds: int = 10, workers: int = 2, threads: int = 4) -> dict[str, Any]:
    host, token = prepare()
    with gunicorn(workers=workers, threads=threads) as port:
        status = http_request(port, "GET", "/api/v1/tasks/", host, token, None)[0]
        if status != 200:
            raise RuntimeError(f"GET tasks/ answered {status}")
        _wrk(port, "/api/v1/tasks/", host, token, 2)  # warm-up: connections, caches
        health = _wrk(port, "/healthz", "localhost", None, seconds)
        tasks = _wrk(port, "/api/v1/tasks/", host, token, seconds)
    return {"healthz": health, "tasks": tasks, "ratio": tasks["rps"] / health["rps"], "load": os.getloadavg()}


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
    ]


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


if __name__ == "__main__":
    from bench.run import bench_database_url

    url, _name = bench_database_url(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/reception"))
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"})
    import django

    django.setup()
    if "--profile" in sys.argv:
        profile()
    else:
        print(measure())
