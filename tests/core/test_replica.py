"""core.db.replica: reporting reads go to the read replica, writes never, a client reads its own
writes, and the replica connection runs in the tenant schema the default one has selected.

No replica here: a `replica` alias is registered for the test as a second connection to the test
database (what `TEST: {"MIRROR": "default"}` gives). Being another session, it cannot see what
the test wrote inside its rolled-back transaction, which is how a test tells where a read went:
a count that includes the test's rows came from the primary, one without them from the replica.
tests/scale/test_replica.py runs a real streaming replica."""

from __future__ import annotations

import copy
import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, router
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from config.celery import app
from core.db.replica import (
    PIN_COOKIE,
    REPLICA,
    ReplicaRouter,
    pin_client,
    pin_primary,
    pinned_by_client,
    reporting_reads,
    request_scope,
)
from reception.models import Task
from reporting.local.models import ChronicleEntry
from tests.conftest import api, in_tenant, user
from tests.reception.factories import TaskFactory

STATISTICS = "/api/v1/statistics/?from=2026-01-01&to=2026-12-31"
CHRONICLE = "/api/v1/chronicle/"


@contextmanager
def _replica_alias() -> Iterator[Any]:
    """A `replica` alias on the test database, as settings build it from DATABASE_REPLICA_URL."""
    settings_dict = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    settings_dict.update(SCHEMA_FOLLOWS=DEFAULT_DB_ALIAS)
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
    connections.settings[REPLICA] = settings_dict
    cache.clear()
    wrapper = connections[REPLICA]
    # Connected here: a test case refuses to open a connection for an alias it was not told of
    # (the alias did not exist when it started), not to use one that is open.
    wrapper.connect()
    try:
        yield wrapper
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        cache.clear()


@pytest.fixture
def replica(db: Any) -> Iterator[Any]:
    # After `db`: an alias known when the test case starts would be refused to it.
    with _replica_alias() as wrapper:
        yield wrapper


def _held_task(code: str = "340100") -> Any:
    with in_tenant(code):
        return TaskFactory(status="completed", start_date=dt.date(2026, 5, 6), end_date=dt.date(2026, 5, 7))


def _receptions(client: Any) -> int:
    response = client.get(STATISTICS)
    assert response.status_code == 200, response.content
    return int(response.json()["totals"]["receptions"])


# --- The router ---------------------------------------------------------------------------


def test_without_a_replica_the_router_answers_nothing(db: Any) -> None:
    assert REPLICA not in connections.settings
    routing = ReplicaRouter()
    with request_scope(), reporting_reads():
        assert routing.db_for_read(Task) is None
        assert routing.db_for_write(Task) is None
        assert router.db_for_read(Task) == DEFAULT_DB_ALIAS


def test_only_marked_reads_go_to_the_replica_and_no_write_ever(replica: Any) -> None:
    routing = ReplicaRouter()
    assert router.db_for_read(Task) == DEFAULT_DB_ALIAS
    with reporting_reads():
        assert router.db_for_read(Task) == REPLICA
        assert router.db_for_write(Task) == DEFAULT_DB_ALIAS
        # credentials are always read from the primary
        from knox.models import AuthToken

        assert router.db_for_read(AuthToken) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Task) == DEFAULT_DB_ALIAS
    assert routing.allow_migrate(REPLICA, "reception") is False
    assert routing.allow_migrate(DEFAULT_DB_ALIAS, "reception") is None


def test_a_write_pins_the_rest_of_the_request_to_the_primary(replica: Any, tree: Any) -> None:
    _held_task()
    with in_tenant("340100"), request_scope() as scope, reporting_reads():
        assert Task.objects.count() == 0  # the replica's session cannot see the test's row
        ChronicleEntry.objects.create(date=dt.date(2026, 5, 6), title="写入")
        assert scope.pinned and scope.wrote
        assert Task.objects.count() == 1  # from the primary now
        assert router.db_for_read(Task) == DEFAULT_DB_ALIAS


def test_saving_a_session_or_token_pins_nothing(replica: Any) -> None:
    from django.contrib.sessions.models import Session
    from knox.models import AuthToken

    with request_scope() as scope, reporting_reads():
        assert router.db_for_write(Session) == DEFAULT_DB_ALIAS
        assert router.db_for_write(AuthToken) == DEFAULT_DB_ALIAS
        assert not scope.pinned and not scope.wrote
        assert router.db_for_read(Task) == REPLICA


def test_the_user_pin_never_loads_a_user_that_is_not_loaded_yet(replica: Any) -> None:
    from django.utils.functional import SimpleLazyObject

    loaded = []
    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: loaded.append(1))  # type: ignore[assignment]
    with request_scope(request), reporting_reads():
        assert router.db_for_read(Task) == REPLICA
    assert loaded == []


def test_pin_primary_for_writes_outside_the_orm(replica: Any) -> None:
    with request_scope() as scope, reporting_reads():
        assert router.db_for_read(Task) == REPLICA
        pin_primary()
        assert scope.wrote
        assert router.db_for_read(Task) == DEFAULT_DB_ALIAS


def test_outside_a_request_a_marked_block_reads_the_replica(replica: Any, tree: Any) -> None:
    _held_task()
    with in_tenant("340100"), reporting_reads():
        assert Task.objects.count() == 0
    with in_tenant("340100"):
        assert Task.objects.count() == 1


# --- The tenant schema of the replica connection ------------------------------------------


def _replica_schema() -> str:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return str(cursor.fetchone()[0])


def test_the_replica_follows_the_default_connections_schema(replica: Any, tree: Any) -> None:
    connection.set_schema_to_public()
    assert _replica_schema() == "public"
    connection.set_tenant(tree["340100"])
    assert _replica_schema() == "j340100"
    with schema_context("j340200"):
        assert _replica_schema() == "j340200"
    assert _replica_schema() == "j340100"
    connection.set_schema_to_public()
    assert _replica_schema() == "public"
    assert connections[REPLICA].tenant is connection.tenant


def test_the_replica_follows_in_transaction_pooling_mode_too(db: Any, tree: Any) -> None:
    default = connections[DEFAULT_DB_ALIAS]
    follower = type(default)(
        {**default.settings_dict, "POOLING": "transaction", "SCHEMA_FOLLOWS": DEFAULT_DB_ALIAS}, alias=REPLICA
    )
    try:
        connection.set_tenant(tree["340200"])
        with follower.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            assert cursor.fetchone()[0] == "j340200"
            connection.set_tenant(tree["340100"])  # switched between two statements of one cursor
            cursor.execute("SELECT current_schema()")
            assert cursor.fetchone()[0] == "j340100"
    finally:
        follower.close()


@app.task(name="tests.core.replica_probe")
def replica_probe() -> dict[str, Any]:
    with reporting_reads():
        titles = sorted(Task.objects.values_list("title", flat=True))
    return {"schema": _replica_schema(), "tenant": connection.schema_name, "titles": titles}


def test_a_celery_task_reads_the_replica_in_its_own_schema(committed: Any) -> None:
    with _replica_alias():
        with schema_context(committed.schema_name):
            TaskFactory(title="蚌埠-任务", status="completed", start_date=dt.date(2026, 5, 6))
        connection.set_schema_to_public()
        with schema_context(committed.schema_name), CaptureQueriesContext(connections[REPLICA]) as queries:
            answer = replica_probe.delay().get()
        assert answer == {"schema": committed.schema_name, "tenant": committed.schema_name, "titles": ["蚌埠-任务"]}
        assert any("reception_task" in q["sql"] for q in queries.captured_queries)
        # reset with the default connection after the task
        assert connection.schema_name == "public"
        assert _replica_schema() == "public"


# --- Requests -----------------------------------------------------------------------------


def test_statistics_are_read_from_the_replica(replica: Any, tree: Any) -> None:
    _held_task()
    client = api("340100", "340100-finance")
    with CaptureQueriesContext(replica) as queries, CaptureQueriesContext(connection) as on_primary:
        assert _receptions(client) == 0
    assert any("reception_task" in q["sql"] for q in queries.captured_queries)
    # the primary only routed the request (host, token, membership): no statistics query
    assert on_primary.captured_queries
    assert not any("reception_" in q["sql"] or "reporting_" in q["sql"] for q in on_primary.captured_queries)
    print(f"statistics request: {len(on_primary)} queries on the primary, {len(queries)} on the replica")


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("340100-finance", "/api/v1/statistics/?format=csv"),
        ("340100-finance", "/api/v1/statistics/report.pdf?year=2026"),
        ("340100-finance", "/api/v1/disclosure/?year=2026"),
        ("340100-admin", "/api/v1/chronicle/?format=xlsx"),
        ("340000-supervisor", "/api/v1/oversight/summary/?period=2026-05"),
        ("340000-supervisor", "/api/v1/oversight/reports/?code=340100"),
        ("340100-finance", "/reporting/"),
        ("340100-finance", "/reporting/disclosure/"),
        ("340000-supervisor", "/reporting/oversight/"),
        ("340000-supervisor", "/reporting/oversight/340100/"),
    ],
)
def test_every_reporting_read_path_is_marked(replica: Any, tree: Any, username: str, path: str) -> None:
    code = username.split("-")[0]
    client = api(code, username)
    if not path.startswith("/api/"):
        client.force_login(user(username))
    with CaptureQueriesContext(replica) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    assert queries.captured_queries, f"{path} read nothing from the replica"


@pytest.mark.parametrize("prefix", ["/api/v1/tasks", "/reception/tasks"], ids=["api", "page"])
@pytest.mark.parametrize("name", ["seating.pdf", "reception-list.pdf", "reimbursement.pdf"])
def test_reception_pdfs_are_read_from_the_replica(replica: Any, tree: Any, prefix: str, name: str) -> None:
    task = _held_task()
    client = api("340100", "340100-finance")
    client.force_login(user("340100-finance"))
    with CaptureQueriesContext(replica) as queries:
        response = client.get(f"{prefix}/{task.pk}/{name}")
    # the replica's session cannot see the test's task: looked up there, not found there
    assert response.status_code == 404
    assert any("reception_task" in q["sql"] for q in queries.captured_queries)


def test_a_client_reads_its_own_writes_after_a_write(replica: Any, tree: Any) -> None:
    _held_task()
    writer = api("340100", "340100-admin")
    assert _receptions(writer) == 0  # replica
    assert PIN_COOKIE not in writer.cookies  # a read pins nobody

    response = writer.post(CHRONICLE, {"date": "2026-05-06", "title": "记事"}, format="json")
    assert response.status_code == 201
    assert PIN_COOKIE in response.cookies
    assert response.cookies[PIN_COOKIE]["max-age"] == 5
    assert _receptions(writer) == 1  # pinned by the cookie: the primary

    # the same user on another device (a token client without cookies): pinned by the cache
    same_user = api("340100", "340100-admin")
    assert _receptions(same_user) == 1
    # someone else still reads the replica
    assert _receptions(api("340100", "340100-finance")) == 0


def test_a_refused_write_pins_nobody(replica: Any, tree: Any) -> None:
    client = api("340100", "340100-admin")
    response = client.post(CHRONICLE, {"date": "not a date"}, format="json")
    assert response.status_code == 400
    assert PIN_COOKIE not in response.cookies
    with in_tenant("340100"):
        assert ChronicleEntry.objects.count() == 0


def test_a_forged_or_stale_pin_cookie_is_ignored(replica: Any) -> None:
    factory = RequestFactory()
    assert not pinned_by_client(factory.get("/"))
    forged = factory.get("/", HTTP_COOKIE=f"{PIN_COOKIE}=1")
    assert not pinned_by_client(forged)

    from django.http import HttpResponse

    response = HttpResponse()
    pin_client(factory.get("/"), response)
    fresh = factory.get("/", HTTP_COOKIE=f"{PIN_COOKIE}={response.cookies[PIN_COOKIE].value}")
    assert pinned_by_client(fresh)

    old = signing.b62_encode(int(time.time()) - 60)
    with mock.patch.object(signing.TimestampSigner, "timestamp", return_value=old):
        stale_response = HttpResponse()
        pin_client(factory.get("/"), stale_response)
    stale = factory.get("/", HTTP_COOKIE=f"{PIN_COOKIE}={stale_response.cookies[PIN_COOKIE].value}")
    assert not pinned_by_client(stale)


def test_without_a_replica_a_write_sets_no_pin(tree: Any) -> None:
    _held_task()
    client = api("340100", "340100-admin")
    assert _receptions(client) == 1
    response = client.post(CHRONICLE, {"date": "2026-05-06", "title": "记事"}, format="json")
    assert response.status_code == 201
    assert PIN_COOKIE not in response.cookies
