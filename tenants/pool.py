"""A small pool of spare schemas, cloned ahead of time so that onboarding only renames one.

Cloning the template takes 0.7–1 s and grows with the number of schemas in the database;
renaming a schema (`ALTER SCHEMA … RENAME TO …`) takes milliseconds. The Celery beat task
`tenants.spare_pool_refill` keeps `TENANT_SPARE_POOL_SIZE` spares ready; an approval claims one
inside its own transaction (so a failed onboarding gives the spare back by rolling back).

Each spare records the fingerprint of the migrations it was cloned with. A spare whose
fingerprint is not the code's is never claimed; `migrate` drops such spares and makes new
ones from the freshly migrated template. A claimed spare's own migration table is compared
with the code's once more before the rename, so a stale spare can never become a tenant.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_exists

from core.db.locks import exclusive_run
from tenants.models import SpareSchema
from tenants.provisioning import _quote, applied_migrations, code_migrations, schema_clone, template_state
from tenants.schema import activate_public

logger = logging.getLogger("tenants.pool")

SPARE_PREFIX = "spare_"
# Advisory lock key of the refill (one refill at a time across workers): "spar" in ASCII.
_REFILL_LOCK = 0x73706172


def pool_size() -> int:
    return max(0, int(getattr(settings, "TENANT_SPARE_POOL_SIZE", 2)))


def fingerprint(migrations: Iterable[tuple[str, str]]) -> str:
    joined = "\n".join(sorted(f"{app}.{name}" for app, name in migrations))
    return hashlib.sha256(joined.encode()).hexdigest()


def code_fingerprint() -> str:
    return fingerprint(code_migrations())


def spare_count() -> int:
    """Spares usable now (cloned with the code's migrations)."""
    return SpareSchema.objects.filter(fingerprint=code_fingerprint()).count()


def spare_create() -> SpareSchema:
    """Clone the (checked) template into a new spare schema, in its own transaction."""
    activate_public()
    name = f"{SPARE_PREFIX}{secrets.token_hex(6)}"
    with transaction.atomic():
        schema_clone(name)  # refuses a stale template
        return SpareSchema.objects.create(name=name, fingerprint=code_fingerprint())


def spare_pool_invalidate() -> int:
    """Drop spares cloned from another template, spare rows without a schema and spare schemas
    without a row (left by a crash between clone and commit cannot happen: both are one
    transaction; this covers manual drops). Returns the number of spares dropped."""
    activate_public()
    current = code_fingerprint()
    dropped = 0
    with transaction.atomic():
        for spare in SpareSchema.objects.select_for_update(skip_locked=True):
            if spare.fingerprint != current or not schema_exists(spare.name):
                _drop(spare.name)
                spare.delete()
                dropped += 1
        known = set(SpareSchema.objects.values_list("name", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [SPARE_PREFIX + "%"])
            orphans = [row[0] for row in cursor.fetchall() if row[0] not in known]
        for name in orphans:
            _drop(name)
            dropped += 1
    return dropped


def spare_pool_refill(size: int | None = None) -> int:
    """Drop stale spares, then clone until `size` usable spares exist; returns how many were made.

    Only one refill runs at a time (an advisory lock; a second caller returns 0 at once).
    A stale template makes nothing (logged): `migrate` brings it up to date and refills.
    """
    wanted = pool_size() if size is None else size
    activate_public()
    made = 0
    with exclusive_run(_REFILL_LOCK) as acquired:  # one refill at a time across every worker
        if not acquired:
            return 0
        spare_pool_invalidate()
        if not template_state().current:
            logger.warning("template schema is not current; spare pool left empty until migrate")
            return 0
        while spare_count() < wanted:
            spare_create()
            made += 1
    return made


def spare_claim(schema_name: str) -> bool:
    """Rename a usable spare to `schema_name`; call inside the onboarding transaction.

    Returns False when no spare is ready (the caller clones instead). Skips spares another
    transaction is claiming (`SKIP LOCKED`), so concurrent approvals never share one.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("spare_claim must run inside the provisioning transaction")
    expected = code_migrations()
    current = fingerprint(expected)
    while True:
        spare = (
            SpareSchema.objects.select_for_update(skip_locked=True)
            .filter(fingerprint=current)
            .order_by("created_at", "id")
            .first()
        )
        if spare is None:
            return False
        usable = schema_exists(spare.name) and applied_migrations(spare.name) == expected
        if not usable:  # dropped by hand or changed since: never use it
            _drop(spare.name)
            spare.delete()
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER SCHEMA {_quote(spare.name)} RENAME TO {_quote(schema_name)}")
        spare.delete()
        return True


def spare_pool_clear() -> int:
    """Drop every spare (tests, benchmarks, `spare_pool --clear`)."""
    activate_public()
    count = 0
    with transaction.atomic():
        for spare in SpareSchema.objects.select_for_update():
            _drop(spare.name)
            spare.delete()
            count += 1
    return count


def _drop(name: str) -> None:
    if not name.startswith(SPARE_PREFIX):
        raise ValueError(f"not a spare schema: {name}")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(name)} CASCADE")
