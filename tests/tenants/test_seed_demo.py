"""seed_demo as `make run` uses it: a fresh database, the real command in its own process, twice.

It creates 121 schemas, each in its own transaction as in production, which is why it runs
against a database of its own rather than inside a test transaction."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def fresh_database(django_db_setup, django_db_blocker):
    settings = dict(connection.settings_dict)
    name = f"seedtest_{uuid.uuid4().hex[:8]}"
    params = {"user": settings["USER"], "host": settings["HOST"] or None, "port": settings["PORT"] or None}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    host = settings["HOST"] or ""
    if host.startswith("/"):
        url = f"postgresql://{settings['USER']}@/{name}?host={host}"
    else:
        url = f"postgresql://{settings['USER']}@{host}:{settings['PORT'] or 5432}/{name}"
    try:
        yield url, lambda: psycopg2.connect(dbname=name, **params)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    failure = f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    assert result.returncode == 0, failure
    return result.stdout


def counts(connect) -> dict[str, int]:
    with connect() as conn, conn.cursor() as cursor:
        result = {}
        for key, sql in {
            "jurisdictions": "SELECT count(*) FROM tenants_jurisdiction WHERE path LIKE '340000%%'",
            "cities": "SELECT count(*) FROM tenants_jurisdiction WHERE level = 'city'",
            "counties": "SELECT count(*) FROM tenants_jurisdiction WHERE level = 'county'",
            "schemas": "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'j34%%'",
            "demo_users": "SELECT count(*) FROM core_user WHERE username ~ '^34(0000|0100|0123)-'",
            "memberships": "SELECT count(*) FROM tenants_membership",
            "providers": "SELECT count(*) FROM provider_portal_providerstaff",
            "tasks_hefei": "SELECT count(*) FROM j340100.reception_task",
        }.items():
            cursor.execute(sql)
            result[key] = cursor.fetchone()[0]
    return result


def test_seed_demo_builds_the_anhui_tree_once(fresh_database):
    url, connect = fresh_database
    manage(url, "migrate_schemas", "--noinput", "-v", "0")
    output = manage(url, "seed_demo", "--password", "Demo-pass-2026")
    assert "jurisdictions created: 121, already present: 0" in output
    first = counts(connect)
    assert first["jurisdictions"] == 121
    assert (first["cities"], first["counties"]) == (16, 104)
    assert first["schemas"] == 121
    assert first["demo_users"] == 21  # 7 roles in 340000, 340100 and 340123
    assert first["providers"] == 2
    assert first["tasks_hefei"] > 0
    # idempotent: a second run adds nothing, --once does nothing at all
    assert "jurisdictions created: 0, already present: 121" in manage(url, "seed_demo", "--password", "Demo-pass-2026")
    assert counts(connect) == first
    assert manage(url, "seed_demo", "--password", "x", "--once").strip() == "demo already seeded"
