"""`migrate_schemas` (and `migrate`) for the platform: public, the template and every tenant.

Differences from django-tenants' command, all deliberate:

* the template schema that new tenants are cloned from is migrated in the same run, so it can
  never fall behind the tenants (a stale template would be refused at creation anyway);
* schemas already at the code's migrations are found in one query and skipped, so a deploy
  with nothing to migrate does not load the migration executor 3,200 times;
* every schema is attempted; failures are collected and reported together, and the command
  exits non-zero naming each failed schema;
* `--parallel N` runs tenant schemas in N forked processes;
* `--fast` works the pending migrations' SQL out once and applies it to every schema over
  `--connections N` parallel connections (tenants/fast_migrate.py); what cannot be SQL goes the
  normal per-schema way, said so in the output;
* afterwards the spare-schema pool (tenants/pool.py) is re-made from the migrated template:
  spares cloned with other migrations are dropped and new ones cloned (`--no-spares` skips it).
"""

from __future__ import annotations

import multiprocessing
import sys
import time
import traceback
from typing import Any

from django.core.management.base import CommandError
from django.db import connection, connections
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors.base import run_migrations
from django_tenants.utils import get_public_schema_name

from tenants.models import Jurisdiction
from tenants.provisioning import TEMPLATE_SCHEMA, code_migrations
from tenants.schema import activate_public


def schemas_needing_migration(schema_names: list[str], expected: set[tuple[str, str]]) -> list[str]:
    """The schemas whose recorded migrations differ from the code's, in one query."""
    if not schema_names:
        return []
    existing = _existing_with_table(schema_names)
    stale = [name for name in schema_names if name not in existing]
    if not existing:
        return stale
    values = ", ".join(["(%s, %s)"] * len(expected))
    params: list[Any] = [item for pair in sorted(expected) for item in pair]
    unions = " UNION ALL ".join(
        f"SELECT '{name}'::text AS schema_name, app, name FROM \"{name}\".django_migrations" for name in existing
    )
    sql = f"""
        WITH expected(app, name) AS (VALUES {values}),
             recorded AS ({unions})
        SELECT r.schema_name,
               count(*) AS total,
               count(e.app) AS matched
        FROM recorded r LEFT JOIN expected e ON e.app = r.app AND e.name = r.name
        GROUP BY r.schema_name
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = {schema: (total, matched) for schema, total, matched in cursor.fetchall()}
    for name in existing:
        total, matched = counts.get(name, (0, 0))
        if total != len(expected) or matched != len(expected):
            stale.append(name)
    return [name for name in schema_names if name in set(stale)]


def _existing_with_table(schema_names: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)",
            [schema_names],
        )
        found = {row[0] for row in cursor.fetchall()}
    return [name for name in schema_names if name in found]


def _migrate_one(args: Any, options: dict[str, Any], schema_name: str, idx: int, count: int) -> tuple[str, str | None]:
    try:
        run_migrations(args, options, "platform", schema_name, allow_atomic=False, idx=idx, count=count)
        return schema_name, None
    except Exception:  # reported with the schema's name; the run goes on with the others
        return schema_name, traceback.format_exc(limit=3)
    finally:
        activate_public()


def _migrate_in_child(payload: tuple[Any, dict[str, Any], str, int, int]) -> tuple[str, str | None]:
    # The parent closed its connections before forking, so each child opens its own.
    return _migrate_one(*payload)


class Command(MigrateSchemasCommand):
    help = "Migrate the public schema, the tenant template and every jurisdiction's schema."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--all-schemas",
            action="store_true",
            help="migrate every tenant schema, even those already up to date",
        )
        parser.add_argument(
            "--fast",
            action="store_true",
            help="work the tenant migrations' SQL out once and apply it to every schema in parallel",
        )
        parser.add_argument(
            "--connections",
            type=int,
            default=4,
            help="parallel connections of --fast (default 4)",
        )
        parser.add_argument(
            "--no-spares",
            action="store_true",
            help="do not re-make the pool of spare schemas after migrating",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Single schema, --shared only, or Django's own use during test database creation with
        # an explicit schema: behave exactly like django-tenants.
        if options.get("schema_name") or options.get("shared") or options.get("app_label"):
            return super().handle(*args, **options)
        started = time.monotonic()
        options_public = {**options, "shared": True, "tenant": False}
        super().handle(*args, **options_public)
        if options.get("shared") and not options.get("tenant"):
            return None
        self._migrate_tenants(args, options)
        if not options.get("no_spares"):
            self._remake_spares(int(options.get("verbosity", 1)))
        if int(options.get("verbosity", 1)) >= 1:
            self.stdout.write(f"migrate_schemas finished in {time.monotonic() - started:.1f}s")
        return None

    def _tenant_schemas(self) -> list[str]:
        """The template first, then every jurisdiction's existing schema (tree order)."""
        activate_public()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{TEMPLATE_SCHEMA}"')
        tenant_schemas = list(
            Jurisdiction.objects.exclude(schema_name=get_public_schema_name())
            .filter(schema_name__in=_all_schema_names())
            .order_by("path")
            .values_list("schema_name", flat=True)
        )
        return [TEMPLATE_SCHEMA, *tenant_schemas]

    def _migrate_tenants(self, args: Any, options: dict[str, Any]) -> None:
        verbosity = int(options.get("verbosity", 1))
        if options.get("fast"):
            if options.get("fake") or options.get("migration_name") or options.get("all_schemas"):
                raise CommandError("--fast cannot be combined with --fake, a target migration or --all-schemas")
            return self._migrate_tenants_fast(args, options)
        schemas = self._tenant_schemas()
        if options.get("all_schemas") or options.get("fake") or options.get("migration_name"):
            todo = schemas
        else:
            todo = schemas_needing_migration(schemas, code_migrations())
        if verbosity >= 1:
            self.stdout.write(
                f"tenant schemas: {len(schemas)} ({len(schemas) - len(todo)} up to date, {len(todo)} to migrate)"
            )
        self._raise_failures(self._migrate_normally(args, options, todo))
        return None

    def _migrate_normally(self, args: Any, options: dict[str, Any], todo: list[str]) -> list[tuple[str, str]]:
        """Django's migrate in each schema of `todo` (the template first, alone); the failures."""
        run_options = {**options, "shared": False, "tenant": True}
        parallel = int(options.get("parallel") or 1)
        failures: list[tuple[str, str]] = []
        # The template goes first, alone: tenants created meanwhile must clone a current one.
        if todo and todo[0] == TEMPLATE_SCHEMA:
            _schema, error = _migrate_one(args, run_options, TEMPLATE_SCHEMA, 0, len(todo))
            if error:
                failures.append((TEMPLATE_SCHEMA, error))
            todo = todo[1:]
        if parallel > 1 and len(todo) > 1:
            connections.close_all()
            context = multiprocessing.get_context("fork")
            with context.Pool(processes=parallel) as pool:
                payloads = [(args, run_options, name, idx, len(todo)) for idx, name in enumerate(todo)]
                results = pool.map(_migrate_in_child, payloads)
        else:
            results = [_migrate_one(args, run_options, name, idx, len(todo)) for idx, name in enumerate(todo)]
        failures.extend((name, error) for name, error in results if error)
        activate_public()
        return failures

    def _raise_failures(self, failures: list[tuple[str, str]]) -> None:
        if failures:
            for name, error in failures:
                sys.stderr.write(f"\nschema {name} FAILED:\n{error}\n")
            raise CommandError(
                f"{len(failures)} schema(s) failed to migrate: {', '.join(name for name, _e in failures)}"
            )

    def _migrate_tenants_fast(self, args: Any, options: dict[str, Any]) -> None:
        from tenants import fast_migrate

        verbosity = int(options.get("verbosity", 1))
        count = max(1, int(options.get("connections") or 4))
        write = self.stdout.write if verbosity >= 1 else (lambda _message: None)
        with fast_migrate.deploy_lock() as acquired:
            if not acquired:
                raise CommandError("another migrate_schemas --fast is running on this database")
            schemas = self._tenant_schemas()
            analysis = fast_migrate.analyse(schemas)
            stale = len(schemas) - len(analysis.up_to_date)
            write(
                f"tenant schemas: {len(schemas)} ({len(analysis.up_to_date)} up to date, {stale} to migrate; "
                f"{len(analysis.groups)} migration state(s) among them; checked in {analysis.check_seconds:.1f}s, "
                f"SQL worked out in {analysis.work_out_seconds:.1f}s)"
            )
            failures: list[tuple[str, str]] = []
            fallback: list[str] = []
            for group in analysis.by_normal_path:
                write(
                    f"NOT AS SQL: {len(group.schemas)} schema(s) from {group.schemas[0]} migrate by the normal "
                    f"per-schema path: {'; '.join(group.plan.not_sql)}"
                )
                fallback += group.schemas
            for group in analysis.unknown_only:
                write(
                    f"{len(group.schemas)} schema(s) from {group.schemas[0]} record migrations the code does not "
                    "have; nothing to apply, left as they are"
                )
            # The template first: by the normal path if that is its way, before any tenant.
            if TEMPLATE_SCHEMA in fallback:
                fallback.remove(TEMPLATE_SCHEMA)
                failures += self._migrate_normally(args, options, [TEMPLATE_SCHEMA])
            for group in analysis.by_sql:
                plan = group.plan
                write(
                    f"as SQL: {len(plan.migrations)} migration(s) "
                    f"({', '.join(f'{app}.{name}' for app, name in plan.migrations)}), "
                    f"{len(plan.statements)} statement(s), worked out on a copy of {group.schemas[0]}; "
                    f"applying to {len(group.schemas)} schema(s) over {count} connection(s)"
                )
                result = fast_migrate.apply_plan(
                    group.schemas,
                    plan,
                    connections_count=count,
                    first=TEMPLATE_SCHEMA,
                    progress=_progress(write) if verbosity >= 1 else None,
                )
                rate = len(result.done) / result.seconds if result.seconds else 0.0
                write(
                    f"as SQL: {len(result.done)} applied, {len(result.failed)} failed, "
                    f"{len(result.not_attempted)} not attempted, in {result.seconds:.1f}s ({rate:.1f} schemas/s)"
                )
                failures += list(result.failed.items())
                failures += [
                    (name, f"not attempted: the same SQL failed on {TEMPLATE_SCHEMA}") for name in result.not_attempted
                ]
            if fallback:
                write(f"normal per-schema path: {len(fallback)} schema(s)")
                failures += self._migrate_normally(args, options, fallback)
        self._raise_failures(failures)
        return None

    def _remake_spares(self, verbosity: int) -> None:
        from tenants.pool import spare_count, spare_pool_invalidate, spare_pool_refill

        dropped = spare_pool_invalidate()
        made = spare_pool_refill()
        if verbosity >= 1:
            self.stdout.write(f"spare schemas: {dropped} stale dropped, {made} cloned, {spare_count()} ready")


def _progress(write: Any) -> Any:
    """Report progress about every 10 s (and at the end)."""
    last = [0.0]

    def report(done: int, total: int, seconds: float) -> None:
        if seconds - last[0] >= 10 or done == total:
            last[0] = seconds
            write(f"  {done}/{total} schemas, {seconds:.0f}s, {done / seconds if seconds else 0:.1f} schemas/s")

    return report


def _all_schema_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return [row[0] for row in cursor.fetchall()]
