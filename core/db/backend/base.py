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
each one carries its own path. Without pooling it behaves exactly as django-tenants' backend.
"""

from __future__ import annotations

from typing import Any

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
        if not isinstance(sql, str):
            if not hasattr(sql, "as_string"):
                return sql
            sql = sql.as_string(cursor)  # psycopg2.sql.Composed
        if sql.lstrip()[:25].upper().startswith(_NO_TRANSACTION):
            return sql
        return self.search_path_prefix + sql

    def _handle_search_path(self, cursor: Any = None) -> None:
        if not self.transaction_pooling:
            super()._handle_search_path(cursor)  # type: ignore[no-untyped-call]

    def make_cursor(self, cursor: Any) -> Any:
        if self.transaction_pooling:
            return PooledCursorWrapper(cursor, self)
        return super().make_cursor(cursor)

    def make_debug_cursor(self, cursor: Any) -> Any:
        if self.transaction_pooling:
            return PooledCursorDebugWrapper(cursor, self)
        return super().make_debug_cursor(cursor)
