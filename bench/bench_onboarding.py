"""Onboarding: approval → active, by cold clone, from the spare pool, and by migrations.

Each onboarding is real: an application is submitted (not timed), then the time runs from the
approval call until the application is `active` (the provisioning task runs eagerly when the
approval commits, so broker latency is not part of the figure): schema, jurisdiction row,
domain, first admin, membership, the registered steps (default standards), activation. After
each, the jurisdiction is deleted again so that the number of schemas stays the same.

    cold     the template is cloned (the pool is switched off)
    pool     a spare schema is renamed (the pool is refilled, untimed, before each approval)
    migrate  the schema is made by running every migration instead of cloning

With BENCH_ONBOARDING_SCALE=1 the same is measured with 120 and then 600 jurisdictions in the
database (BENCH_ONBOARDING_SCALE=only: just that part). Filler jurisdictions under the bench
province 970000 make up the number: each a row, a host and a schema with every table, index and
constraint of a tenant (the template's DDL run under its name: the same catalog footprint as a
clone, cheaper to make); they are deleted at the end unless BENCH_ONBOARDING_KEEP=1.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench.common import Context, Result

PROVINCE = ("970000", "基准省")
CITY = ("970100", "基准市")
REVIEWER = "bench-onboarding-admin"
PASSWORD = "Bench-onboard-2026!"


def _setup() -> Any:
    from tenants.models import Jurisdiction, Role
    from tenants.services import jurisdiction_create, membership_add, user_ensure

    province, _c = jurisdiction_create(actor=None, code=PROVINCE[0], name=PROVINCE[1], level="province")
    jurisdiction_create(actor=None, code=CITY[0], name=CITY[1], level="city", parent_code=PROVINCE[0])
    reviewer, _c = user_ensure(username=REVIEWER, password=PASSWORD)
    membership_add(actor=None, user=reviewer, jurisdiction=province, role=Role.ADMIN)
    Jurisdiction.objects.filter(code__in=[PROVINCE[0], CITY[0]]).update(status=Jurisdiction.Status.ACTIVE)
    return reviewer


def _cleanup_codes(codes: list[str]) -> None:
    from tenants.lifecycle import jurisdiction_delete
    from tenants.models import Jurisdiction

    for code in codes:
        if Jurisdiction.objects.filter(code=code).exists():
            jurisdiction_delete(actor=None, code=code)


def _onboard(reviewer: Any, code: str) -> float:
    from tenants.models import Application
    from tenants.onboarding import application_approve, application_submit
    from tenants.schema import activate_public

    activate_public()
    suffix = uuid.uuid4().hex[:8]
    application, _token = application_submit(
        data={
            "name": f"基准{code[-2:]}县",
            "code": code,
            "level": "county",
            "parent_code": CITY[0],
            "contact_name": "基准",
            "contact_phone": "13900000000",
            "admin_username": f"bench-{code}-{suffix}",
            "admin_password": PASSWORD,
        }
    )
    started = time.perf_counter()
    application_approve(actor=reviewer, application_id=application.pk)  # provisions on commit (eager)
    elapsed = time.perf_counter() - started
    application.refresh_from_db()
    if application.status != Application.Status.ACTIVE:
        raise RuntimeError(f"onboarding of {code} ended {application.status}: {application.reason}")
    return elapsed


def _migrated_schema(schema_name: str) -> None:
    """Make a schema by running every migration (django-tenants' way without a template)."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}"')
    call_command("migrate_schemas", schema_name=schema_name, tenant=True, interactive=False, verbosity=0)
    connection.set_schema_to_public()


@contextmanager
def _mode(mode: str) -> Iterator[None]:
    """Pool on or off, clone or migrations; the applicant's notifications are recorded as usual but
    not delivered inline (a worker delivers them after the tenant is active; eager mode would
    otherwise count the delivery as part of the onboarding)."""
    from core.notifications import services as notification_services
    from tenants import onboarding

    use_pool, clone, dispatch = onboarding.USE_POOL, onboarding.schema_clone, notification_services.dispatch
    onboarding.USE_POOL = mode == "pool"
    if mode == "migrate":
        onboarding.schema_clone = _migrated_schema
    notification_services.dispatch = lambda ids: None
    try:
        yield
    finally:
        onboarding.USE_POOL, onboarding.schema_clone = use_pool, clone
        notification_services.dispatch = dispatch


def _series(reviewer: Any, mode: str, runs: int) -> list[float]:
    from tenants.pool import spare_pool_clear, spare_pool_refill

    codes = [f"9701{n:02d}" for n in range(1, runs + 1)]
    _cleanup_codes(codes)
    samples = []
    with _mode(mode):
        if mode != "pool":
            spare_pool_clear()
        for code in codes:
            if mode == "pool":
                spare_pool_refill(2)  # what the beat task does between approvals (untimed)
            samples.append(_onboard(reviewer, code))
    _cleanup_codes(codes)
    return samples


def _tenant_count() -> int:
    from tenants.models import Jurisdiction

    return Jurisdiction.objects.count()


def _template_ddl() -> str:
    """The template's tables, sequences, indexes and constraints as SQL (pg_dump --schema-only)."""
    import subprocess

    from bench.pgtools import executable, pg_env, pg_tool
    from tenants.provisioning import TEMPLATE_SCHEMA

    tool = pg_tool("pg_dump")
    dump = subprocess.run(
        [tool, f"--schema={TEMPLATE_SCHEMA}", "--schema-only", "--no-owner", "--no-privileges"],
        env=pg_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return executable(dump)


def _filler(ddl: str, code: str, name: str, level: str, parent: Any) -> Any:
    """A filler jurisdiction: its row, host and a schema with every table of a tenant, made by
    running the template's DDL under its name (the same catalog footprint as a cloned tenant,
    several times cheaper to make than a clone on a loaded machine)."""
    from django.conf import settings
    from django.db import connection, transaction

    from tenants.models import Domain, Jurisdiction
    from tenants.provisioning import TEMPLATE_SCHEMA

    schema = f"j{code}"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(ddl.replace(TEMPLATE_SCHEMA, schema))
            cursor.execute(
                f'INSERT INTO "{schema}".django_migrations SELECT * FROM "{TEMPLATE_SCHEMA}".django_migrations'
            )
        connection.set_schema_to_public()
        jurisdiction = Jurisdiction.objects.create(
            code=code,
            name=name,
            level=level,
            parent=parent,
            path=f"{parent.path}.{code}",
            slug=f"filler-{code}",
            schema_name=schema,
        )
        Domain.objects.create(domain=f"filler-{code}.{settings.BASE_DOMAIN}", tenant=jurisdiction, is_primary=True)
    return jurisdiction


def _grow_to(target: int) -> list[str]:
    """Add filler jurisdictions (counties under bench cities 9702xx…) until `target` exist."""
    from tenants.models import Jurisdiction

    ddl = _template_ddl()
    province = Jurisdiction.objects.get(code=PROVINCE[0])
    made: list[str] = []
    city = 2
    while _tenant_count() < target:
        city_code = f"97{city:02d}00"
        parent = Jurisdiction.objects.filter(code=city_code).first() or _filler(
            ddl, city_code, f"填充{city:02d}市", "city", province
        )
        made.append(city_code)
        for county in range(1, 60):
            if _tenant_count() >= target:
                break
            code = f"97{city:02d}{county:02d}"
            if not Jurisdiction.objects.filter(code=code).exists():
                _filler(ddl, code, f"填充{city:02d}{county:02d}县", "county", parent)
                made.append(code)
        city += 1
    return made


def _fillers() -> list[str]:
    from tenants.models import Jurisdiction

    return list(
        Jurisdiction.objects.filter(code__startswith="97")
        .exclude(code__in=[PROVINCE[0], CITY[0]])
        .exclude(code__startswith="9701")
        .order_by("-code")
        .values_list("code", flat=True)
    )


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def _show(result: Result) -> Result:
    """Print each figure as soon as it is measured (the long scale run may be interrupted)."""
    print(f"    {result.name}: {result.value:.3f} {result.unit} ({result.note})", flush=True)
    return result


def run(ctx: Context) -> list[Result]:
    import logging

    from tenants.pool import spare_pool_refill

    logging.getLogger("celery").setLevel(logging.WARNING)

    reviewer = _setup()
    runs = 3 if ctx.quick else 10
    migrate_runs = 3 if ctx.quick else 10
    schemas = _tenant_count()
    results: list[Result] = []
    scale_option = os.environ.get("BENCH_ONBOARDING_SCALE", "")
    if scale_option != "only":
        results += _base(reviewer, runs, migrate_runs, schemas)
    if scale_option:
        results += _scale(reviewer, runs)
    spare_pool_refill()
    return results


def _base(reviewer: Any, runs: int, migrate_runs: int, schemas: int) -> list[Result]:
    cold = _series(reviewer, "cold", runs)
    pool = _series(reviewer, "pool", runs)
    migrate = _series(reviewer, "migrate", migrate_runs)
    note = f"{schemas} jurisdictions in the database"
    results = [
        Result(
            "onboarding: approval → active, cold clone (median)",
            _median(cold),
            "s",
            "<= 1 s",
            f"{runs} runs, {note}; min {min(cold):.3f}, max {max(cold):.3f}",
            _median(cold) <= 1.0,
        ),
        Result(
            "onboarding: approval → active, spare pool (median)",
            _median(pool),
            "s",
            "<= 0.2 s",
            f"{runs} runs, {note}; min {min(pool):.3f}, max {max(pool):.3f}",
            _median(pool) <= 0.2,
        ),
        Result(
            "onboarding: approval → active, by migrations (median)",
            _median(migrate),
            "s",
            "",
            f"{migrate_runs} runs, {note}; min {min(migrate):.3f}, max {max(migrate):.3f}",
        ),
    ]
    return [_show(result) for result in results]


def _scale(reviewer: Any, runs: int) -> list[Result]:
    results: list[Result] = []
    scale: dict[int, tuple[float, float]] = {}
    try:
        for target in (120, 600):
            started = time.perf_counter()
            _grow_to(target)
            grown = time.perf_counter() - started
            count = _tenant_count()
            print(f"    {count} jurisdictions ({grown:.0f}s to grow)", flush=True)
            cold, pool = _series(reviewer, "cold", runs), _series(reviewer, "pool", runs)
            scale[target] = (_median(cold), _median(pool))
            for label, samples in (("cold clone", cold), ("spare pool", pool)):
                value = _median(samples)
                limit = 1.0 if label == "cold clone" else 0.2
                results.append(
                    _show(
                        Result(
                            f"onboarding at {count} jurisdictions, {label} (median)",
                            value,
                            "s",
                            f"<= {limit:g} s",
                            f"{runs} runs; min {min(samples):.3f}, max {max(samples):.3f}",
                            value <= limit,
                        )
                    )
                )
        for index, label in enumerate(("cold clone", "spare pool")):
            growth = scale[600][index] / scale[120][index]
            results.append(_show(Result(f"onboarding growth 120 → 600 jurisdictions, {label}", growth, "x", "", "")))
    finally:
        if not os.environ.get("BENCH_ONBOARDING_KEEP"):
            _cleanup_codes(_fillers())
    return results
