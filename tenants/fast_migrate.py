"""Tenant migrations at national scale: the SQL worked out once, applied to every schema.

`migrate_schemas --fast` (docs/operations.md, "National-scale migrations"). Django's migrate
loads the migration graph, renders the project state and runs every operation once per schema:
about 1.6 schemas/s here, 34 minutes for 3,210 jurisdictions. The DDL it sends is the same for
every schema cloned from the template (same tables, same constraint and index names), so:

1. **Check.** A few catalog queries read every schema's recorded migrations (a digest per
   schema) and the names of its relations (tables, indexes, sequences) and constraints. Schemas
   at the code's migrations are up to date (a rerun skips what an earlier run applied); the
   others are grouped by (recorded migrations, names). Normally there is one group, the template's.
2. **Work out.** For each group, a scratch copy of its first schema (the template when it is
   stale) is made with the catalog cloner inside a transaction, Django applies the pending
   migrations to it for real (so an operation that reads the catalog sees what the previous one
   did, exactly as on the normal path) while every statement the schema editor sends is
   recorded, and the transaction is rolled back. The template itself is not touched here.
3. **Apply.** Each schema of the group, in its own transaction over N parallel connections:
   `SET LOCAL search_path`, the recorded SQL, and the rows of its `django_migrations`. A schema
   is recorded as migrated only where its SQL committed; a failure is reported with its error
   (a deadlock or lock timeout is tried twice more) and the other schemas go on. The first
   schema of the list (the template) goes alone, first: if it fails, the others of its group
   are not attempted.

A migration that cannot be written as SQL (RunPython that runs in tenant schemas, a
non-atomic migration, SQL naming the schema, anything that fails to work out) sends its whole
group to the normal per-schema path, which the caller runs and reports.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, router, transaction
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython, SeparateDatabaseAndState
from django.db.migrations.operations.base import Operation

from core.db.locks import exclusive_run
from tenants.cloning import _quote, clone
from tenants.schema import activate_public

MigrationKey = tuple[str, str]
LoaderFactory = Callable[[Any], MigrationLoader]

SCRATCH_PREFIX = "fastmig_"
# Advisory lock key of a fast deploy (one at a time): "fmig" in ASCII.
_DEPLOY_LOCK = 0x666D6967
# How long a schema's DDL may wait for a table lock held by live traffic before that schema
# fails (and is retried by the next run) instead of queueing every request behind it.
LOCK_TIMEOUT = "10s"
_CHUNK = 500  # schemas per catalog query


# SQLSTATEs worth one more try: deadlock, lock not available, serialization failure.
_TRANSIENT = {"40P01", "55P03", "40001"}
TRANSIENT_MARK = "(transient)"


def _transient(error: BaseException) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if getattr(cause, "pgcode", None) in _TRANSIENT:
            return True
        cause = cause.__cause__
    return False


class _Discard(Exception):
    """Rolls back the scratch copy once the SQL is recorded."""


@dataclass(frozen=True)
class SqlPlan:
    """What one group of schemas needs: statements and migration rows, or why it cannot be SQL."""

    migrations: tuple[MigrationKey, ...] = ()
    records: tuple[MigrationKey, ...] = ()  # rows for django_migrations (a squash records what it replaces)
    statements: tuple[str, ...] = ()
    not_sql: tuple[str, ...] = ()

    @property
    def as_sql(self) -> bool:
        return not self.not_sql


@dataclass
class Group:
    schemas: list[str]
    plan: SqlPlan


@dataclass
class Analysis:
    up_to_date: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    check_seconds: float = 0.0  # the catalog queries over every schema
    work_out_seconds: float = 0.0  # the copies the SQL was recorded on

    @property
    def by_sql(self) -> list[Group]:
        return [group for group in self.groups if group.plan.as_sql and group.plan.migrations]

    @property
    def by_normal_path(self) -> list[Group]:
        return [group for group in self.groups if not group.plan.as_sql]

    @property
    def unknown_only(self) -> list[Group]:
        """Groups with nothing to apply whose rows still differ from the code's (migrations the
        code no longer has): left as they are, as Django's migrate leaves them."""
        return [group for group in self.groups if group.plan.as_sql and not group.plan.migrations]


@dataclass
class RunResult:
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    not_attempted: list[str] = field(default_factory=list)
    seconds: float = 0.0


# --- 1. Check: recorded migrations and structure of every schema, a few queries ------------


def _digest(items: Iterable[str]) -> str:
    return hashlib.md5(",".join(sorted(items)).encode(), usedforsecurity=False).hexdigest()


def migrations_digest(migrations: Iterable[MigrationKey]) -> str:
    """The digest `recorded_digests` computes in SQL, for a set of migrations."""
    return _digest(f"{app}.{name}" for app, name in migrations)


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def recorded_digests(schemas: list[str]) -> dict[str, str | None]:
    """Each schema's recorded migrations as a digest (None: no migration table)."""
    result: dict[str, str | None] = dict.fromkeys(schemas)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)",
            [schemas],
        )
        found = {row[0] for row in cursor.fetchall()}
        with_table = [name for name in schemas if name in found]
        for chunk in _chunks(with_table):
            # "C" collation: byte order, the order Python's sorted() gives the same strings.
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT '{name}'::text, md5(coalesce(string_agg(app || '.' || name, ',' "
                    f"ORDER BY (app || '.' || name) COLLATE \"C\"), '')) FROM {_quote(name)}.django_migrations"
                    for name in chunk
                )
            )
            result.update(dict(cursor.fetchall()))
    return result


_STRUCTURE = """
    WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname = ANY(%(schemas)s)),
    items AS (
        SELECT c.relnamespace AS ns, 'r:' || c.relkind::text || ':' || c.relname AS item
        FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns)
        UNION ALL
        SELECT con.connamespace, 'c:' || rel.relname || '.' || con.conname || ':' || con.contype::text
        FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
        WHERE con.connamespace IN (SELECT oid FROM ns)
    )
    SELECT ns.nspname, md5(string_agg(items.item, ',' ORDER BY items.item COLLATE "C"))
    FROM items JOIN ns ON ns.oid = items.ns GROUP BY ns.nspname
"""


def structure_digests(schemas: list[str]) -> dict[str, str]:
    """A digest of each schema's relations (tables, indexes, sequences) and constraints, by name.
    Django writes a migration's SQL from the model state, except for the names of existing
    constraints and indexes it reads from the catalog: recorded SQL fits schemas with the same."""
    result: dict[str, str] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(schemas):
            cursor.execute(_STRUCTURE, {"schemas": chunk})
            result.update(dict(cursor.fetchall()))
    return result


def analyse(schemas: list[str], *, loader_factory: LoaderFactory | None = None) -> Analysis:
    """Sort `schemas` into up to date and groups sharing a state, each with its worked-out plan.
    The first schema of the list (the template) stays first in its group."""
    factory = loader_factory or _code_loader
    activate_public()
    started = time.monotonic()
    expected = migrations_digest(factory(None).graph.nodes)
    recorded = recorded_digests(schemas)
    stale = [name for name in schemas if recorded[name] != expected]
    structures = structure_digests(stale)
    groups: dict[tuple[str | None, str | None], list[str]] = {}
    for name in stale:
        groups.setdefault((recorded[name], structures.get(name)), []).append(name)
    analysis = Analysis(up_to_date=[name for name in schemas if recorded[name] == expected])
    analysis.check_seconds = time.monotonic() - started
    for members in groups.values():
        plan = (
            SqlPlan(not_sql=("no django_migrations table",))
            if recorded[members[0]] is None
            else work_out(members[0], loader_factory=factory)
        )
        analysis.groups.append(Group(schemas=members, plan=plan))
    analysis.work_out_seconds = time.monotonic() - started - analysis.check_seconds
    return analysis


# --- 2. Work out the SQL on a scratch copy -------------------------------------------------


def _code_loader(conn: Any) -> MigrationLoader:
    return MigrationLoader(conn, ignore_no_migrations=True)


def _database_operations(operations: Iterable[Operation]) -> Iterator[Operation]:
    for operation in operations:
        if isinstance(operation, SeparateDatabaseAndState):
            yield from _database_operations(operation.database_operations)
        else:
            yield operation


def not_sql_reason(migration: Migration) -> str | None:
    """Why this migration cannot be replayed as recorded SQL in a tenant schema (None: it can).
    Call with the connection on a tenant schema: the router decides which apps run there."""
    if not migration.atomic:
        return "non-atomic migration (runs outside a transaction)"
    for operation in _database_operations(migration.operations):
        if operation.reduces_to_sql:
            continue
        if isinstance(operation, RunPython):
            if operation.code is RunPython.noop:
                continue
            hints = getattr(operation, "hints", {}) or {}
            if not router.allow_migrate(connection.alias, migration.app_label, **hints):
                continue  # a shared app's data migration: nothing runs in tenant schemas
            return f"RunPython {getattr(operation.code, '__name__', operation.code)!s} cannot be written as SQL"
        return f"{type(operation).__name__} cannot be written as SQL"
    return None


def _recording_editor(base: type) -> type:
    """The connection's schema editor, also keeping every statement it sends (params merged,
    exactly the text PostgreSQL receives)."""

    class Recording(base):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.recorded: list[str] = []

        def execute(self, sql: Any, params: Any = ()) -> Any:
            if params is not None:
                sql, params = self.connection.ops.compose_sql(str(sql), params), None
            text = str(sql)
            self.recorded.append(text if text.rstrip().endswith(";") else text + ";")
            return super().execute(sql, None)

    return Recording


def work_out(source: str, *, loader_factory: LoaderFactory | None = None, attempts: int = 3) -> SqlPlan:
    """The SQL that brings `source` to the code's migrations, recorded on a rolled-back copy.
    A copy made while tenants are being created can meet a deadlock (both add foreign keys to
    the same public tables): such a failure is tried again before the group is given up."""
    plan = _work_out_once(source, loader_factory)
    for _attempt in range(attempts - 1):
        if not any(TRANSIENT_MARK in reason for reason in plan.not_sql):
            break
        time.sleep(0.5)
        plan = _work_out_once(source, loader_factory)
    return plan


def _work_out_once(source: str, loader_factory: LoaderFactory | None) -> SqlPlan:
    factory = loader_factory or _code_loader
    scratch = f"{SCRATCH_PREFIX}{secrets.token_hex(5)}"
    planned: list[MigrationKey] = []
    records: list[MigrationKey] = []
    statements: list[str] = []
    reasons: list[str] = []
    activate_public()
    try:
        with transaction.atomic():
            clone(source, scratch)
            connection.set_schema(scratch)  # type: ignore[attr-defined]
            executor = MigrationExecutor(connection)
            executor.loader = factory(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            state = executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]
            editor_class = _recording_editor(connection.SchemaEditorClass)
            for migration, backwards in plan:
                key = (migration.app_label, migration.name)
                reason = "would be unapplied" if backwards else not_sql_reason(migration)
                if reason or reasons:  # after the first refusal, only list the others' reasons
                    if reason:
                        reasons.append(f"{key[0]}.{key[1]}: {reason}")
                    continue
                with editor_class(connection, atomic=migration.atomic) as editor:
                    state = migration.apply(state, editor)
                statements.extend(editor.recorded)
                planned.append(key)
                records.extend(migration.replaces or [key])
            raise _Discard
    except _Discard:
        pass
    except Exception as error:  # the normal path will meet (and report) the same problem per schema
        mark = f" {TRANSIENT_MARK}" if _transient(error) else ""
        reasons.append(f"could not be worked out on a copy of {source}:{mark} {type(error).__name__}: {error}")
    finally:
        activate_public()
    if any(scratch in statement for statement in statements):
        reasons.append("its SQL names the schema")
    return SqlPlan(
        migrations=tuple(planned), records=tuple(records), statements=tuple(statements), not_sql=tuple(reasons)
    )


# --- 3. Apply: each schema in its own transaction, N connections in parallel ---------------


def _raw_connection() -> Any:
    """A psycopg2 connection of the thread's own (Django's settings; not the shared one)."""
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    wrapper.ensure_connection()
    raw = wrapper.connection
    raw.autocommit = False
    return raw


def run_in_schemas(
    schemas: list[str],
    body: Callable[[str, Any], str],
    *,
    connections_count: int = 4,
    progress: Callable[[int, int, float], None] | None = None,
) -> RunResult:
    """Run `body(schema, cursor)`'s SQL in each schema, one transaction per schema, over
    `connections_count` connections. The search path is set inside each transaction only."""
    result = RunResult()
    lock = threading.Lock()
    local = threading.local()
    opened: list[Any] = []
    started = time.monotonic()

    def one(schema: str) -> None:
        error: str | None = None
        for _attempt in range(3):  # a deadlock or a lock timeout is tried again, twice
            try:
                if getattr(local, "raw", None) is None:
                    local.raw = _raw_connection()
                    with lock:
                        opened.append(local.raw)
                with local.raw.cursor() as cursor:
                    text = body(schema, cursor)
                    cursor.execute(
                        f"SET LOCAL search_path TO {_quote(schema)}, public;\n"
                        f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}';\n{text}"
                    )
                local.raw.commit()
                error = None
                break
            except Exception as exc:  # reported per schema; the others go on
                error = f"{type(exc).__name__}: {str(exc).strip()}"
                try:
                    local.raw.rollback()
                except Exception:  # a lost connection: the next attempt opens a new one
                    local.raw = None
                if not _transient(exc):
                    break
        with lock:
            if error is None:
                result.done.append(schema)
            else:
                result.failed[schema] = error
            if progress is not None:
                progress(len(result.done) + len(result.failed), len(schemas), time.monotonic() - started)

    try:
        with ThreadPoolExecutor(max_workers=max(1, connections_count)) as pool:
            list(pool.map(one, schemas))
    finally:
        for raw in opened:
            with suppress(Exception):
                raw.close()
    result.seconds = time.monotonic() - started
    return result


def apply_plan(
    schemas: list[str],
    plan: SqlPlan,
    *,
    connections_count: int = 4,
    first: str | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> RunResult:
    """Apply a worked-out plan to `schemas`. `first` (the template), when among them, goes
    alone before the others; if it fails, the others are not attempted."""
    if not plan.as_sql:
        raise ValueError("this plan cannot be applied as SQL: " + "; ".join(plan.not_sql))
    sql = "\n".join(plan.statements)
    values = ", ".join(["(%s, %s, now())"] * len(plan.records))
    params = [item for key in plan.records for item in key]

    def body(schema: str, cursor: Any) -> str:
        insert = cursor.mogrify(
            f"INSERT INTO {_quote(schema)}.django_migrations (app, name, applied) VALUES {values}", params
        )
        return f"{sql}\n{insert.decode()};"

    started = time.monotonic()
    result = RunResult()
    rest = list(schemas)
    if first is not None and first in rest:
        rest.remove(first)
        head = run_in_schemas([first], body, connections_count=1)
        result.done += head.done
        result.failed.update(head.failed)
        if head.failed:
            result.not_attempted = rest
            rest = []
    if rest:
        tail = run_in_schemas(rest, body, connections_count=connections_count, progress=progress)
        result.done += tail.done
        result.failed.update(tail.failed)
    result.seconds = time.monotonic() - started
    return result


def deploy_lock() -> AbstractContextManager[bool]:
    """Whether this run may deploy: one fast deploy at a time (core.db.locks.exclusive_run)."""
    return exclusive_run(_DEPLOY_LOCK)


def migrate_normally(schema: str, *, loader_factory: LoaderFactory | None = None) -> None:
    """The normal per-schema path (Django's executor) in this process: the fallback used by
    the tests and the benchmark; `migrate_schemas` uses its own, forked, path."""
    factory = loader_factory or _code_loader
    activate_public()
    try:
        connection.set_schema(schema)  # type: ignore[attr-defined]
        executor = MigrationExecutor(connection)
        executor.loader = factory(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        activate_public()
