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
