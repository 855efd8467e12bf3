"""The access cache (core/db/notified.py): a web process keeps the host, token, user and
membership rows it read, and PostgreSQL's NOTIFY empties it whenever any of them changes.

These tests commit (NOTIFY is delivered at commit only): they make their own user, membership and
token in jurisdiction 340300 and remove them afterwards. Every way round the cache an auditor
would try is here: a role taken away, a jurisdiction suspended, a token signed out, a user
deactivated, a read overlapping a change, a listener that lost its connection, no listener at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.db.notified import LISTENER, MISSING, NotifiedCache, access_cache
from core.models import User
from tenants.models import Jurisdiction, Membership, Role
from tests.conftest import HOSTS, count_queries, refused

TASKS = "/api/v1/tasks/"
CODE = "340300"
USERNAME = "cache-drafter"


def _eventually(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def _notified_since(generation: int) -> bool:
    return _eventually(lambda: access_cache.generation != generation)


@pytest.fixture
def cache_on(settings: Any, committed: Jurisdiction) -> Iterator[dict[str, Any]]:
    """The cache listening, and a drafter of 340300 with a token (committed, removed afterwards)."""
    settings.ACCESS_CACHE = True
    access_cache.stop()
    member = User.objects.create_user(username=USERNAME, password="x")
    Membership.objects.create(user=member, jurisdiction=committed, role=Role.DRAFTER)
    _instance, token = AuthToken.objects.create(user=member)
    client = APIClient(HTTP_HOST=HOSTS[CODE])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert _eventually(access_cache.enabled), "the listener did not start"
    try:
        yield {"client": client, "user": member, "jurisdiction": committed, "token": token}
    finally:
        access_cache.stop()
        connection.set_schema_to_public()
        Jurisdiction.objects.filter(pk=committed.pk).update(status=Jurisdiction.Status.ACTIVE)
        AuthToken.objects.filter(user__username=USERNAME).delete()
        Membership.objects.filter(user__username=USERNAME).delete()
        with connection.cursor() as cursor:  # users are never deleted by the product; this one never acted
            cursor.execute(f"DELETE FROM {User._meta.db_table} WHERE username = %s", [USERNAME])


def _public_reads(client: APIClient) -> tuple[int, list[str]]:
    with count_queries() as statements:
        status = client.get(TASKS).status_code
    return status, [s for s in statements if "tenants_domain" in s or "knox_authtoken" in s]


def test_a_second_request_reads_neither_the_host_nor_the_token(cache_on: dict[str, Any]) -> None:
    client = cache_on["client"]
    status, reads = _public_reads(client)
    assert status == 200 and len(reads) == 2  # host, then token with memberships
    status, reads = _public_reads(client)
    assert status == 200 and reads == []


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ("role_removed", 403, "permission_denied"),
        ("jurisdiction_suspended", 503, "suspended"),
        ("token_signed_out", 401, "authentication_failed"),
        ("user_deactivated", 401, "authentication_failed"),
    ],
)
def test_a_change_takes_effect_at_the_next_request(
    cache_on: dict[str, Any], change: str, status: int, code: str
) -> None:
    client, member = cache_on["client"], cache_on["user"]
    assert client.get(TASKS).status_code == 200
    assert _public_reads(client) == (200, [])  # served from the cache
    generation = access_cache.generation
    if change == "role_removed":
        Membership.objects.filter(user=member).delete()
    elif change == "jurisdiction_suspended":
        Jurisdiction.objects.filter(code=CODE).update(status=Jurisdiction.Status.SUSPENDED)
    elif change == "token_signed_out":
        AuthToken.objects.filter(user=member).delete()
    else:
        User.objects.filter(pk=member.pk).update(is_active=False)
    assert _notified_since(generation), "no notification within 5 s"
    refused(client.get(TASKS), status, code)


def test_a_read_that_overlaps_a_change_is_not_kept(cache_on: dict[str, Any]) -> None:
    generation = access_cache.begin()
    assert generation is not None
    access_cache.invalidate()  # a notification arrives while the request reads
    access_cache.put(("probe",), "stale", generation)
    assert access_cache.get(("probe",)) is MISSING
    access_cache.put(("probe",), "current", access_cache.begin())
    assert access_cache.get(("probe",)) == "current"


def test_a_listener_that_loses_its_connection_caches_nothing_until_it_is_back(cache_on: dict[str, Any]) -> None:
    client = cache_on["client"]
    client.get(TASKS)
    assert _public_reads(client) == (200, [])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [LISTENER])
        assert cursor.fetchone() is not None
    # Cleared at once when the listener notices, and back within its retry.
    assert _eventually(lambda: not access_cache.listening or len(access_cache) == 0, seconds=10)
    assert _eventually(lambda: access_cache.listening, seconds=10)
    status, reads = _public_reads(client)
    assert status == 200 and len(reads) == 2  # read afresh after the reconnection
    assert _public_reads(client) == (200, [])


def test_behind_a_transaction_pooler_without_a_direct_address_nothing_is_cached(settings: Any) -> None:
    settings.ACCESS_CACHE = True
    settings.DATABASE_POOLING = "transaction"
    settings.DATABASE_LISTEN_URL = ""
    cache = NotifiedCache()
    try:
        assert not _eventually(cache.enabled, seconds=1)
        cache.put(("probe",), "value", cache.begin())
        assert cache.get(("probe",)) is MISSING
    finally:
        cache.stop()


def test_off_unless_configured(settings: Any) -> None:
    settings.ACCESS_CACHE = False
    cache = NotifiedCache()
    assert cache.begin() is None and cache.get(("probe",)) is MISSING
    assert cache._thread is None  # no listener started


def test_a_renewed_token_is_not_written_again_on_every_request(cache_on: dict[str, Any], settings: Any) -> None:
    """knox renews a token's expiry at most once a refresh interval; the cached row follows the
    renewal this process wrote, so the next requests neither write nor read the token."""
    client, member = cache_on["client"], cache_on["user"]
    AuthToken.objects.filter(user=member).update(expiry=timezone.now() + timedelta(hours=1))
    generation = access_cache.generation
    with count_queries() as first:
        assert client.get(TASKS).status_code == 200  # read, found short of its lifetime, renewed
    assert len([s for s in first if s.startswith("UPDATE") and "knox_authtoken" in s]) == 1
    for _ in range(3):
        with count_queries() as later:
            assert client.get(TASKS).status_code == 200
        assert [s for s in later if "knox_authtoken" in s] == []
    assert access_cache.generation == generation  # a renewal notifies nobody


def test_a_renewal_does_not_put_back_an_entry_read_again_since(cache_on: dict[str, Any]) -> None:
    """The renewing request replaces the entry it read, never one a later read put there."""
    first = [("row",)]
    access_cache.put(("probe",), first, access_cache.begin())
    access_cache.invalidate()  # a change: emptied, then read again by another request
    again = [("fresh row",)]
    access_cache.put(("probe",), again, access_cache.begin())
    access_cache.replace(("probe",), first, [("renewed old row",)])
    assert access_cache.get(("probe",)) is again
    access_cache.replace(("probe",), again, [("renewed fresh row",)])
    assert access_cache.get(("probe",)) == [("renewed fresh row",)]
