"""`migrate_schemas` over the public schema, the template and every tenant, as `make migrate` runs it:
in forked processes (`--parallel`), and with a clear report naming each schema that failed.

These run the command in a subprocess against the test database (committed state), as an
operator would: forking inside the test's transaction is not possible."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.conftest import test_database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        assert connection.settings_dict["NAME"].startswith("test_")
        yield
        connection.set_schema_to_public()


def _migrate(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": test_database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "migrate_schemas", "--noinput", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _tenant_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tenants_jurisdiction")
        return cursor.fetchone()[0]


def test_parallel_migrate_covers_the_template_and_every_tenant(real_db):
    result = _migrate("--parallel", "2", "--all-schemas")
    assert result.returncode == 0, result.stderr[-3000:]
    count = _tenant_count() + 1
    assert f"tenant schemas: {count} (0 up to date, {count} to migrate)" in result.stdout
    assert "spare schemas:" in result.stdout
    again = _migrate("--parallel", "2")
    assert again.returncode == 0
    assert f"tenant schemas: {count} ({count} up to date, 0 to migrate)" in again.stdout


def test_a_failing_schema_is_named_and_the_others_are_migrated(real_db):
    # Given one tenant whose migration table forgot the reception app (re-applying it must fail)
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name, applied FROM j340121.django_migrations WHERE app = 'reception'")
        saved = cursor.fetchall()
        cursor.execute("DELETE FROM j340121.django_migrations WHERE app = 'reception'")
    try:
        result = _migrate("--parallel", "2")
        # Then the command fails naming that schema, with the error, and only that one
        assert result.returncode != 0
        assert "1 schema(s) failed to migrate: j340121" in result.stderr
        assert "schema j340121 FAILED" in result.stderr
        assert "to migrate)" in result.stdout
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM j340121.django_migrations WHERE app = 'reception'")
            cursor.executemany("INSERT INTO j340121.django_migrations (app, name, applied) VALUES (%s, %s, %s)", saved)
    assert _migrate().returncode == 0
