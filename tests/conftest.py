"""The one shared, tenant-aware fixture set.

A session builds a small jurisdiction tree once per test database (clone-based creation, so it
stays fast), with one user per role in four of them. Tests run inside a transaction that is
rolled back; tests that need real commits (concurrency, live servers) use the `committed`
jurisdiction 340300, which no rollback-based test touches, and clean it up themselves.

Tree (codes as in GB/T 2260):

    340000 安徽省 ─┬─ 340100 合肥市 ─┬─ 340123 肥西县
                  │                └─ 340121 长丰县
                  ├─ 340200 芜湖市
                  └─ 340300 蚌埠市   (committed-data tests only)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

PASSWORD = "Test-pass-2026!"
TREE = [
    ("340000", "安徽省", "province", None),
    ("340100", "合肥市", "city", "340000"),
    ("340123", "肥西县", "county", "340100"),
    ("340121", "长丰县", "county", "340100"),
    ("340200", "芜湖市", "city", "340000"),
    ("340300", "蚌埠市", "city", "340000"),
]
MEMBER_CODES = ("340000", "340100", "340123", "340200", "340300")
HOSTS = {
    "340000": "anhui.localhost",
    "340100": "hefei.localhost",
    "340123": "feixi.localhost",
    "340121": "changfeng.localhost",
    "340200": "wuhu.localhost",
    "340300": "bengbu.localhost",
}
PUBLIC_HOST = "localhost"


def pytest_configure(config: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The suite's changes are rolled back, never committed, so never notified: no access cache
    # (core/db/notified.py), except in its own tests (tests/core/test_notified_cache.py).
    settings.ACCESS_CACHE = False
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


def _build_tree() -> None:
    from tenants.models import Role
    from tenants.services import jurisdiction_create, membership_add, user_ensure

    jurisdictions = {}
    for code, name, level, parent in TREE:
        jurisdictions[code], _created = jurisdiction_create(
            actor=None, code=code, name=name, level=level, parent_code=parent
        )
    for code in MEMBER_CODES:
        for role in Role.values:
            user, _created = user_ensure(username=f"{code}-{role}", password=PASSWORD, display_name=f"{code} {role}")
            membership_add(
                actor=None,
                user=user,
                jurisdiction=jurisdictions[code],
                role=role,
                unit_name="对口单位" if role == Role.COUNTERPART else "",
            )
    for registered in _session_setups:
        registered()


#: Apps' test packages may add session-wide committed data (e.g. providers) here.
_session_setups: list[Any] = []


@pytest.fixture(scope="session")
def django_db_setup(
    request: Any,
    django_test_environment: Any,
    django_db_blocker: Any,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: Any,
) -> Iterator[None]:
    """The test database, always: pytest-django would skip it when no collected test asks for
    `db`, and tests using only `committed` or the live server would then reach the real one."""
    from django.test.utils import setup_databases, teardown_databases

    keepdb = django_db_keepdb and not django_db_createdb
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=verbosity, interactive=False, aliases={"default"}, keepdb=keepdb)
        assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
        _build_tree()
        connection.set_schema_to_public()
    yield
    if not keepdb:
        with django_db_blocker.unblock():
            end_other_sessions()
            teardown_databases(db_cfg, verbosity=verbosity)


def end_other_sessions() -> None:
    """Close the database sessions other threads left open (live-server keep-alive threads,
    concurrency tests), which would keep the test database from being dropped."""
    from django.db import InterfaceError, OperationalError

    try:
        connection.ensure_connection()
        connection.cursor().close()
    except (InterfaceError, OperationalError):
        connection.close()  # this thread's session was itself a leftover; open a new one
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _public_schema_after_test() -> Iterator[None]:
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _anonymous_multipart_unlimited(settings: Any) -> None:
    """The suite posts anonymous forms as multipart (the test clients' default) from one address,
    far more often than a visitor would; tests/core/test_uploads.py sets the real limits."""
    settings.ANONYMOUS_MULTIPART_RATE = 1_000_000


@pytest.fixture
def tree(db: Any) -> dict[str, Any]:
    from tenants.models import Jurisdiction

    return {j.code: j for j in Jurisdiction.objects.all()}


def user(username: str) -> Any:
    from core.models import User

    return User.objects.get(username=username)


@contextmanager
def in_tenant(code: str) -> Iterator[Any]:
    """Run ORM code in a jurisdiction's schema."""
    from tenants.models import Jurisdiction

    connection.set_schema_to_public()
    jurisdiction = Jurisdiction.objects.get(code=code)
    connection.set_tenant(jurisdiction)
    try:
        yield jurisdiction
    finally:
        connection.set_schema_to_public()


def api(code: str | None = None, username: str | None = None, *, host: str | None = None) -> Any:
    """A DRF client on a jurisdiction's host (or the public host), with a real knox token."""
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST=host or (HOSTS[code] if code else PUBLIC_HOST))
    if username:
        connection.set_schema_to_public()
        _instance, token = AuthToken.objects.create(user=user(username))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def committed(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """Jurisdiction 340300 with real commits allowed; its schema's rows are removed afterwards.

    Depends on django_db_setup so that it always runs against the test database.
    """
    from tenants.models import Jurisdiction

    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        assert connection.settings_dict["NAME"].startswith("test_"), "committed data only in the test database"
        jurisdiction = Jurisdiction.objects.get(code="340300")
        try:
            yield jurisdiction
        finally:
            connection.set_schema_to_public()
            _truncate_schema(jurisdiction.schema_name)


def _truncate_schema(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> 'django_migrations'", [schema]
        )
        tables = [row[0] for row in cursor.fetchall()]
        if tables:
            joined = ", ".join(f'"{schema}"."{t}"' for t in tables)
            cursor.execute(f"TRUNCATE {joined} RESTART IDENTITY CASCADE")


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """The SQL statements run inside the block, without django-tenants' `SET search_path`."""
    from django.test.utils import CaptureQueriesContext

    statements: list[str] = []
    with CaptureQueriesContext(connection) as context:
        yield statements
    statements.extend(q["sql"] for q in context.captured_queries if not q["sql"].startswith("SET search_path"))


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Broker tests need a real broker: they run when CELERY_BROKER_URL names one (CI sets it)."""
    import os

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if broker.startswith(("redis://", "amqp://", "rediss://")):
        return
    skip = pytest.mark.skip(reason="needs CELERY_BROKER_URL pointing at a real broker (.ci/run sets it)")
    for item in items:
        if "broker" in item.keywords:
            item.add_marker(skip)


def test_database_url() -> str:
    """The URL of this test session's database, for subprocesses (workers, servers)."""
    s = connection.settings_dict
    host = s["HOST"] or ""
    if host.startswith("/"):
        return f"postgresql://{s['USER']}@/{s['NAME']}?host={host}"
    return f"postgresql://{s['USER']}:{s['PASSWORD'] or ''}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


test_database_url.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture
def celery_worker(tmp_path: Any) -> Iterator[str]:
    """A real Celery worker (separate process, real broker) on a private queue; yields the queue.

    Messages sent with `send_task(..., queue=queue)` or `apply_async(queue=queue)` go to it.
    """
    import os
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    from config.celery import app

    root = Path(__file__).resolve().parents[1]
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_QUEUE": queue,
        "PYTHONPATH": str(root),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    log_path = tmp_path / "worker.log"
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--pool", "solo", "-l", "info"],
            env=env,
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield queue
        finally:
            app.conf.task_always_eager = eager
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


def error_fields(response: Any) -> list[str]:
    """The fields a 400 names, DRF-style (`{field: [messages]}`), each checked to carry a stable
    code in `errors: [{field, code, message}]`."""
    body = response.json()
    fields = [key for key in body if key != "errors"]
    coded = {error["field"].split(".")[0] for error in body["errors"] if error["code"]}
    assert set(fields) <= coded, body
    return fields


def error_codes(response: Any) -> set[tuple[str, str]]:
    """`{(field, code)}` of a 400 body's `errors`."""
    return {(error["field"], error["code"]) for error in response.json()["errors"]}


def refused(response: Any, status: int, code: str) -> Any:
    """Asserts a refusal by its status and its stable code (docs/api.md, "Error bodies"): the
    body's `code`, or the code of one of its `errors` (a field error, a rule finding). Returns
    the body. Never match a refusal's message text: it is translated and reworded."""
    assert response.status_code == status, (response.status_code, response.content[:600])
    body = response.json()
    codes = {body.get("code")} | {error.get("code") for error in body.get("errors", []) if isinstance(error, dict)}
    assert code in codes, body
    return body


def refused_page(response: Any, status: int, code: str) -> str:
    """Asserts a page's refusal by its status and the `data-code` the page renders for it (an
    error banner, a form's error list). Returns the page's HTML."""
    assert response.status_code == status, response.status_code
    html = response.content.decode()
    found = re.findall(r'data-code="([^"]*)"', html)
    errors = re.findall(r'<[^>]*(?:errorlist|class="error)[^>]*>.{0,200}', html)
    assert f'data-code="{code}"' in html, (found, errors)
    return html


def schema_digest(code: str) -> dict[str, str]:
    """A digest of every row of a jurisdiction's schema, per table, and of the audit chain's
    entries: equal digests mean nothing was written."""
    from core.models import AuditEntry
    from tenants.models import Jurisdiction

    previous = connection.tenant
    connection.set_schema_to_public()
    schema = Jurisdiction.objects.get(code=code).schema_name
    digests: dict[str, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> 'django_migrations' "
            "ORDER BY tablename",
            [schema],
        )
        tables = [row[0] for row in cursor.fetchall()]
        if tables:
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s, (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                    f'FROM "{schema}"."{table}" t)'
                    for table in tables
                ),
                tables,
            )
            digests = dict(cursor.fetchall())
    digests["audit"] = str(list(AuditEntry.objects.filter(chain=code).values_list("pk", flat=True)))
    connection.set_tenant(previous)
    return digests


@contextmanager
def unchanged(*codes: str) -> Iterator[None]:
    """Asserts that the block writes nothing: no row of the jurisdictions' schemas (340100 when
    none is named) changes and no audit entry is added to their chains. Wrap a refused request."""
    codes = codes or ("340100",)
    before = {code: schema_digest(code) for code in codes}
    yield
    after = {code: schema_digest(code) for code in codes}
    changed = {
        code: sorted(
            name for name in before[code].keys() | after[code].keys() if before[code].get(name) != after[code].get(name)
        )
        for code in codes
    }
    assert not any(changed.values()), f"a refused request changed {changed}"
