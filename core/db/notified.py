"""A per-process cache of the rows every API request reads, cleared by PostgreSQL `NOTIFY`.

Every tenant API request reads the same few public rows before it does its own work: the
jurisdiction its host names, and its token with the user and the user's memberships
(`tenants.hosts`, `core.authentication`). Those rows change rarely (a sign-in, a sign-out, a
role given or taken, a jurisdiction suspended), but each read is a round trip to PostgreSQL on
the request's path. Here a web process keeps the rows it read, for as long as it *knows* they
are current:

- Statement-level triggers on the tables the rows come from (migration
  `tenants.0003_access_notify`) send `NOTIFY reception_access` when any of them changes
  (a token's deletion; knox's expiry renewal is not a change the cache has to see, see
  `core.authentication`).
- Each process runs one listener thread on its own connection (`LISTEN reception_access`). On
  every notification it empties the cache; while it is not connected (starting, the server
  restarted, PgBouncer in transaction mode without a direct address) nothing is cached, and
  every request reads PostgreSQL as before.
- A read that overlaps a change is not kept: `begin()` takes the cache's generation before the
  read and `put()` stores only if no notification arrived since (a lock orders the two).

So a suspension, a removed role, a deactivated user or a signed-out token takes effect as soon
as PostgreSQL delivers the notification (milliseconds, `tests/core/test_notified_cache.py`), not
after a lifetime. A lifetime (`ACCESS_CACHE_SECONDS`, 300 s) remains only as a backstop.

Off unless `ACCESS_CACHE` is set (production settings turn it on; the test suite keeps it off,
except for the tests of this module, because its data changes are rolled back, never committed,
so never notified).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time
from collections.abc import Hashable
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

CHANNEL = "reception_access"
#: The listener's `application_name` (pg_stat_activity).
LISTENER = "reception-access-listener"
#: How long the listener waits for a notification before checking its connection again.
_POLL_SECONDS = 5.0
_RETRY_SECONDS = 1.0
_MAX_ENTRIES = 100_000
MISSING: Any = object()


class NotifiedCache:
    """Rows by key, valid while the listener listens; emptied on every notification."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[Hashable, tuple[float, Any]] = {}
        self.generation = 0
        self.listening = False
        self._pid = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = (-1, -1)
        self._unavailable = False

    # --- Reads and writes (request threads) ------------------------------------------------

    def enabled(self) -> bool:
        if not getattr(settings, "ACCESS_CACHE", False):
            return False
        self._ensure_listener()
        return self.listening

    def get(self, key: Hashable) -> Any:
        """The value kept for `key`, or `MISSING`."""
        if not self.enabled():
            return MISSING
        entry = self._data.get(key)
        if entry is None:
            return MISSING
        stored_at, value = entry
        if time.monotonic() - stored_at > settings.ACCESS_CACHE_SECONDS:
            self._data.pop(key, None)
            return MISSING
        return value

    def begin(self) -> int | None:
        """Call before reading PostgreSQL; pass the answer to `put`. None: do not keep it."""
        return self.generation if self.enabled() else None

    def put(self, key: Hashable, value: Any, generation: int | None) -> None:
        """Keep `value` unless a notification arrived since `begin()` answered `generation`."""
        if generation is None:
            return
        with self._lock:
            if not self.listening or generation != self.generation:
                return
            if len(self._data) >= _MAX_ENTRIES:
                self._data.clear()
            self._data[key] = (time.monotonic(), value)

    def replace(self, key: Hashable, old: Any, new: Any) -> None:
        """Update an entry this process itself just made current (e.g. a renewed expiry), only if
        it still holds `old`: an entry emptied or read again since is left as it is."""
        with self._lock:
            entry = self._data.get(key)
            if entry is not None and entry[1] is old:
                self._data[key] = (time.monotonic(), new)

    def invalidate(self) -> None:
        with self._lock:
            self.generation += 1
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    # --- The listener (one thread per process) ---------------------------------------------

    def _ensure_listener(self) -> None:
        pid = os.getpid()
        if self._pid == pid and (self._unavailable or (self._thread is not None and self._thread.is_alive())):
            return
        with self._lock:
            if self._pid == pid and (self._unavailable or (self._thread is not None and self._thread.is_alive())):
                return
            # A forked child inherits the parent's entries but not its thread: start afresh.
            self._pid = pid
            self._data.clear()
            self.generation += 1
            self.listening = False
            self._unavailable = False
            self._stop = threading.Event()
            self._wake = os.pipe()
            self._thread = threading.Thread(
                target=self._listen, args=(self._stop, self._wake[0]), name="access-cache-listener", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop listening (tests): the cache is off until the next `enabled()` restarts it."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            os.write(self._wake[1], b"x")  # out of its select() at once
            thread.join(timeout=_POLL_SECONDS + 1)
            for end in self._wake:
                os.close(end)
        self._thread = None
        self._pid = 0
        self._unavailable = False
        self.listening = False
        self.invalidate()

    def _listen(self, stop: threading.Event, wake: int) -> None:
        while not stop.is_set():
            conn = None
            try:
                conn = _listener_connection()
                if conn is None:  # no direct connection to listen on: never cache
                    self._unavailable = True
                    return
                with conn.cursor() as cursor:
                    cursor.execute(f"LISTEN {CHANNEL}")
                # Whatever changed before LISTEN took effect was not seen: start empty.
                with self._lock:
                    self.generation += 1
                    self._data.clear()
                    self.listening = True
                while not stop.is_set():
                    ready, _w, _x = select.select([conn, wake], [], [], _POLL_SECONDS)
                    if wake in ready:
                        break
                    if not ready:
                        with conn.cursor() as cursor:  # notice a dead connection
                            cursor.execute("SELECT 1")
                    conn.poll()
                    if conn.notifies:
                        conn.notifies.clear()
                        self.invalidate()
            except Exception:  # the listener must outlive any database error
                logger.warning("access cache listener lost its connection; caching off until it is back")
            finally:
                with self._lock:
                    self.listening = False
                    self.generation += 1
                    self._data.clear()
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
            stop.wait(_RETRY_SECONDS)


def _listener_connection() -> Any:
    """A connection of its own, in autocommit, straight to PostgreSQL: behind PgBouncer in
    transaction mode LISTEN does not work, so `DATABASE_LISTEN_URL` must then name the server
    itself (none: the cache stays off)."""
    import psycopg2
    from django.db import connections

    listen_url = getattr(settings, "DATABASE_LISTEN_URL", "")
    if listen_url:
        conn = psycopg2.connect(listen_url, application_name=LISTENER)
    elif getattr(settings, "DATABASE_POOLING", "") == "transaction":
        return None
    else:
        params = connections["default"].get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        conn = psycopg2.connect(**{**params, "application_name": LISTENER})
    conn.autocommit = True
    return conn


#: The process's cache of hosts and tokens (`tenants.hosts`, `core.authentication`).
access_cache = NotifiedCache()
