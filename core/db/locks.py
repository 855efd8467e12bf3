"""One caller at a time across every process, also behind a transaction-pooling PgBouncer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def exclusive_run(key: int) -> Iterator[bool]:
    """Yield whether this caller holds `key` (without waiting): a transaction-scoped advisory lock
    held by a side connection's open transaction for the whole block. A session lock would not
    survive a transaction-pooling PgBouncer (the unlock could reach another server connection and
    the lock stay behind on the first)."""
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        side.set_autocommit(False)
        with side.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
            acquired = bool(cursor.fetchone()[0])
        yield acquired
    finally:
        try:
            side.rollback()
        finally:
            side.close()
