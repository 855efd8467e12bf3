"""`migrate_schemas --fast` (tenants/fast_migrate.py): the pending migrations' SQL worked out once
on a copy, then applied to every schema over parallel connections.

The probe migrations exist only in memory (a loader that adds them to the code's graph), so the
test database's template and tenants never see them; they are applied to scratch schemas cloned
from the template. Everything here commits (the apply runs on connections of its own), so the
scratch schemas are dropped afterwards. The command itself is run as an operator would, in a
subprocess against the test database, on changes it can undo."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.models import Q

from tenants import fast_migrate
from tenants.cloning import clone
from tenants.provisioning import TEMPLATE_SCHEMA, applied_migrations, schema_catalog
from tests.conftest import test_database_url

ROOT = Path(__file__).resolve().parents[2]
SCRATCH = ["fmt_a", "fmt_b", "fmt_c"]
REFUSED = "refused-by-probe"


def _reception_leaf() -> tuple[str, str]:
    (leaf,) = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("reception")
    return leaf


def _migration(name: str, dependencies: list[tuple[str, str]], operations: list[Any], **attrs: Any) -> Any:
    cls = type("Migration", (migrations.Migration,), {"dependencies": dependencies, "operations": operations, **attrs})
    return cls(name, "reception")


def _probe_sql() -> list[Any]:
    """Two migrations that change every schema: columns, an index, a check that existing rows must
    pass, a new table with a foreign key and a unique column, then (second migration) that unique
    dropped again, which the schema editor can only do by reading the catalog."""
    first = _migration(
        "9990_probe_fields",
        [_reception_leaf()],
        [
            migrations.AddField("task", "probe_code", models.CharField(max_length=20, default="", blank=True)),
            migrations.AddIndex("task", models.Index(fields=["probe_code"], name="task_probe_code_idx")),
            migrations.AddConstraint(
                "resource", models.CheckConstraint(condition=~Q(name=REFUSED), name="resource_probe_name")
            ),
            migrations.CreateModel(
                "ProbeNote",
                fields=[
                    ("id", models.BigAutoField(primary_key=True)),
                    ("task", models.ForeignKey("reception.task", on_delete=models.CASCADE)),
                    ("text", models.CharField(max_length=50, unique=True)),
                ],
            ),
        ],
    )
    second = _migration(
        "9991_probe_not_unique",
        [("reception", "9990_probe_fields")],
        [migrations.AlterField("probenote", "text", models.CharField(max_length=80))],
    )
    return [first, second]


def _mark_tasks(apps: Any, schema_editor: Any) -> None:
    apps.get_model("reception", "Task").objects.update(probe_code="marked")


def _probe_python() -> Any:
    return _migration(
        "9992_probe_data",
        [("reception", "9991_probe_not_unique")],
        [migrations.RunPython(_mark_tasks, migrations.RunPython.noop)],
    )


def _loader(extra: list[Any]) -> Callable[[Any], MigrationLoader]:
    class ProbeLoader(MigrationLoader):
        def build_graph(self) -> None:
            super().build_graph()
            for migration in extra:
                key = (migration.app_label, migration.name)
                self.graph.add_node(key, migration)
                for parent in migration.dependencies:
                    self.graph.add_dependency(migration, key, parent)

    return lambda conn: ProbeLoader(conn, ignore_no_migrations=True)


def _execute(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _one(sql: str) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _drop_scratch() -> None:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for name in SCRATCH:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [fast_migrate.SCRATCH_PREFIX + "%"])
        assert cursor.fetchall() == []  # the copies used to work the SQL out never outlive the run


@pytest.fixture
def scratch(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[str]]:
    """Three committed clones of the template (the test database's, at the code's migrations)."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_")
        _drop_scratch()
        for name in SCRATCH:
            clone(TEMPLATE_SCHEMA, name)
        try:
            yield SCRATCH
        finally:
            _drop_scratch()


def _refuse_in(schema: str) -> None:
    """A row that the probe's check constraint refuses: only this schema's data differs."""
    _execute(
        f'INSERT INTO "{schema}".reception_resource (kind, name, description, address, phone, room_type, image, '
        "image_type, version, created_at, updated_at, created_by_id) "
        "VALUES ('venue', %s, '', '', '', '', '', '', 1, now(), now(), (SELECT min(id) FROM core_user))",
        [REFUSED],
    )


def test_the_fast_path_builds_the_same_schema_as_the_normal_path(scratch):
    probe = _probe_sql()
    factory = _loader(probe)
    before = schema_catalog(TEMPLATE_SCHEMA)
    template_rows = applied_migrations(TEMPLATE_SCHEMA)

    # When two schemas take the fast path and a third Django's own per-schema path
    analysis = fast_migrate.analyse(["fmt_a", "fmt_b"], loader_factory=factory)
    fast_migrate.migrate_normally("fmt_c", loader_factory=factory)

    # Then the SQL was worked out once, for both, without touching either
    assert analysis.up_to_date == []
    (group,) = analysis.groups
    assert group.schemas == ["fmt_a", "fmt_b"]
    assert group.plan.not_sql == ()
    assert group.plan.migrations == (("reception", "9990_probe_fields"), ("reception", "9991_probe_not_unique"))
    assert schema_catalog("fmt_a") == before
    result = fast_migrate.apply_plan(group.schemas, group.plan, connections_count=2)
    assert sorted(result.done) == ["fmt_a", "fmt_b"]
    assert result.failed == {}

    # And columns, indexes, constraints (names included) are those of the normal path
    normal = schema_catalog("fmt_c")
    assert normal != before
    assert schema_catalog("fmt_a") == normal
    assert schema_catalog("fmt_b") == normal
    probe_keys = {("reception", "9990_probe_fields"), ("reception", "9991_probe_not_unique")}
    for name in ("fmt_a", "fmt_b", "fmt_c"):
        assert applied_migrations(name) == template_rows | probe_keys
    # the unique constraint of the first probe was found in the catalog and dropped by the second
    assert not any(kind == "u" for table, _n, kind, _d in normal["constraints"] if table == "reception_probenote")

    # And a second pass finds every schema up to date
    again = fast_migrate.analyse(["fmt_a", "fmt_b", "fmt_c"], loader_factory=factory)
    assert again.up_to_date == ["fmt_a", "fmt_b", "fmt_c"]
    assert again.groups == []


def test_a_failing_schema_stays_unrecorded_the_others_are_applied_and_a_rerun_resumes(scratch):
    factory = _loader(_probe_sql())
    before_rows = applied_migrations("fmt_b")
    before = schema_catalog("fmt_b")
    _refuse_in("fmt_b")
    (group,) = fast_migrate.analyse(["fmt_a", "fmt_b", "fmt_c"], loader_factory=factory).groups
    assert group.schemas == ["fmt_a", "fmt_b", "fmt_c"]  # rows do not split a group; structure would

    # When the first schema (the template's place) fails, the others are not attempted
    stopped = fast_migrate.apply_plan(group.schemas, group.plan, first="fmt_b")
    assert list(stopped.failed) == ["fmt_b"]
    assert sorted(stopped.not_attempted) == ["fmt_a", "fmt_c"]
    assert stopped.done == []
    assert schema_catalog("fmt_a") == before

    # When it fails among the others, only it is left behind
    result = fast_migrate.apply_plan(group.schemas, group.plan, connections_count=2)
    assert sorted(result.done) == ["fmt_a", "fmt_c"]
    assert list(result.failed) == ["fmt_b"]
    assert result.failed["fmt_b"].startswith("CheckViolation")
    assert applied_migrations("fmt_b") == before_rows  # not recorded
    assert schema_catalog("fmt_b") == before  # and none of its SQL stayed (one transaction)

    # Then, the row fixed, a rerun skips the applied schemas and finishes the failed one
    _execute('DELETE FROM "fmt_b".reception_resource WHERE name = %s', [REFUSED])
    rerun = fast_migrate.analyse(["fmt_a", "fmt_b", "fmt_c"], loader_factory=factory)
    assert rerun.up_to_date == ["fmt_a", "fmt_c"]
    (left,) = rerun.groups
    assert left.schemas == ["fmt_b"]
    assert left.plan.statements == group.plan.statements
    assert fast_migrate.apply_plan(left.schemas, left.plan).done == ["fmt_b"]
    assert schema_catalog("fmt_b") == schema_catalog("fmt_a")


def test_a_schema_with_other_names_is_worked_out_on_its_own(scratch):
    # Given a schema whose index has another name (as django-tenants' old clone produced)
    index = _one("SELECT indexname FROM pg_indexes WHERE schemaname = 'fmt_c' AND indexname LIKE '%%_pkey' LIMIT 1")
    _execute(f'ALTER INDEX "fmt_c"."{index}" RENAME TO "renamed_by_hand_pkey"')
    analysis = fast_migrate.analyse(["fmt_a", "fmt_b", "fmt_c"], loader_factory=_loader(_probe_sql()))
    # Then it forms a group of its own, with SQL worked out on a copy of it
    assert [group.schemas for group in analysis.groups] == [["fmt_a", "fmt_b"], ["fmt_c"]]
    assert all(group.plan.as_sql for group in analysis.groups)


def test_a_run_python_migration_sends_the_group_to_the_normal_path(scratch):
    factory = _loader([*_probe_sql(), _probe_python()])
    analysis = fast_migrate.analyse(["fmt_a", "fmt_b"], loader_factory=factory)
    assert analysis.by_sql == []
    (group,) = analysis.by_normal_path
    assert group.schemas == ["fmt_a", "fmt_b"]
    assert any("RunPython _mark_tasks" in reason for reason in group.plan.not_sql)
    with pytest.raises(ValueError):
        fast_migrate.apply_plan(group.schemas, group.plan)
    assert applied_migrations("fmt_a") == applied_migrations(TEMPLATE_SCHEMA)  # nothing applied by SQL
    for name in group.schemas:
        fast_migrate.migrate_normally(name, loader_factory=factory)
    assert ("reception", "9992_probe_data") in applied_migrations("fmt_a")
    assert schema_catalog("fmt_a") == schema_catalog("fmt_b") != schema_catalog(TEMPLATE_SCHEMA)


def test_which_migrations_reduce_to_sql(db):
    connection.set_schema(TEMPLATE_SCHEMA)  # the router decides per schema kind
    noop = _migration("x1", [], [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)])
    data = _migration("x2", [], [migrations.RunPython(_mark_tasks)])
    hidden = _migration(
        "x3", [], [migrations.SeparateDatabaseAndState(database_operations=[migrations.RunPython(_mark_tasks)])]
    )
    shared = _migration("x4", [], [migrations.RunPython(_mark_tasks)])
    shared.app_label = "core"  # a public-schema app: its data migration does not run in tenants
    outside = _migration("x5", [], [migrations.RunSQL("SELECT 1")], atomic=False)
    assert fast_migrate.not_sql_reason(noop) is None
    assert fast_migrate.not_sql_reason(shared) is None
    assert fast_migrate.not_sql_reason(data) is not None
    assert fast_migrate.not_sql_reason(hidden) is not None
    assert fast_migrate.not_sql_reason(outside) is not None
    assert fast_migrate.not_sql_reason(_probe_sql()[0]) is None


# --- The command, as an operator runs it ----------------------------------------------------


def _migrate(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": test_database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "migrate_schemas", "--noinput", "--fast", "--no-spares", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def real_db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        assert connection.settings_dict["NAME"].startswith("test_")
        yield
        connection.set_schema_to_public()


def _rows(schema: str, where: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name, applied FROM "{schema}".django_migrations WHERE {where}')
        return cursor.fetchall()


def test_the_command_applies_sql_reports_a_failed_schema_and_resumes(real_db):
    schemas = _one("SELECT count(*) FROM tenants_jurisdiction") + 1
    # Given j340123 missing a row whose migration is SQL (a shared app's: nothing to run in a
    # tenant, only the row), and j340121 missing the reception rows (re-running them must fail)
    shared_row = "app = 'sessions' AND name = '0001_initial'"
    _execute(f'DELETE FROM "j340123".django_migrations WHERE {shared_row}')
    saved = _rows("j340121", "app = 'reception'")
    _execute("DELETE FROM \"j340121\".django_migrations WHERE app = 'reception'")
    try:
        result = _migrate("--connections", "2")
        # Then j340123 is migrated by SQL, j340121 goes the normal way, fails and is named
        assert f"tenant schemas: {schemas} ({schemas - 2} up to date, 2 to migrate" in result.stdout
        assert "as SQL: 1 migration(s) (sessions.0001_initial), 0 statement(s)" in result.stdout
        assert "as SQL: 1 applied, 0 failed" in result.stdout
        assert "NOT AS SQL: 1 schema(s) from j340121" in result.stdout
        assert result.returncode != 0
        assert "1 schema(s) failed to migrate: j340121" in result.stderr
        assert len(_rows("j340123", shared_row)) == 1
        assert _rows("j340121", "app = 'reception'") == []
    finally:
        with connection.cursor() as cursor:
            if not _rows("j340123", shared_row):
                cursor.execute(
                    'INSERT INTO "j340123".django_migrations (app, name, applied) '
                    "VALUES ('sessions', '0001_initial', now())"
                )
            cursor.execute("DELETE FROM \"j340121\".django_migrations WHERE app = 'reception'")
            cursor.executemany(
                'INSERT INTO "j340121".django_migrations (app, name, applied) VALUES (%s, %s, %s)', saved
            )
    # And once the cause is gone, a rerun has nothing left to do
    again = _migrate()
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"tenant schemas: {schemas} ({schemas} up to date, 0 to migrate" in again.stdout
