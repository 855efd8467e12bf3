"""The isolation matrix: every API endpoint × every caller, generated from the URL conf.

Each endpoint of the tenant API (`config/urls_tenant.py`, under `/api/v1/`) is called with every
method its view implements, on 合肥 (340100)'s host, against real objects of 340100, by:

- each role of 340100 itself (own),
- the province's admin and supervisor (parent: read-only oversight) and its drafter (a parent role
  that grants no oversight),
- 芜湖 (340200, sibling) and 肥西 (340123, child) admins,
- a provider's staff, and an anonymous caller.

The expected outcome of each cell is in `expected()`: one table, printed on failure. Any 2xx
where a refusal is expected fails, so does any 5xx, and so does an audit entry written by a
refused call. Every call runs in a savepoint that is rolled back, so the world stays the same
for the next one. New endpoints join automatically; a path parameter the table does not know
fails the test until a value for it is added to `PARAMS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver

from core.models import AuditEntry, Notification
from provider_portal.orders.models import Order
from provider_portal.services import provider_add
from reception.figures import Figures
from reception.models import AccompanyingStaff, LetterAttachment, Resource, ScheduleEntry, Task
from reception.services.orders import task_dispatch
from reporting.directives.services import directive_send
from reporting.local.models import ChronicleEntry, ExportJob, Inspection
from reporting.models import Delivery, Report
from tenants.models import Role
from tenants.services import user_ensure
from tests.conftest import api, in_tenant, refused, user
from tests.reception.factories import GuestFactory, PlanItemFactory, TaskFactory, at

HOST_CODE = "340100"
WRITE_METHODS = ("post", "put", "patch", "delete")
METHODS = ("get", *WRITE_METHODS)
#: Routes of the tenant URL conf that are not tenant data: sign-in, the caller's own profile and
#: the public directory of jurisdictions. They are covered by tests/core and tests/tenants.
NOT_TENANT_DATA = {"api/v1/auth/login/", "api/v1/auth/logout/", "api/v1/me/", "api/v1/jurisdictions/"}


@dataclass(frozen=True)
class Caller:
    name: str
    relation: str  # own | parent_oversight | parent_other | sibling | child | provider | anonymous
    username: str | None
    role: str | None = None


CALLERS = [
    *(Caller(f"own:{role}", "own", f"{HOST_CODE}-{role}", role) for role in Role.values),
    Caller("parent:admin", "parent_oversight", "340000-admin"),
    Caller("parent:supervisor", "parent_oversight", "340000-supervisor"),
    Caller("parent:drafter", "parent_other", "340000-drafter"),
    Caller("sibling:admin", "sibling", "340200-admin"),
    Caller("child:admin", "child", "340123-admin"),
    Caller("provider", "provider", "matrix-provider-staff"),
    Caller("anonymous", "anonymous", None),
]


@dataclass(frozen=True)
class Endpoint:
    route: str  # e.g. "api/v1/tasks/<int:task_id>/items/"
    view_class: Any
    methods: tuple[str, ...]


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def tenant_endpoints() -> list[Endpoint]:
    endpoints = []
    for route, callback in _walk(get_resolver("config.urls_tenant").url_patterns):
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if not route.startswith("api/v1/") or route in NOT_TENANT_DATA or view_class is None:
            continue
        methods = tuple(m for m in METHODS if hasattr(view_class, m))
        endpoints.append(Endpoint(route, view_class, methods))
    return endpoints


# --- The world: real objects of 340100 for every path parameter ---------------------------


@pytest.fixture
def world(tree: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = str(tmp_path)
    stored = default_storage.save("letters/matrix.pdf", ContentFile(b"%PDF-1.4 matrix"))
    hotel, _created = provider_add(actor=None, name="矩阵宾馆", kind="hotel", serves=[tree[HOST_CODE]])
    staff, _created = user_ensure(username="matrix-provider-staff", password="Matrix-pass-2026!")
    provider_add(actor=None, name="矩阵宾馆", kind="hotel", serves=[], staff_user=staff)
    with in_tenant(HOST_CODE):
        task = TaskFactory()
        guest = GuestFactory(task=task)
        item = PlanItemFactory(task=task, provider=hotel)
        companion = AccompanyingStaff.objects.create(task=task, name="陪同甲", unit="市政府办公室", post="科长")
        attachment = LetterAttachment.objects.create(
            letter=task.letter, file=stored, original_name="matrix.pdf", content_type="application/pdf", size=10
        )
        entry = ScheduleEntry.objects.create(
            task=task, starts_at=at(9), ends_at=at(10), title="座谈", venue="市政府", created_by=user("340100-drafter")
        )
        resource = Resource.objects.create(kind="hotel", name="矩阵宾馆", created_by=user("340100-admin"))
        # An order: the task in progress, dispatched by its handler.
        Task.objects.filter(pk=task.pk).update(status="in_progress", handler=user("340100-handler"))
        task_dispatch(actor=user("340100-handler"), jurisdiction=tree[HOST_CODE], task_id=task.pk)
        order = Order.objects.get()
        job = ExportJob.objects.create(params={}, file_format="csv", created_by=user("340100-finance"))
        chronicle = ChronicleEntry.objects.create(date=task.start_date, title="大事记", created_by=user("340100-admin"))
        inspection = Inspection.objects.create(
            subordinate_code="340123",
            subordinate_name="肥西县",
            title="年度检查",
            inspected_on=task.start_date,
            created_by=user("340100-supervisor"),
        )
        directive = directive_send(
            actor=user("340100-admin"), sender=tree[HOST_CODE], kind="notice", title="通知", targets=["340123"]
        )
    with in_tenant("340000"):
        received = directive_send(
            actor=user("340000-admin"), sender=tree["340000"], kind="notice", title="上级通知", targets=[HOST_CODE]
        )
    # A failed message of 340100's outbox (retry answers 200 to its admins only).
    message = Notification.objects.create(
        channel="email",
        address="x@example.gov.cn",
        jurisdiction_code=HOST_CODE,
        task_id=task.pk,
        event="matrix",
        subject="s",
        body="b",
        key="matrix:1",
        status="failed",
    )
    report = Report.objects.create(
        jurisdiction=tree["340123"],
        period="2026-05",
        figures=Figures(receptions=1, guests=2).as_json(),
        submitted_by=user("340123-finance"),
    )
    return {
        "order": order,
        "message": message,
        "job": job,
        "chronicle": chronicle,
        "inspection": inspection,
        "directive": directive,
        "delivery": Delivery.objects.get(directive=received),
        "report": report,
        "task": task,
        "letter": task.letter,
        "guest": guest,
        "item": item,
        "companion": companion,
        "attachment": attachment,
        "entry": entry,
        "resource": resource,
        "provider": hotel,
    }


#: A value for each path parameter: (parameter, context) → world → value, the first entry whose
#: context is None or appears in the route before the parameter. Placeholders (never an
#: existing id) stand where making the object would not add a case: a refusal must come first.
PARAMS: list[tuple[str, str | None, Callable[[dict[str, Any]], Any]]] = [
    ("letter_id", None, lambda w: w["letter"].pk),
    ("task_id", None, lambda w: w["task"].pk),
    ("attachment_id", "directives", lambda w: 999999),
    ("attachment_id", "letters", lambda w: w["attachment"].pk),
    ("object_id", "guests", lambda w: w["guest"].pk),
    ("object_id", "items", lambda w: w["item"].pk),
    ("object_id", "accompanying", lambda w: w["companion"].pk),
    ("entry_id", "schedule", lambda w: w["entry"].pk),
    ("entry_id", "chronicle", lambda w: w["chronicle"].pk),
    ("provider_id", None, lambda w: w["provider"].pk),
    ("resource_id", None, lambda w: w["resource"].pk),
    ("order_id", None, lambda w: w["order"].pk),
    ("delivery_id", None, lambda w: w["delivery"].pk),
    ("directive_id", None, lambda w: w["directive"].pk),
    ("report_id", None, lambda w: w["report"].pk),
    ("job_id", None, lambda w: w["job"].pk),
    ("inspection_id", None, lambda w: w["inspection"].pk),
    ("area", None, lambda w: "rules"),
    ("message_id", None, lambda w: w["message"].pk),
    ("user_id", "members", lambda w: user("340100-drafter").pk),
]
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def concrete_path(route: str, world: dict[str, Any]) -> str:
    parts = route.split("/")
    for index, part in enumerate(parts):
        for name in PARAM.findall(part):
            prefix = "/".join(parts[:index])
            value_of = next(
                (value for param, context, value in PARAMS if param == name and (context is None or context in prefix)),
                None,
            )
            if value_of is None:
                pytest.fail(f"the isolation matrix has no value for <{name}> in {route}: add one to PARAMS")
            part = PARAM.sub(str(value_of(world)), part, count=1)
        parts[index] = part
    return "/" + "/".join(parts)


# --- The table of expected outcomes --------------------------------------------------------

REFUSED = frozenset({403, 404})


def declared_roles(endpoint: Endpoint, method: str) -> frozenset[str]:
    from tenants.permissions import allowed_roles

    view = endpoint.view_class()
    view.kwargs = {}

    class _Request:
        pass

    request = _Request()
    request.method = method.upper()  # type: ignore[attr-defined]
    return allowed_roles(view, request)  # type: ignore[arg-type]


def expected(endpoint: Endpoint, method: str, caller: Caller) -> tuple[str, Callable[[int], bool]]:
    """(description, check of the status code) for one cell of the matrix."""
    write = method in WRITE_METHODS
    if caller.relation == "anonymous":
        return "401", lambda status: status == 401
    if caller.relation in {"sibling", "child", "provider", "parent_other"}:
        return "403/404", lambda status: status in REFUSED
    if caller.relation == "parent_oversight":
        if write:
            return "403/404/405", lambda status: status in REFUSED | {405}
        return "read or refused (<500)", lambda status: status < 500 and status != 401
    # Own roles: a role the endpoint does not declare is refused; a declared one is not a 5xx.
    if caller.role not in declared_roles(endpoint, method):
        return "403/404", lambda status: status in REFUSED
    return "allowed (<500)", lambda status: status < 500 and status != 401


def _close_stream(response: Any) -> None:
    """Close a download's open file (closing the response itself would also close the database
    connection, through request_finished)."""
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
        for close in response._resource_closers:
            close()


def test_the_matrix_covers_the_whole_tenant_api() -> None:
    routes = {e.route for e in tenant_endpoints()}
    # Spot checks that the walk sees every part of the URL conf, not that the list is fixed.
    assert "api/v1/tasks/" in routes
    assert "api/v1/tasks/<int:task_id>/submit/" in routes
    assert "api/v1/tasks/<int:task_id>/reception-list/return/" in routes
    assert "api/v1/jurisdiction/" in routes
    assert len(routes) >= 40


def test_every_endpoint_every_caller(world: dict[str, Any]) -> None:
    clients = {c.name: api(HOST_CODE, c.username) for c in CALLERS}
    rows: list[tuple[str, str, str, str, int, bool]] = []
    for endpoint in tenant_endpoints():
        path = concrete_path(endpoint.route, world)
        for method in endpoint.methods:
            for caller in CALLERS:
                description, check = expected(endpoint, method, caller)
                connection.set_schema_to_public()
                audit_before = AuditEntry.objects.count()
                savepoint = transaction.savepoint()
                try:
                    response = getattr(clients[caller.name], method)(path, {}, format="json")
                    _close_stream(response)
                    connection.set_schema_to_public()
                    audit_after = AuditEntry.objects.count()
                finally:
                    transaction.savepoint_rollback(savepoint)
                ok = check(response.status_code)
                if ok and description in {"403/404", "401", "403/404/405"} and audit_after != audit_before:
                    ok = False  # refused, but something was written
                rows.append((endpoint.route, method.upper(), caller.name, description, response.status_code, ok))
    failures = [row for row in rows if not row[5]]
    assert len(rows) > 500
    if failures:
        table = "\n".join(f"{m:6} {r:60} {c:18} expected {d:24} got {s}" for r, m, c, d, s, _ok in failures)
        pytest.fail(f"{len(failures)} of {len(rows)} cells of the isolation matrix are wrong:\n{table}")


def test_a_file_missing_from_storage_is_a_clear_404(world: dict[str, Any]) -> None:
    """Regression (found by the matrix): a download whose file is gone from storage was a 500."""
    default_storage.delete(world["attachment"].file.name)
    letter, attachment = world["letter"].pk, world["attachment"].pk
    response = api(HOST_CODE, "340100-drafter").get(f"/api/v1/letters/{letter}/attachments/{attachment}/")
    refused(response, 404, "file_missing")


# --- The public host: the provider portal and onboarding ------------------------------------


@dataclass(frozen=True)
class PublicCaller:
    name: str
    username: str | None
    kind: str  # provider | other_provider | reviewer (an admin above the application) | member | anonymous


PUBLIC_CALLERS = [
    PublicCaller("provider", "matrix-provider-staff", "provider"),
    PublicCaller("other provider", "matrix-other-staff", "other_provider"),
    PublicCaller("340000-admin", "340000-admin", "reviewer"),
    PublicCaller("340100-admin", "340100-admin", "reviewer"),
    PublicCaller("340100-drafter", "340100-drafter", "member"),
    PublicCaller("340200-admin", "340200-admin", "member"),
    PublicCaller("anonymous", None, "anonymous"),
]


def public_endpoints() -> list[Endpoint]:
    endpoints = []
    for route, callback in _walk(get_resolver("config.urls_public").url_patterns):
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if not route.startswith("api/v1/") or route in NOT_TENANT_DATA or view_class is None:
            continue
        endpoints.append(Endpoint(route, view_class, tuple(m for m in METHODS if hasattr(view_class, m))))
    return endpoints


def public_expected(route: str, method: str, caller: PublicCaller) -> tuple[str, Callable[[int], bool]]:
    allowed: tuple[str, Callable[[int], bool]] = ("allowed (<500)", lambda status: status < 500 and status != 401)
    refused: tuple[str, Callable[[int], bool]] = ("403/404", lambda status: status in REFUSED)
    if route.startswith("api/v1/provider/"):
        if caller.kind == "anonymous":
            return "401", lambda status: status == 401
        # The lists (inbox, agreed prices) answer every provider with its own rows.
        own_lists = ("api/v1/provider/orders/", "api/v1/provider/prices/")
        if caller.kind == "provider" or (caller.kind == "other_provider" and route in own_lists):
            return allowed
        return refused
    if route == "api/v1/onboarding/applications/" and method == "post":
        return allowed  # anyone may apply
    if caller.kind == "anonymous":
        return "401/404", lambda status: status in {401, 404}
    if route == "api/v1/onboarding/applications/" or caller.kind == "reviewer":
        return allowed
    return refused


@pytest.fixture
def public_world(world: dict[str, Any], tree: dict[str, Any]) -> dict[str, Any]:
    from tenants.onboarding import application_submit
    from tests.tenants.onboarding_helpers import application

    staff, _created = user_ensure(username="matrix-other-staff", password="Matrix-pass-2026!")
    provider_add(actor=None, name="矩阵外地宾馆", kind="hotel", serves=[tree["340200"]], staff_user=staff)
    submitted, _token = application_submit(data=application())
    return {**world, "application": submitted}


def test_every_public_endpoint_every_caller(public_world: dict[str, Any]) -> None:
    params = [
        *PARAMS,
        ("application_id", None, lambda w: w["application"].pk),
        # SMS gateways' receipts: a wrong token is a 404 for every caller (tests/core/test_sms_receipts.py).
        ("vendor", None, lambda w: "aliyun"),
        ("token", None, lambda w: "not-the-receipt-token"),
    ]
    clients = {c.name: api(None, c.username) for c in PUBLIC_CALLERS}
    rows = []
    order_id = str(public_world["order"].pk)
    for endpoint in public_endpoints():
        path = "/" + PARAM.sub(lambda m: str(next(v for p, _c, v in params if p == m[1])(public_world)), endpoint.route)
        for method in endpoint.methods:
            for caller in PUBLIC_CALLERS:
                description, check = public_expected(endpoint.route, method, caller)
                connection.set_schema_to_public()
                savepoint = transaction.savepoint()
                try:
                    response = getattr(clients[caller.name], method)(path, {}, format="json")
                    connection.set_schema_to_public()
                finally:
                    transaction.savepoint_rollback(savepoint)
                ok = check(response.status_code)
                if caller.kind == "other_provider" and response.status_code == 200:
                    ok = ok and order_id not in response.content.decode()  # never another provider's order
                rows.append((endpoint.route, method.upper(), caller.name, description, response.status_code, ok))
    failures = [row for row in rows if not row[5]]
    assert len(rows) >= 70
    if failures:
        table = "\n".join(f"{m:6} {r:60} {c:18} expected {d:24} got {s}" for r, m, c, d, s, _ok in failures)
        pytest.fail(f"{len(failures)} of {len(rows)} cells of the public matrix are wrong:\n{table}")
