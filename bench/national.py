#!/usr/bin/env python
"""National scale, simulated: every province, city and county of the country in one database.

Not part of CI: building ~3,200 cloned schemas takes an hour or more (`make bench` runs only the
`migrate` step, when this database exists: bench/bench_national.py). Run it in
the background and read the figures it prints (and appends to `.data/national.log`):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/reception \\
        nohup .venv/bin/python bench/national.py build measure > .data/national.out 2>&1 &

`build` is resumable (jurisdictions already present are skipped). It uses its own database, the
configured one with `_national` appended. `measure` reports: onboarding one more tenant at full
size, a deploy's migration pass with nothing to apply, the same with one new migration (applied
and rolled back), a province summary query, memory of a web and a worker process, catalog size.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LOG = ROOT / ".data" / "national.log"

PROBE = ("reception", "9999_bench_probe")
PROBE_COLUMN, PROBE_INDEX = "bench_probe", "task_bench_probe_idx"


@contextlib.contextmanager
def probe_migration() -> Iterator[None]:
    """One new tenant migration that really changes every schema (a column and an index on the
    task table), added to the code's migration graph in this process only: nothing is written
    to the source tree, so a crash leaves no stray migration file behind."""
    from django.db import migrations, models
    from django.db.migrations.loader import MigrationLoader

    (leaf,) = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("reception")
    migration = type(
        "Migration",
        (migrations.Migration,),
        {
            "dependencies": [leaf],
            "operations": [
                migrations.AddField("task", PROBE_COLUMN, models.CharField(max_length=20, default="", blank=True)),
                migrations.AddIndex("task", models.Index(fields=[PROBE_COLUMN], name=PROBE_INDEX)),
            ],
        },
    )(PROBE[1], PROBE[0])
    original = MigrationLoader.build_graph

    def build_graph(self: Any) -> None:
        original(self)
        self.graph.add_node(PROBE, migration)
        self.graph.add_dependency(migration, PROBE, leaf)

    MigrationLoader.build_graph = build_graph  # type: ignore[method-assign]
    try:
        yield
    finally:
        MigrationLoader.build_graph = original  # type: ignore[method-assign]


def probe_rollback(schemas: list[str], connections_count: int) -> Any:
    """Undo the probe in every schema that has it, by SQL over parallel connections."""
    from django.db import connection

    from tenants import fast_migrate

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.django_migrations WHERE app = %s AND name = %s", list(PROBE))
    sql = (
        f"DROP INDEX IF EXISTS {PROBE_INDEX}; ALTER TABLE reception_task DROP COLUMN IF EXISTS {PROBE_COLUMN}; "
        f"DELETE FROM django_migrations WHERE app = '{PROBE[0]}' AND name = '{PROBE[1]}';"
    )
    return fast_migrate.run_in_schemas(schemas, lambda _schema, _cursor: sql, connections_count=connections_count)


def probe_schemas() -> list[str]:
    """Schemas whose task table has the probe's column."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.columns WHERE table_name = 'reception_task' "
            "AND column_name = %s ORDER BY 1",
            [PROBE_COLUMN],
        )
        return [row[0] for row in cursor.fetchall()]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f}"


def say(message: str) -> None:
    line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}"
    print(line, flush=True)
    LOG.parent.mkdir(exist_ok=True)
    with LOG.open("a") as log:
        log.write(line + "\n")


def setup() -> None:
    from bench.run import bench_database_url, ensure_database

    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/reception")
    url, _name = bench_database_url(base)
    url = url.replace("_bench", "_national")
    name = url.rsplit("/", 1)[1]
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    import django

    django.setup()
    ensure_database(url, name)
    from django.core.management import call_command

    call_command("migrate_schemas", interactive=False, verbosity=0, fast=True, connections=4)
    say(f"database {name}")


def template_replayer() -> Any:
    """A faster clone for the bulk build: the template dumped once (structure and rows, as
    INSERTs), replayed under each new name in the same transaction as the jurisdiction's rows.
    The result has the template's exact names, as `schema_clone` aligns them."""
    from django.conf import settings as dj
    from django.db import connection

    from tenants.provisioning import TEMPLATE_SCHEMA, template_require_current

    template_require_current()
    db = dj.DATABASES["default"]
    env = dict(os.environ, PGPASSWORD=db.get("PASSWORD") or "")
    dump = subprocess.run(
        [
            "pg_dump",
            "--no-owner",
            "--no-privileges",
            "--inserts",
            "-n",
            TEMPLATE_SCHEMA,
            "-h",
            db.get("HOST") or "127.0.0.1",
            "-p",
            str(db.get("PORT") or 5432),
            "-U",
            db["USER"],
            db["NAME"],
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The dump empties search_path for its session (django-tenants tracks the path itself);
    # psql meta-commands (restrict) are not SQL.
    sql = "\n".join(
        line for line in dump.splitlines() if "set_config('search_path'" not in line and not line.startswith("\\")
    )

    def replay(schema_name: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql.replace(TEMPLATE_SCHEMA, schema_name))
        connection.set_schema_to_public()

    return replay


def build(fast: bool, reverse: bool = False) -> None:
    from django.db import connection

    if fast:
        import tenants.services

        tenants.services.schema_clone = template_replayer()  # type: ignore[attr-defined]

    from tenants import divisions
    from tenants.models import Jurisdiction
    from tenants.services import divisions_import, jurisdiction_create

    present = set(Jurisdiction.objects.values_list("code", flat=True))
    entries = divisions.all_entries()
    say(f"build: {len(entries)} divisions, {len(present)} jurisdictions present")
    made = failed = 0
    window: list[float] = []
    # A second builder may run beside the first with --reverse (provinces from the other end).
    provinces = list(divisions.provinces())
    for province in reversed(provinces) if reverse else provinces:
        divisions_import(province_code=province.code)
        for entry in divisions.province_entries(province.code):
            if entry.code in present:
                continue
            parent = entry.parent_code or None
            if parent and parent not in present:
                parent = entry.province_code if entry.province_code in present else None
            started = time.perf_counter()
            try:
                jurisdiction_create(actor=None, code=entry.code, name=entry.name, level=entry.level, parent_code=parent)
            except Exception as error:  # keep going; report what could not be made
                failed += 1
                say(f"build: {entry.code} {entry.name} failed: {error!r}")
                connection.close()
                continue
            window.append(time.perf_counter() - started)
            present.add(entry.code)
            made += 1
            if made % 100 == 0:
                say(
                    f"build: {len(present)} jurisdictions; last 100 created in median "
                    f"{statistics.median(window):.3f} s (max {max(window):.3f} s)"
                )
                window.clear()
    say(f"build: done, {made} created, {failed} failed, {len(present)} present")


def without_public_foreign_keys(ddl: str) -> str:
    """The DDL minus its foreign keys to public tables (`REFERENCES public.…`): each such key
    adds two triggers to the referenced table (28 keys to `core_user` per schema), and adding one
    rebuilds that table's cached trigger list in every session, so the build slows as it grows
    (quadratic; bench/RESULTS.md, "National-scale migrations"). The keys play no part in a
    migration that changes each schema's own tables."""
    statements = ddl.split(";\n")
    kept = [s for s in statements if not ("FOREIGN KEY" in s and "REFERENCES public." in s)]
    return ";\n".join(kept)


def build_ddl(parallel: int, public_fks: bool = True) -> None:
    """The quickest build, for a loaded machine: each missing jurisdiction's schema made by
    running the template's DDL under its name (pg_dump --schema-only, as bench_onboarding's
    fillers: the same tables, indexes, constraints and names as a clone) plus the template's
    migration rows, over `parallel` connections; then its row and host. No provisioning steps
    (the schemas hold no rows besides their migrations); the catalog is that of a clone."""
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings as dj
    from django.db import connection, connections

    from bench.bench_onboarding import _template_ddl
    from tenants import divisions
    from tenants.models import Domain, Jurisdiction
    from tenants.provisioning import TEMPLATE_SCHEMA, template_require_current
    from tenants.services import divisions_import

    template_require_current()
    ddl = _template_ddl()
    if not public_fks:
        ddl = without_public_foreign_keys(ddl)
    present = dict(Jurisdiction.objects.values_list("code", "path"))
    entries = divisions.all_entries()
    say(
        f"build-ddl: {len(entries)} divisions, {len(present)} jurisdictions present, {parallel} connections"
        + ("" if public_fks else ", without foreign keys to public tables")
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        existing = {row[0] for row in cursor.fetchall()}

    def make(schema: str) -> None:
        if schema in existing:
            return
        conn = connections["default"]  # this thread's own connection
        with conn.cursor() as cursor:
            try:
                cursor.execute(
                    "BEGIN;\n"
                    + ddl.replace(TEMPLATE_SCHEMA, schema)
                    + f'\nINSERT INTO "{schema}".django_migrations SELECT * FROM "{TEMPLATE_SCHEMA}".django_migrations;'
                    + f"\nSELECT setval(pg_get_serial_sequence('\"{schema}\".django_migrations', 'id'), "
                    + f'(SELECT max(id) FROM "{schema}".django_migrations));'
                    + "\nCOMMIT;"
                )
            except Exception as error:
                cursor.execute("ROLLBACK")
                say(f"build-ddl: {schema} failed: {error!r}")

    made = 0
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        for province in divisions.provinces():
            divisions_import(province_code=province.code)
            todo = [e for e in divisions.province_entries(province.code) if e.code not in present]
            if not todo:
                continue
            list(pool.map(make, [f"j{e.code}" for e in todo]))
            for entry in todo:  # rows in tree order, parents first
                parent = entry.parent_code if entry.parent_code in present else None
                if parent is None and entry.province_code in present and entry.code != entry.province_code:
                    parent = entry.province_code
                path = f"{present[parent]}.{entry.code}" if parent else entry.code
                jurisdiction = Jurisdiction.objects.create(
                    code=entry.code,
                    name=entry.name,
                    level=entry.level,
                    parent_id=Jurisdiction.objects.get(code=parent).pk if parent else None,
                    path=path,
                    slug=f"n{entry.code}",
                    schema_name=f"j{entry.code}",
                    status=Jurisdiction.Status.ACTIVE,
                )
                Domain.objects.create(domain=f"n{entry.code}.{dj.BASE_DOMAIN}", tenant=jurisdiction, is_primary=True)
                present[entry.code] = path
                made += 1
            say(
                f"build-ddl: {len(present)} jurisdictions ({made} made in {time.perf_counter() - started:.0f} s), "
                f"{load()}"
            )
    say(f"build-ddl: done, {made} created, {len(present)} present")


def _timed(label: str, fn: object, *args: object, **kwargs: object) -> float:
    started = time.perf_counter()
    fn(*args, **kwargs)  # type: ignore[operator]
    elapsed = time.perf_counter() - started
    say(f"measure: {label}: {elapsed:.2f} s")
    return elapsed


def measure_clone() -> None:
    """Onboarding's cold path at full size: the catalog cloner (tenants.cloning) of a fresh
    schema, 5 times."""
    from tenants.provisioning import schema_clone, schema_drop
    from tenants.schema import activate_public

    samples = []
    for i in range(5):
        activate_public()
        samples.append(_timed(f"catalog cloner #{i + 1}", schema_clone, f"bench_national_clone_{i}"))
        schema_drop(f"bench_national_clone_{i}")
    spread = f"min {min(samples):.2f}, max {max(samples):.2f}"
    say(f"measure: catalog cloner, median {statistics.median(samples):.2f} s ({spread}), {load()}")


def measure_onboarding(runs: int = 5) -> None:
    """Approval → active with a pre-cloned spare schema and with a cold clone (bench_onboarding's
    real onboardings, under a bench province that is deleted again afterwards)."""
    from bench import bench_onboarding as onboarding

    reviewer = onboarding._setup()  # the bench province and city stay (their applications refer to them)
    for mode in ("pool", "cold"):
        samples = onboarding._series(reviewer, mode, runs)
        say(
            f"measure: approval → active, {'spare pool' if mode == 'pool' else 'cold clone'}: median "
            f"{statistics.median(samples):.3f} s (min {min(samples):.3f}, max {max(samples):.3f}, "
            f"{runs} runs), {load()}"
        )


def measure_fast_migration(connections_count: int) -> float:
    """`migrate_schemas --fast` with one new migration that changes every schema; then undone."""
    from django.core.management import call_command

    from tenants.models import Jurisdiction

    schemas = Jurisdiction.objects.count() + 1  # and the template
    say(
        f"measure: migrate_schemas --fast --connections {connections_count}, one new migration, "
        f"{schemas} schemas, {load()}"
    )
    started = time.perf_counter()
    try:
        with probe_migration():
            call_command(
                "migrate_schemas",
                interactive=False,
                verbosity=1,
                fast=True,
                connections=connections_count,
                no_spares=True,
            )
        elapsed = time.perf_counter() - started
    finally:
        changed = probe_schemas()
        rollback = probe_rollback(changed, connections_count)
        say(
            f"measure: probe undone by SQL in {len(rollback.done)} schemas in {rollback.seconds:.1f} s "
            f"({len(rollback.failed)} failed)"
        )
    schemas = Jurisdiction.objects.count() + 1  # tenants may have been created meanwhile
    say(
        f"measure: migrate_schemas --fast, one new migration (column + index): {len(changed)} of {schemas} schemas "
        f"changed in {elapsed:.1f} s ({len(changed) / elapsed:.1f} schemas/s, {connections_count} connections), "
        f"{load()}"
    )
    return elapsed


def measure_normal_sample(count: int) -> None:
    """The same migration by the normal per-schema path on `count` schemas, for the rate on the
    same machine under the same load (the whole country takes too long that way)."""
    from django.core.management import call_command

    from tenants.models import Jurisdiction
    from tenants.schema import activate_public

    schemas = list(Jurisdiction.objects.order_by("-path").values_list("schema_name", flat=True)[:count])
    started = time.perf_counter()
    try:
        with probe_migration():
            for schema in schemas:
                call_command("migrate_schemas", schema_name=schema, tenant=True, interactive=False, verbosity=0)
                activate_public()
        elapsed = time.perf_counter() - started
    finally:
        probe_rollback(probe_schemas(), 2)
    total = Jurisdiction.objects.count() + 1
    say(
        f"measure: normal per-schema path, same migration, {len(schemas)} schemas in {elapsed:.1f} s "
        f"({len(schemas) / elapsed:.2f} schemas/s; all {total} would take "
        f"{total / (len(schemas) / elapsed) / 60:.0f} min), {load()}"
    )


def measure(connections_count: int, normal_sample: int, migrations_only: bool = False) -> None:
    from django.core.management import call_command
    from django.db import connection

    from tenants.models import Jurisdiction

    tenants = Jurisdiction.objects.count()
    say(f"measure: {tenants} jurisdictions, {load()}")
    if not migrations_only:
        measure_clone()
        measure_onboarding()

    # A deploy's migration pass with nothing to apply, both ways.
    _timed("migrate_schemas, nothing to apply", call_command, "migrate_schemas", interactive=False, verbosity=0)
    _timed(
        "migrate_schemas --fast, nothing to apply",
        call_command,
        "migrate_schemas",
        interactive=False,
        verbosity=0,
        fast=True,
        no_spares=True,
    )
    measure_fast_migration(connections_count)
    if normal_sample:
        measure_normal_sample(normal_sample)

    # A province's subtree figures from the public reports (the summary's query shape).
    from reporting.models import Report

    province = Jurisdiction.objects.filter(level="province").order_by("-code").first()
    if province is not None:
        started = time.perf_counter()
        for _ in range(20):
            list(Jurisdiction.objects.filter(path__startswith=province.path + ".").values_list("code", "name", "level"))
            list(Report.objects.filter(jurisdiction__path__startswith=province.path + ".", is_current=True))
        say(f"measure: province {province.code} subtree query, {(time.perf_counter() - started) / 20 * 1000:.1f} ms")

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database()), (SELECT count(*) FROM pg_class)")
        size, relations = cursor.fetchone()
        cursor.execute(
            "SELECT pg_total_relation_size('pg_catalog.pg_class') + pg_total_relation_size('pg_catalog.pg_attribute')"
            " + pg_total_relation_size('pg_catalog.pg_index') + pg_total_relation_size('pg_catalog.pg_constraint')"
        )
        (catalog,) = cursor.fetchone()
    say(
        f"measure: database {size / 2**20:.0f} MiB, {relations} relations, "
        f"catalog (class+attribute+index+constraint) {catalog / 2**20:.0f} MiB"
    )
    say(f"measure: this process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    memory()


def memory() -> None:
    """RSS of one gunicorn worker after requests to 200 different tenant hosts, and of a Celery worker."""
    import urllib.request

    from tenants.models import Domain

    hosts = list(Domain.objects.filter(is_primary=True).values_list("domain", flat=True)[:200])
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    port = "8765"
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", "1", "--threads", "2", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "1", "-P", "solo", "--without-heartbeat"],
        cwd=ROOT,
        env=dict(env, CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "memory://")),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/ping/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        for host in hosts:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/tasks/", headers={"Host": host})
            # 401 without a token: the tenant was still resolved and its schema selected.
            with contextlib.suppress(OSError):
                urllib.request.urlopen(request, timeout=10)  # noqa: S310 (http on loopback)
        children = subprocess.run(["pgrep", "-P", str(web.pid)], capture_output=True, text=True).stdout.split()
        time.sleep(5)
        for label, pid in (
            ("web worker", children[0] if children else str(web.pid)),
            ("celery worker", str(worker.pid)),
        ):
            rss = next(
                (
                    int(line.split()[1])
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                    if line.startswith("VmRSS")
                ),
                0,
            )
            say(f"measure: {label} RSS after {len(hosts)} tenant hosts: {rss / 1024:.0f} MiB")
    finally:
        web.terminate()
        worker.terminate()
        web.wait(10)
        worker.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("steps", nargs="+", choices=["build", "build-ddl", "measure", "migrate"])
    parser.add_argument(
        "--fast", action="store_true", help="build by replaying a dump of the template instead of clone_schema"
    )
    parser.add_argument(
        "--reverse",
        action="store_true",
        help="build the provinces in reverse order (a second builder beside the first)",
    )
    parser.add_argument("--connections", type=int, default=4, help="parallel connections of migrate_schemas --fast")
    parser.add_argument(
        "--normal-sample", type=int, default=20, help="schemas migrated the normal way for comparison (0: none)"
    )
    parser.add_argument(
        "--migrations-only", action="store_true", help="measure: skip the cloner and onboarding figures"
    )
    parser.add_argument(
        "--without-public-fks",
        action="store_true",
        help="build-ddl: leave out each schema's foreign keys to public tables (a quicker build)",
    )
    args = parser.parse_args()
    setup()
    if "build" in args.steps:
        build(args.fast, args.reverse)
    if "build-ddl" in args.steps:
        build_ddl(args.connections, public_fks=not args.without_public_fks)
    if "measure" in args.steps:
        measure(args.connections, args.normal_sample, args.migrations_only)
    if "migrate" in args.steps:  # what `make bench` runs: the national deploy of one migration
        measure_fast_migration(args.connections)
    return 0


if __name__ == "__main__":
    sys.exit(main())
