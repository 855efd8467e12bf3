#!/usr/bin/env python
"""`make bench`: run every benchmark of the project and print one table.

Each `bench/bench_*.py` module defines `run(ctx) -> list[Result]`. Benchmarks run against a
separate database (the configured one with `_bench` appended), created and migrated here, so
they never touch development or test data. `--only NAME` runs the modules whose name contains
NAME; `--quick` asks modules for smaller sizes (for a smoke run, not for the record).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def bench_database_url(url: str) -> tuple[str, str]:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "reception"
    bench_name = name if name.endswith("_bench") else f"{name}_bench"
    return urlunsplit(parts._replace(path="/" + bench_name)), bench_name


def ensure_database(url: str, name: str) -> None:
    import psycopg2
    from django.conf import settings as dj

    admin = dict(dj.DATABASES["default"])
    conn = psycopg2.connect(
        dbname="postgres",
        user=admin["USER"],
        password=admin.get("PASSWORD") or None,
        host=admin.get("HOST") or None,
        port=admin.get("PORT") or None,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the bench database")
    args = parser.parse_args()

    url, name = bench_database_url(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/reception"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    import django

    django.setup()
    from django.db import connection

    if args.fresh:
        import psycopg2

        connection.close()
        s = connection.settings_dict
        conn = psycopg2.connect(
            dbname="postgres", user=s["USER"], host=s.get("HOST") or None, port=s.get("PORT") or None
        )
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()
    ensure_database(url, name)
    from django.core.management import call_command

    call_command("migrate_schemas", interactive=False, verbosity=0)

    from bench.common import Context, print_table

    ctx = Context(quick=args.quick)
    modules = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    results = []
    failed = []
    for module_name in modules:
        if args.only and args.only not in module_name:
            continue
        print(f"--> {module_name}", flush=True)
        started = time.monotonic()
        try:
            module = importlib.import_module(f"bench.{module_name}")
            results.extend(module.run(ctx))
        except Exception:
            traceback.print_exc()
            failed.append(module_name)
        print(f"    {time.monotonic() - started:.1f}s", flush=True)
    print_table(results)
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
