"""Reporting reads from a streaming read replica (`DATABASE_REPLICA_URL`), writes never.

Which reads may go to the replica is said explicitly, never guessed from model names: the code
of a statistics, export, PDF or oversight read runs inside `reporting_reads()` (a context manager
and a decorator for view handlers and task bodies). Everything else reads from the primary.

Read-your-writes (docs/scaling.md, "A read replica for reporting"):
- within a request: a request that is not a safe method (POST, PUT, ...) reads only from the
  primary, and so does the rest of any request once it wrote through the ORM (the router sees
  every ORM write; `pin_primary()` for a write made outside the ORM);
- across requests: a request that wrote pins its client to the primary for
  `DATABASE_REPLICA_PIN_SECONDS` (default 5, well above the replica's usual lag), with a signed,
  short-lived cookie (browsers, cookie-keeping clients) and a per-user mark in the cache (token
  clients that keep no cookies; shared across nodes with `CACHE_URL`).
Outside a request (Celery tasks, commands) `reporting_reads()` sends the reads inside it to the
replica: a task marks only reads that do not depend on what it wrote itself.

The replica connection runs in the same tenant schema as the default one: the backend makes it
follow `connections["default"]` (`SCHEMA_FOLLOWS`, core/db/backend/base.py).

Without `DATABASE_REPLICA_URL` there is no `replica` alias and the router answers nothing:
Django routes as it always did.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

REPLICA = "replica"
PIN_COOKIE = "replica_pin"
_PIN_SALT = "core.db.replica.pin"
#: Never read from the replica, even inside `reporting_reads()`: credentials must be current (a
#: token or session issued a moment ago must authenticate). Writing them pins nothing.
PRIMARY_ONLY_APPS = frozenset({"sessions", "knox"})


@dataclass
class _Scope:
    """One request's routing state (or one `reporting_reads()` block's outside a request)."""

    pinned: bool = False  # every read goes to the primary from now on
    wrote: bool = False  # a write went through the router: the client gets a pin
    request: HttpRequest | None = None
    user_checked: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("replica_scope", default=None)
_reporting: ContextVar[bool] = ContextVar("replica_reporting", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def pin_seconds() -> int:
    return int(getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 5))


@contextmanager
def reporting_reads() -> Iterator[None]:
    """Mark the reads inside as reporting reads: they may come from the replica (a few hundred
    milliseconds behind the primary at most, usually). Also a decorator."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


@contextmanager
def request_scope(request: HttpRequest | None = None, *, pinned: bool = False) -> Iterator[_Scope]:
    """The routing state of one request (ReplicaPinMiddleware) or unit of work."""
    scope = _Scope(pinned=pinned, request=request)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def pin_primary() -> None:
    """Read from the primary for the rest of this request (after a write outside the ORM)."""
    scope = _scope.get()
    if scope is not None:
        scope.pinned = scope.wrote = True


def _user_key(user_id: Any) -> str:
    return f"replica-pin:{user_id}"


def _user_pinned(scope: _Scope) -> bool:
    """Whether the request's user wrote within the pin window (checked once per request)."""
    if scope.user_checked or scope.request is None:
        return scope.pinned
    scope.user_checked = True
    user = getattr(scope.request, "user", None)
    if getattr(user, "_wrapped", None) is empty:
        return scope.pinned  # not loaded yet: loading it here would read it from the replica
    if user is not None and user.is_authenticated and cache.get(_user_key(user.pk)):
        scope.pinned = True
    return scope.pinned


class ReplicaRouter:
    """Reporting reads to `replica`, everything else (every write) to `default`."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not replica_configured():
            return None
        if not _reporting.get() or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        scope = _scope.get()
        if scope is not None and (scope.pinned or _user_pinned(scope)):
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        if not replica_configured():
            return None
        scope = _scope.get()
        # A session saved or a token's expiry renewed (knox, once a minute) is bookkeeping that no
        # reporting read depends on: it pins neither the request nor its client.
        if scope is not None and model._meta.app_label not in PRIMARY_ONLY_APPS:
            scope.pinned = scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def pinned_by_client(request: HttpRequest) -> bool:
    """A fresh, validly signed pin cookie (forged or stale ones are ignored)."""
    if PIN_COOKIE not in request.COOKIES:
        return False
    return request.get_signed_cookie(PIN_COOKIE, default=None, salt=_PIN_SALT, max_age=pin_seconds()) is not None


def pin_client(request: HttpRequest, response: HttpResponse) -> None:
    """After a write: this client reads from the primary for the next few seconds."""
    seconds = pin_seconds()
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=_PIN_SALT,
        max_age=seconds,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cache.set(_user_key(user.pk), 1, timeout=seconds)
