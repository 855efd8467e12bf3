#!/usr/bin/env python
"""National scale, simulated: every province, city and county of the country in one database.

Not part of `make bench` or CI: building ~3,200 cloned schemas takes an hour or more. Run it in
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LOG = ROOT / ".data" / "national.log"

PROBE_MIGRATION = '''"""Benchmark probe: one trivial tenant migration, applied and rolled back by bench/national.py."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reception", "{previous}")]
    operations = [
        migrations.RunSQL(
            "CREATE TABLE bench_probe (id integer PRIMARY KEY)", reverse_sql="DROP TABLE bench_probe"
        )
    ]
'''


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

    call_command("migrate_schemas", interactive=False, verbosity=0)
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


def build(fast: bool) -> None:
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
    for province in divisions.provinces():
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


def _timed(label: str, fn: object, *args: object, **kwargs: object) -> float:
    started = time.perf_counter()
    fn(*args, **kwargs)  # type: ignore[operator]
    elapsed = time.perf_counter() - started
    say(f"measure: {label}: {elapsed:.2f} s")
    return elapsed


def measure() -> None:
    from django.core.management import call_command
    from django.db import connection

    from tenants.models import Jurisdiction
    from tenants.provisioning import schema_clone, schema_drop
    from tenants.schema import activate_public

    tenants = Jurisdiction.objects.count()
    say(f"measure: {tenants} jurisdictions")

    # Onboarding at full size: the clone (the dominant cost) of a fresh schema, 5 times.
    samples = []
    for i in range(5):
        activate_public()
        samples.append(_timed(f"clone #{i + 1}", schema_clone, f"bench_national_clone_{i}"))
        schema_drop(f"bench_national_clone_{i}")
    say(f"measure: onboarding clone at {tenants} tenants, median {statistics.median(samples):.2f} s")

    # A deploy's migration pass with nothing to apply.
    _timed("migrate_schemas, nothing to apply", call_command, "migrate_schemas", interactive=False, verbosity=0)

    # One new tenant migration: applied to every schema, then rolled back.
    migrations_dir = ROOT / "reception" / "migrations"
    latest = sorted(p.stem for p in migrations_dir.glob("[0-9][0-9][0-9][0-9]_*.py"))[-1]
    probe = migrations_dir / "9999_bench_probe.py"
    probe.write_text(PROBE_MIGRATION.format(previous=latest))
    try:
        _timed(
            "migrate_schemas, one new migration (parallel 2)",
            call_command,
            "migrate_schemas",
            interactive=False,
            verbosity=0,
            parallel=2,
        )
        _timed(
            "migrate_schemas, rolling it back",
            call_command,
            "migrate_schemas",
            "reception",
            latest,
            interactive=False,
            verbosity=0,
        )
    finally:
        probe.unlink()
    call_command("migrate_schemas", interactive=False, verbosity=0)  # template back in step

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
    parser.add_argument("steps", nargs="+", choices=["build", "measure"])
    parser.add_argument(
        "--fast", action="store_true", help="build by replaying a dump of the template instead of clone_schema"
    )
    args = parser.parse_args()
    setup()
    if "build" in args.steps:
        build(args.fast)
    if "measure" in args.steps:
        measure()
    return 0


if __name__ == "__main__":
    sys.exit(main())
