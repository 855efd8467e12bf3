"""django-tenants' PostgreSQL backend, made correct behind a transaction-pooling PgBouncer.

django-tenants switches schemas with a session-level `SET search_path`, issued once per switch.
Behind PgBouncer in transaction-pooling mode each transaction of one client connection may run
on a different server connection, so the next query sees whatever path that server connection
last had: `relation "reception_task" does not exist`, or another jurisdiction's rows.

With `POOLING = "transaction"` (settings: `DATABASE_POOLING=transaction`) this backend sets no
session state at all. Every statement is sent as
`SELECT set_config('search_path', '<schema>,public', true); <statement>` in one simple-protocol
message: PostgreSQL runs the two in the same transaction (the open one, or an implicit one in
autocommit), the setting ends with that transaction, and psycopg2 returns the last statement's
result. The pooler may hand out any server connection between two statements or transactions;
each one carries its own path.

Without pooling it is django-tenants' backend, minus the redundant round trips: django-tenants
forgets the session's path at every schema switch and sets it again at the next query, even when
the session already has it (two `SET`s per request when consecutive requests on a thread serve
the same jurisdiction). This backend remembers what the session holds and skips a `SET` that
would not change it; the memory is dropped whenever the session may have lost the setting
(rollback, savepoint rollback, a new or closed connection).

A connection whose settings name `SCHEMA_FOLLOWS` (the read replica: `SCHEMA_FOLLOWS =
"default"`) takes its schema from that connection before every cursor and statement, so it runs
in whatever tenant schema django-tenants selected on the default connection (the middleware's
`set_tenant`, tenant-schemas-celery's, `schema_context`, `tenant_context`), and is reset with it.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.utils import quote_schema_name

TRANSACTION_POOLING = "transaction"

# Statements PostgreSQL refuses inside a transaction block (an implicit one included): sent
# as they are. None of them depends on the search path.
_NO_TRANSACTION = ("CREATE DATABASE", "DROP DATABASE", "VACUUM", "CREATE INDEX CONCURRENTLY", "REINDEX")


class _PathPerStatement:
    """Cursor wrapper part: prefix each statement with its transaction-local search path."""

    db: DatabaseWrapper
    cursor: Any

    def execute(self, sql: Any, params: Any = None) -> Any:
        return super().execute(self.db.with_search_path(sql, self.cursor), params)  # type: ignore[misc]

    def executemany(self, sql: Any, param_list: Any) -> Any:
        return super().executemany(self.db.with_search_path(sql, self.cursor), param_list)  # type: ignore[misc]


class PooledCursorWrapper(_PathPerStatement, CursorWrapper):
    pass


class PooledCursorDebugWrapper(_PathPerStatement, CursorDebugWrapper):
    pass


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.transaction_pooling = self.settings_dict.get("POOLING") == TRANSACTION_POOLING
        self._path_prefixes: dict[tuple[str, ...], str] = {}
        # The search path the server session holds for sure (unpooled mode), or None.
        self._session_search_path: list[str] | None = None
        # The alias whose tenant schema this connection follows (the replica: "default").
        self.schema_follows: str | None = self.settings_dict.get("SCHEMA_FOLLOWS")

    def follow_schema(self) -> None:
        """Select the tenant schema the followed connection has selected (cheap when unchanged)."""
        leader: Any = connections[self.schema_follows]  # type: ignore[index]
        if (leader.schema_name, leader.include_public_schema) != (self.schema_name, self.include_public_schema):
            self.set_tenant(leader.tenant, include_public=leader.include_public_schema)
        else:
            self.tenant = leader.tenant

    def _cursor(self, name: str | None = None) -> Any:
        if self.schema_follows:
            self.follow_schema()
        return super()._cursor(name)  # type: ignore[no-untyped-call]

    @property
    def search_path_prefix(self) -> str:
        """`SELECT set_config(...);` for the schema currently selected (names are validated)."""
        paths = tuple(self._get_cursor_search_paths())
        prefix = self._path_prefixes.get(paths)
        if prefix is None:
            value = ",".join(quote_schema_name(p) for p in paths)
            prefix = self._path_prefixes[paths] = f"SELECT set_config('search_path', '{value}', true); "
        return prefix

    def with_search_path(self, sql: Any, cursor: Any) -> Any:
        if self.schema_follows:  # the leader may have switched since this cursor was opened
            self.follow_schema()
        if not isinstance(sql, str):
            if not hasattr(sql, "as_string"):
                return sql
            sql = sql.as_string(cursor)  # psycopg2.sql.Composed
        if sql.lstrip()[:25].upper().startswith(_NO_TRANSACTION):
            return sql
        return self.search_path_prefix + sql

    def _handle_search_path(self, cursor: Any = None) -> None:
        if self.transaction_pooling:
            return  # the path travels with each statement (with_search_path)
        issuing = getattr(self, "search_path_set_schemas", None) is None
        if (
            issuing
            and self._session_search_path is not None
            and not self._setting_search_path
            and self.schema_name
            and self._get_cursor_search_paths() == self._session_search_path
        ):
            self.search_path_set_schemas = self._session_search_path
            return
        super()._handle_search_path(cursor)  # type: ignore[no-untyped-call]
        if issuing and self.search_path_set_schemas is not None:  # a SET went through just now
            self._session_search_path = list(self.search_path_set_schemas)

    def connect(self) -> None:
        self._session_search_path = None
        super().connect()

    def close(self) -> None:
        self._session_search_path = None
        super().close()  # type: ignore[no-untyped-call]

    # A SET issued in the rolled-back transaction or after the savepoint is undone. Forgotten
    # after the rollback: the cursor it uses may itself issue a SET the rollback discards.
    def rollback(self) -> None:
        try:
            super().rollback()  # type: ignore[no-untyped-call]
        finally:
            self._session_search_path = None

    def savepoint_rollback(self, sid: str) -> None:
        try:
            super().savepoint_rollback(sid)  # type: ignore[no-untyped-call]
        finally:
            self._session_search_path = None

    def make_cursor(self, cursor: Any) -> Any:
        if self.transaction_pooling:
            return PooledCursorWrapper(cursor, self)
        return super().make_cursor(cursor)

    def make_debug_cursor(self, cursor: Any) -> Any:
        if self.transaction_pooling:
            return PooledCursorDebugWrapper(cursor, self)
        return super().make_debug_cursor(cursor)
