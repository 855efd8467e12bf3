"""Schemas by clone: identical to migrated ones, names kept, stale templates refused."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists

from tenants.management.commands.migrate_schemas import schemas_needing_migration
from tenants.models import Domain, Jurisdiction
from tenants.provisioning import (
    TEMPLATE_SCHEMA,
    TemplateStale,
    align_names,
    code_migrations,
    schema_catalog,
    template_state,
)
from tenants.services import jurisdiction_create
from tests.conftest import count_queries

pytestmark = pytest.mark.django_db


def _execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_template_is_current_after_migrate():
    state = template_state()
    assert state.exists
    assert state.current, (state.missing, state.unknown)


def test_cloned_schema_is_identical_to_a_migrated_one(tree):
    # Given a schema made by running every migration, the way django-tenants does without a template
    _execute('CREATE SCHEMA "migrated_probe"')
    call_command("migrate_schemas", schema_name="migrated_probe", tenant=True, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    # When a jurisdiction is created (by clone)
    jurisdiction, created = jurisdiction_create(
        actor=None, code="340124", name="庐江县", level="county", parent_code="340100"
    )
    assert created
    # Then tables, columns, sequences, indexes and constraints are the same, names included
    migrated = schema_catalog("migrated_probe")
    cloned = schema_catalog(jurisdiction.schema_name)
    assert cloned == migrated
    assert migrated["columns"], "the tenant schema has tables to compare"


def test_clone_renames_multicolumn_unique_constraints_and_align_restores_them(db):
    # Given a schema holding a table with a named two-column UNIQUE constraint
    _execute('CREATE SCHEMA "probe_src"')
    _execute('CREATE TABLE "probe_src".t (id bigint PRIMARY KEY, a int, b int)')
    _execute('ALTER TABLE "probe_src".t ADD CONSTRAINT t_a_b_uniq UNIQUE (a, b)')
    # When django-tenants clones it
    CloneSchema().clone_schema("probe_src", "probe_dst", "DATA")
    names = {c[1] for c in _constraint_names("probe_dst")}
    # Then (the measured trap) the constraint comes back under another name
    assert "t_a_b_uniq" not in names
    # And aligning names restores the template's
    assert align_names(source="probe_src", target="probe_dst") >= 1
    assert {c[1] for c in _constraint_names("probe_dst")} == {c[1] for c in _constraint_names("probe_src")}


def _constraint_names(schema: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rel.relname, con.conname FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid "
            "JOIN pg_namespace n ON n.oid = rel.relnamespace WHERE n.nspname = %s",
            [schema],
        )
        return cursor.fetchall()


def test_stale_template_is_refused_and_nothing_is_created(tree):
    # Given a template missing one of the code's migrations
    app, name = sorted(code_migrations())[-1]
    _execute(f'DELETE FROM "{TEMPLATE_SCHEMA}".django_migrations WHERE app = %s AND name = %s', [app, name])
    assert not template_state().current
    # When a jurisdiction is created
    with pytest.raises(TemplateStale) as excinfo:
        jurisdiction_create(actor=None, code="340124", name="庐江县", level="county", parent_code="340100")
    # Then creation is refused, naming the migration, and nothing remains
    assert f"{app}.{name}" in str(excinfo.value.message)
    assert not Jurisdiction.objects.filter(code="340124").exists()
    assert not Domain.objects.filter(domain__startswith="lujiang.").exists()
    assert not schema_exists("j340124")


def test_template_with_unknown_migration_is_refused(tree):
    _execute(
        f'INSERT INTO "{TEMPLATE_SCHEMA}".django_migrations (app, name, applied) '
        "VALUES ('reception', '9999_x', now())"
    )
    state = template_state()
    assert ("reception", "9999_x") in state.unknown
    with pytest.raises(TemplateStale):
        jurisdiction_create(actor=None, code="340124", name="庐江县", level="county", parent_code="340100")


def test_up_to_date_schemas_are_found_in_one_query(tree):
    schemas = [TEMPLATE_SCHEMA, tree["340100"].schema_name, tree["340200"].schema_name]
    expected = code_migrations()
    with count_queries() as statements:
        assert schemas_needing_migration(schemas, expected) == []
    # one to list the schemas that have a migration table, one to compare them all
    assert len(statements) == 2, statements
    app, name = sorted(expected)[0]
    _execute(f'DELETE FROM "{tree["340200"].schema_name}".django_migrations WHERE app = %s AND name = %s', [app, name])
    assert schemas_needing_migration(schemas, expected) == [tree["340200"].schema_name]


def test_migrate_schemas_covers_template_and_tenants(tree):
    out = io.StringIO()
    call_command("migrate_schemas", interactive=False, verbosity=1, stdout=out)
    report = out.getvalue()
    count = Jurisdiction.objects.count() + 1  # the template too
    assert f"tenant schemas: {count} ({count} up to date, 0 to migrate)" in report
