"""Tenant creation by clone vs by migrations (median of 5 each), and a migrate pass over the demo tree."""

from __future__ import annotations

import io
import statistics
import time

from bench.common import Context, Result


def _drop(schema: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _by_migrations(schema: str) -> float:
    from django.core.management import call_command
    from django.db import connection

    from tenants.schema import activate_public

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
    call_command("migrate_schemas", schema_name=schema, tenant=True, interactive=False, verbosity=0)
    activate_public()
    return time.perf_counter() - started


def _by_clone(schema: str) -> float:
    from tenants.provisioning import schema_clone
    from tenants.schema import activate_public

    activate_public()
    started = time.perf_counter()
    schema_clone(schema)
    return time.perf_counter() - started


def run(ctx: Context) -> list[Result]:
    from django.core.management import call_command

    from tenants.models import Jurisdiction
    from tenants.provisioning import code_migrations

    repeat = 3 if ctx.quick else 5
    clone_times, migrate_times = [], []
    for i in range(repeat):
        for schema, fn, sink in (
            (f"bench_clone_{i}", _by_clone, clone_times),
            (f"bench_migrate_{i}", _by_migrations, migrate_times),
        ):
            _drop(schema)
            sink.append(fn(schema))
            _drop(schema)
    clone, migrate = statistics.median(clone_times), statistics.median(migrate_times)
    migrations = len(code_migrations())
    results = [
        Result("tenancy: create schema by clone (median)", clone, "s", "<= 1 s", f"{repeat} runs", clone <= 1.0),
        Result("tenancy: create schema by migrations (median)", migrate, "s", "", f"{migrations} migrations"),
        Result("tenancy: clone speed-up (migrations / clone)", migrate / clone, "x", "> 1", "", migrate > clone),
    ]

    # A migrate pass over the demo tree (121 schemas + template): nothing to apply, then all forced.
    if not Jurisdiction.objects.filter(code="340000").exists() or Jurisdiction.objects.count() < 121:
        call_command("seed_demo", password="Bench-pass-2026", stdout=io.StringIO())
    schemas = Jurisdiction.objects.count()
    started = time.perf_counter()
    call_command("migrate_schemas", interactive=False, verbosity=0)
    noop = time.perf_counter() - started
    results.append(Result("tenancy: migrate_schemas, nothing to apply", noop, "s", "", f"{schemas} schemas + template"))
    if not ctx.quick:
        started = time.perf_counter()
        call_command("migrate_schemas", interactive=False, verbosity=0, all_schemas=True)
        forced = time.perf_counter() - started
        results.append(
            Result("tenancy: migrate_schemas, every schema checked", forced, "s", "", f"{schemas} schemas + template")
        )
    return results
