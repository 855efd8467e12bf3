"""Shared helpers for benchmarks: timing, medians, request latency with query counts, the table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass
class Result:
    name: str
    value: float
    unit: str
    target: str = ""
    note: str = ""
    ok: bool | None = None  # None: no target to meet


@dataclass
class Context:
    quick: bool = False


def median_seconds(fn: Callable[[], Any], *, repeat: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statements: list[str] = []
    with CaptureQueriesContext(connection) as context:
        yield statements
    statements.extend(q["sql"] for q in context.captured_queries if not q["sql"].startswith("SET search_path"))


def request_latency(client: Any, method: str, path: str, *, repeat: int = 20, **kwargs: Any) -> tuple[float, int, int]:
    """Median seconds of a request through the whole Django stack, its status and SQL count."""
    call = getattr(client, method.lower())
    response = call(path, **kwargs)
    with counted_queries() as statements:
        response = call(path, **kwargs)
    queries = len(statements)
    seconds = median_seconds(lambda: call(path, **kwargs), repeat=repeat, warmup=2)
    return seconds, response.status_code, queries


def print_table(results: list[Result]) -> None:
    if not results:
        print("no results")
        return
    width = max(len(r.name) for r in results)
    print()
    print(f"{'benchmark'.ljust(width)}  {'value':>12}  {'unit':<8}  {'target':<14}  ok    note")
    print("-" * (width + 60))
    for r in results:
        ok = "" if r.ok is None else ("yes" if r.ok else "NO")
        value = f"{r.value:,.3f}" if r.value < 1000 else f"{r.value:,.0f}"
        print(f"{r.name.ljust(width)}  {value:>12}  {r.unit:<8}  {r.target:<14}  {ok:<4}  {r.note}")


# --- A real server for the load benchmarks (bench/load.py, bench/bench_throughput.py) ---------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_request(
    port: int, method: str, path: str, host: str, token: str | None, body: bytes | None
) -> tuple[int, float]:
    """One request on a fresh connection: (status, seconds); status 0 when the connection failed."""
    import http.client

    headers = {"Host": host}
    if token:
        headers["Authorization"] = f"Token {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 0
    finally:
        connection.close()
    return status, time.perf_counter() - started


@dataclass
class Server:
    port: int
    pid: int  # gunicorn's master process

    def worker_pids(self) -> list[int]:
        return [self.pid, *child_pids(self.pid)]


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (Linux /proc)."""
    from pathlib import Path

    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        children += [int(p) for p in task.read_text().split()]
    return children


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds each process has used so far (Linux /proc; gone ones left out)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return used


@contextmanager
def gunicorn(
    *, workers: int = 2, threads: int = 4, env: dict[str, str] | None = None, start_timeout: float = 60
) -> Iterator[Server]:
    """gunicorn serving `config.wsgi` on a free loopback port with `DEBUG=0`, once `/healthz`
    answers 200; yields the server (port, pid) and stops it afterwards. The database and the rest
    come from this process's environment (plus `env`)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    port = free_port()
    server_env = {
        **os.environ,
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(root),
        **(env or {}),
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--threads", str(threads), "--log-level", "warning"]
    server = subprocess.Popen(command, env=server_env, cwd=root)
    try:
        deadline = time.monotonic() + start_timeout
        while http_request(port, "GET", "/healthz", "localhost", None, None)[0] != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield Server(port, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
