"""Schemas for jurisdictions: the migrated template, cloning from it, and provisioning steps.

New schemas are cloned from `TENANT_BASE_SCHEMA` (`tenants.cloning`: the template's catalog
replayed in a few statements; django-tenants' `clone_schema` function slowed to seconds per clone
as tenants accumulated), many times faster than running every migration. Two traps of cloning
are handled here:

* a stale template (one migrated before the code gained a migration) would silently produce
  tenants that miss columns while recording the migration as applied, so creation refuses to
  clone unless the template's applied migrations equal the code's;
* a clone must carry the template's names (a later migration that drops a constraint by name
  must work on cloned tenants too): the cloner keeps them, and `align_names` (written when
  django-tenants' function renamed multi-column UNIQUE constraints, `…_uniq` to `…_key`) still
  runs after every clone as a guard.

Apps above `tenants` add their own steps (default standards, …) through the provisioning
registry from their `AppConfig.ready()`; `tenants` never imports them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_exists

from core.errors import Conflict
from tenants.cloning import _quote, clone
from tenants.schema import activate_public

if TYPE_CHECKING:
    from tenants.models import Jurisdiction

TEMPLATE_SCHEMA: str = settings.TENANT_BASE_SCHEMA


class TemplateStale(Conflict):
    default_code = "template_stale"


# --- The provisioning registry -------------------------------------------------------------


@dataclass(frozen=True)
class ProvisioningStep:
    name: str
    run: Callable[[Jurisdiction], None]
    order: int = 100


_steps: dict[str, ProvisioningStep] = {}


def register_provisioning_step(name: str, run: Callable[[Jurisdiction], None], *, order: int = 100) -> None:
    """Register a step run inside every new jurisdiction's schema (called from AppConfig.ready)."""
    _steps[name] = ProvisioningStep(name=name, run=run, order=order)


def provisioning_steps() -> list[ProvisioningStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))


# --- Migration state ----------------------------------------------------------------------


def code_migrations() -> set[tuple[str, str]]:
    """Every migration the code defines (a migrated schema records all of them, any app)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.graph.nodes)


def applied_migrations(schema_name: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'django_migrations'",
            [schema_name],
        )
        if cursor.fetchone() is None:
            return set()
        cursor.execute(f"SELECT app, name FROM {_quote(schema_name)}.django_migrations")
        return {(app, name) for app, name in cursor.fetchall()}


@dataclass(frozen=True)
class TemplateState:
    exists: bool
    missing: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    unknown: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @property
    def current(self) -> bool:
        return self.exists and not self.missing and not self.unknown


def template_state() -> TemplateState:
    if not schema_exists(TEMPLATE_SCHEMA):
        return TemplateState(exists=False)
    expected = code_migrations()
    applied = applied_migrations(TEMPLATE_SCHEMA)
    return TemplateState(exists=True, missing=frozenset(expected - applied), unknown=frozenset(applied - expected))


def template_migrate(*, verbosity: int = 0) -> None:
    """Create the template schema when missing and bring it up to the code's migrations."""
    activate_public()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(TEMPLATE_SCHEMA)}")
    call_command("migrate_schemas", schema_name=TEMPLATE_SCHEMA, tenant=True, interactive=False, verbosity=verbosity)
    activate_public()


def template_require_current() -> None:
    state = template_state()
    if not state.exists:
        raise TemplateStale(_("模板库尚未创建，请先运行 make migrate。"))
    if not state.current:
        names = sorted(f"{app}.{name}" for app, name in state.missing | state.unknown)
        raise TemplateStale(
            _("模板库的迁移与代码不一致（%(names)s），请先运行 make migrate。") % {"names": ", ".join(names[:5])}
        )


# --- Cloning ------------------------------------------------------------------------------


def schema_clone(schema_name: str) -> None:
    """Create `schema_name` as a copy of the (checked) template, with the template's names."""
    template_require_current()
    if schema_exists(schema_name):
        raise Conflict(_("数据库模式 %(s)s 已存在。") % {"s": schema_name}, code="schema_exists")
    activate_public()
    clone(TEMPLATE_SCHEMA, schema_name)
    align_names(source=TEMPLATE_SCHEMA, target=schema_name)  # a no-op unless the cloner changes


def schema_drop(schema_name: str) -> None:
    if schema_name in ("public", TEMPLATE_SCHEMA):
        raise ValueError(f"refusing to drop {schema_name}")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(schema_name)} CASCADE")


def _normalise(definition: str, schema: str) -> str:
    return definition.replace(f'"{schema}".', "").replace(f"{schema}.", "")


def _constraints(schema: str) -> list[tuple[str, str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT rel.relname, con.conname, con.contype, pg_get_constraintdef(con.oid, true)
            FROM pg_constraint con
            JOIN pg_class rel ON rel.oid = con.conrelid
            JOIN pg_namespace nsp ON nsp.oid = rel.relnamespace
            WHERE nsp.nspname = %s
            """,
            [schema],
        )
        return [(table, name, kind, _normalise(definition, schema)) for table, name, kind, definition in cursor]


def _indexes(schema: str) -> list[tuple[str, str, str]]:
    """Indexes that do not back a constraint: (table, name, definition without its name).

    A backed index is found through its own table's constraints (`conrelid`, indexed): looking
    for it among every constraint of the database (`conindid` has no index) took minutes at
    3,210 jurisdictions (bench/RESULTS.md, "National-scale migrations at 3,210 jurisdictions")."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = %s
              AND NOT EXISTS (
                  SELECT 1 FROM pg_constraint c
                  WHERE c.conrelid = x.indrelid AND c.conindid = x.indexrelid AND c.contype IN ('p', 'u', 'x')
              )
            """,
            [schema],
        )
        rows = []
        for table, name, definition in cursor:
            unnamed = _normalise(definition, schema).replace(f"INDEX {name} ON", "INDEX ON", 1)
            rows.append((table, name, unnamed))
        return rows


def _pairs_to_rename(
    source: Sequence[tuple[str, ...]], target: Sequence[tuple[str, ...]]
) -> list[tuple[str, str, str]]:
    """(table, target name, source name) for objects that match by definition but not by name."""
    by_key_source: dict[tuple[str, ...], list[str]] = defaultdict(list)
    by_key_target: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for row in source:
        by_key_source[(row[0], *row[2:])].append(row[1])
    for row in target:
        by_key_target[(row[0], *row[2:])].append(row[1])
    renames: list[tuple[str, str, str]] = []
    for key, target_names in by_key_target.items():
        source_names = by_key_source.get(key, [])
        wrong = sorted(set(target_names) - set(source_names))
        wanted = sorted(set(source_names) - set(target_names))
        renames.extend((key[0], old, new) for old, new in zip(wrong, wanted, strict=False))
    return renames


def align_names(*, source: str, target: str) -> int:
    """Rename the clone's constraints and indexes to the template's names; return the count."""
    renamed = 0
    with connection.cursor() as cursor:
        for table, old, new in _pairs_to_rename(_constraints(source), _constraints(target)):
            cursor.execute(f'ALTER TABLE {_quote(target)}."{table}" RENAME CONSTRAINT "{old}" TO "{new}"')
            renamed += 1
        for _table, old, new in _pairs_to_rename(_indexes(source), _indexes(target)):
            cursor.execute(f'ALTER INDEX {_quote(target)}."{old}" RENAME TO "{new}"')
            renamed += 1
    return renamed


def schema_catalog(schema: str) -> dict[str, Any]:
    """A comparable description of a schema: tables, columns, indexes and constraints by name."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length,
                   numeric_precision, numeric_scale, is_identity
            FROM information_schema.columns WHERE table_schema = %s
            ORDER BY table_name, ordinal_position
            """,
            [schema],
        )
        columns = [tuple(_normalise(str(v), schema) if v is not None else None for v in row) for row in cursor]
        cursor.execute(
            "SELECT sequence_name, data_type FROM information_schema.sequences WHERE sequence_schema = %s", [schema]
        )
        sequences = sorted(cursor.fetchall())
        cursor.execute(
            """
            SELECT t.relname, i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = %s
            """,
            [schema],
        )
        indexes = sorted((table, name, _normalise(d, schema)) for table, name, d in cursor)
    return {
        "columns": columns,
        "sequences": sequences,
        "indexes": indexes,
        "constraints": sorted(_constraints(schema)),
    }
