#!/usr/bin/env python
"""Load test: a realistic mix at N concurrent users against gunicorn, beside a plain Django JSON
view (the upper bound). Standard library only; the server runs against the bench database.

    python bench/load.py --users 16 --seconds 20

Prints throughput and p50/p99 per endpoint and overall. The mix is defined in bench/load_mix.py
(`build_mix(base_url) -> list[(weight, name, method, path, host, token, body)]`), which also
prepares its data through the ORM.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import Server, cpu_seconds, gunicorn, http_request  # noqa: E402

request = http_request  # the name the mix's users call


def run_load(port: int, mix: list, users: int, seconds: float) -> dict[str, list[tuple[int, float]]]:
    results: dict[str, list[tuple[int, float]]] = defaultdict(list)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    weights = [m[0] for m in mix]

    def user_loop(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            _w, name, method, path, host, token, body = rng.choices(mix, weights=weights)[0]
            if callable(path):
                path, body = path(rng)
            status, elapsed = request(port, method, path, host, token, body)
            with lock:
                results[name].append((status, elapsed))

    threads = [threading.Thread(target=user_loop, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def summarise(label: str, results: dict[str, list[tuple[int, float]]], seconds: float) -> list[str]:
    lines = [f"{label}", f"{'endpoint':<28} {'requests':>9} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses"]
    everything: list[float] = []
    for name in sorted(results):
        samples = results[name]
        times = sorted(t for _s, t in samples)
        everything.extend(times)
        statuses: dict[int, int] = defaultdict(int)
        for s, _t in samples:
            statuses[s] += 1
        lines.append(
            f"{name:<28} {len(samples):>9} {len(samples) / seconds:>8.1f} {percentile(times, 50) * 1000:>8.1f} "
            f"{percentile(times, 99) * 1000:>8.1f}  {dict(statuses)}"
        )
    everything.sort()
    lines.append(
        f"{'ALL':<28} {len(everything):>9} {len(everything) / seconds:>8.1f} {percentile(everything, 50) * 1000:>8.1f} "
        f"{percentile(everything, 99) * 1000:>8.1f}"
    )
    return lines


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[max(0, min(98, int(p) - 1))]


def _with_cpu(server: Server, phase: Callable[[], Any]) -> tuple[Any, tuple[float, float]]:
    """The phase's results and the CPU seconds it cost gunicorn and PostgreSQL (this database's
    server processes): what a request costs whatever else loads the machine."""
    from django.db import connection

    def database_pids() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return [row[0] for row in cursor.fetchall()]

    web, db = server.worker_pids(), database_pids()
    before_web, before_db = cpu_seconds(web), cpu_seconds(db)
    results = phase()
    db = sorted(set(db) | set(database_pids()))
    after_web, after_db = cpu_seconds(web), cpu_seconds(db)
    web_cpu = sum(after_web[p] - before_web.get(p, 0.0) for p in after_web)
    db_cpu = sum(after_db[p] - before_db.get(p, 0.0) for p in after_db)
    return results, (web_cpu, db_cpu)


def _cpu_line(results: dict[str, list[tuple[int, float]]], cpu: tuple[float, float]) -> str:
    count = max(sum(len(v) for v in results.values()), 1)
    web, db = (seconds * 1000 / count for seconds in cpu)
    return f"CPU per request: gunicorn {web:.2f} ms + PostgreSQL {db:.2f} ms = {web + db:.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    from bench.run import bench_database_url

    url, _name = bench_database_url(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/reception"))
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"})
    import django

    django.setup()
    from bench.load_mix import build_mix

    mix = build_mix()
    with gunicorn(workers=args.workers, threads=args.threads) as server:
        port = server.port
        run_load(port, mix, 4, 3)  # warm-up: persistent connections, caches
        upper, upper_cpu = _with_cpu(
            server,
            lambda: run_load(
                port,
                [(1, "plain Django JSON view", "GET", "/ping/", "localhost", None, None)],
                args.users,
                args.seconds,
            ),
        )
        mixed, mixed_cpu = _with_cpu(server, lambda: run_load(port, mix, args.users, args.seconds))
    print(
        f"\n{args.users} concurrent users, {args.seconds:.0f} s each, gunicorn {args.workers} workers × "
        f"{args.threads} threads\n"
    )
    for line in summarise("upper bound", upper, args.seconds):
        print(line)
    print(_cpu_line(upper, upper_cpu))
    print()
    for line in summarise("realistic mix", mixed, args.seconds):
        print(line)
    print(_cpu_line(mixed, mixed_cpu))
    print(
        json.dumps(
            {
                "upper_rps": sum(len(v) for v in upper.values()) / args.seconds,
                "mix_rps": sum(len(v) for v in mixed.values()) / args.seconds,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
