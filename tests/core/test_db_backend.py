"""core.db.backend: with POOLING=transaction no statement relies on session state.

Behind a transaction-pooling PgBouncer consecutive statements may reach different server
connections; here the proof is that each statement runs in the selected schema while the
server session's own search path never changes (tests/scale/test_pgbouncer.py runs the real
pooler)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def pooled() -> Iterator[Any]:
    default = connections[DEFAULT_DB_ALIAS]
    wrapper = type(default)({**default.settings_dict, "POOLING": "transaction"}, alias=DEFAULT_DB_ALIAS)
    try:
        yield wrapper
    finally:
        wrapper.close()


def _session_search_path(wrapper: Any) -> str:
    """The server session's search path, read on the raw driver cursor (no prefix)."""
    with wrapper.connection.cursor() as raw:
        raw.execute("SHOW search_path")
        return str(raw.fetchone()[0])


def _current_schema(wrapper: Any) -> str:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return str(cursor.fetchone()[0])


def test_each_statement_carries_its_schema_and_the_session_keeps_none(pooled):
    pooled.ensure_connection()
    default = _session_search_path(pooled)

    pooled.set_schema("j340100")
    assert _current_schema(pooled) == "j340100"
    assert _session_search_path(pooled) == default
    pooled.set_schema("j340200")
    assert _current_schema(pooled) == "j340200"
    pooled.set_schema_to_public()
    assert _current_schema(pooled) == "public"
    assert _session_search_path(pooled) == default


def test_inside_a_transaction_and_with_parameters(pooled):
    pooled.set_schema("j340100")
    pooled.set_autocommit(False)
    try:
        with pooled.cursor() as cursor:
            cursor.execute("SELECT current_schema(), %s, to_regclass('reception_task') IS NOT NULL", ["50%"])
            assert cursor.fetchone() == ("j340100", "50%", True)
            cursor.executemany("SELECT %s", [["a"], ["b"]])
        pooled.set_schema("j340200")
        assert _current_schema(pooled) == "j340200"  # a switch inside one transaction
    finally:
        pooled.rollback()
        pooled.set_autocommit(True)
    assert _session_search_path(pooled) != "j340200, public"


def test_without_pooling_the_path_is_session_state():
    """The behaviour the pooled mode removes: django-tenants' path stays on the session."""
    connection.set_schema("j340100")
    try:
        assert _current_schema(connection) == "j340100"
        assert _session_search_path(connection) == "j340100, public"
    finally:
        connection.set_schema_to_public()


def _sets(context: Any) -> int:
    return sum(1 for q in context.captured_queries if q["sql"].startswith("SET search_path"))


def test_a_set_that_would_not_change_the_session_is_skipped():
    from django.test.utils import CaptureQueriesContext

    try:
        with CaptureQueriesContext(connection) as context:
            connection.set_schema("j340100")
            assert _current_schema(connection) == "j340100"
            connection.set_schema_to_public()  # chosen but never queried: nothing sent
            connection.set_schema("j340100")
            assert _current_schema(connection) == "j340100"
        assert _sets(context) == 1
    finally:
        connection.set_schema_to_public()


def test_after_a_rollback_the_path_is_set_again():
    """ROLLBACK TO SAVEPOINT undoes a SET issued after the savepoint: the backend must not
    believe the session still holds it."""
    from django.db import transaction

    try:
        connection.set_schema("j340100")
        assert _current_schema(connection) == "j340100"
        savepoint = transaction.savepoint()
        connection.set_schema("j340200")
        assert _current_schema(connection) == "j340200"
        transaction.savepoint_rollback(savepoint)
        assert _current_schema(connection) == "j340200"
        connection.set_schema("j340100")
        assert _current_schema(connection) == "j340100"
    finally:
        connection.set_schema_to_public()
