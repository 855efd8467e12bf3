"""Isolation: a provider sees only its own orders of the jurisdictions it serves, and only what it
needs of them; a provider token opens no tenant endpoint; another jurisdiction's staff open none
of the new tenant endpoints; staff cannot use the provider portal."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from provider_portal.models import OrderIndex
from tests.conftest import api, in_tenant, refused
from tests.provider_portal.conftest import make_task, provider_api, staff_api

pytestmark = pytest.mark.django_db


def dispatched(code: str, providers: dict[str, Any], title: str) -> Any:
    task = make_task(code, providers, title=title)
    assert staff_api(code, "handler").post(f"/api/v1/tasks/{task.pk}/dispatch/", {}, format="json").status_code == 200
    return task


def inbox(username: str) -> list[dict[str, Any]]:
    return provider_api(username).get("/api/v1/provider/orders/").json()["results"]


def test_one_inbox_across_the_jurisdictions_served_and_nothing_else(providers: dict[str, Any]) -> None:
    dispatched("340100", providers, "合肥任务")
    dispatched("340123", {"hotel": providers["hotel"]}, "肥西任务")  # the restaurant does not serve 肥西
    hotel = inbox("p-hotel")
    assert sorted((r["jurisdiction_code"], r["task_title"], r["kind"]) for r in hotel) == [
        ("340100", "合肥任务", "lodging"),
        ("340123", "肥西任务", "lodging"),
    ]
    assert set(hotel[0]) == {
        "id", "jurisdiction_code", "jurisdiction_name", "task_title", "kind", "starts_at", "ends_at", "venue",
        "status", "withdraw_reason", "created_at",
    }  # fmt: skip
    restaurant = inbox("p-restaurant")
    assert [(r["jurisdiction_code"], r["kind"]) for r in restaurant] == [("340100", "meal")]
    assert inbox("p-wuhu") == []
    # Another provider's order is not found, whatever the action.
    for order in hotel:
        for username in ("p-restaurant", "p-wuhu"):
            client = provider_api(username)
            assert client.get(f"/api/v1/provider/orders/{order['id']}/").status_code == 404
            for action in ("accept", "decline", "fulfil", "costs"):
                assert client.post(
                    f"/api/v1/provider/orders/{order['id']}/{action}/", {}, format="json"
                ).status_code in (
                    400,
                    404,
                )
    assert set(OrderIndex.objects.values_list("status", flat=True)) == {"sent"}
    unknown = provider_api("p-hotel").post(f"/api/v1/provider/orders/{uuid.uuid4()}/accept/")
    refused(unknown, 404, "not_found")


def test_a_provider_sees_the_itinerary_it_needs_and_nothing_of_the_guests(providers: dict[str, Any]) -> None:
    dispatched("340100", providers, "合肥任务")
    order = inbox("p-hotel")[0]
    response = provider_api("p-hotel").get(f"/api/v1/provider/orders/{order['id']}/")
    body = response.json()
    assert body["venue"] == "稻香楼宾馆3号楼" and body["room_type"] == "standard" and body["quantity"] == 4
    assert body["headcount"] == body["guests_count"] + body["accompanying_count"]
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("13800000000", "王明", "李华", "张三", "handler", "徽园餐厅"):
        assert secret not in text
    assert "task" not in body and "item" not in body


def _tenant_api_paths() -> list[str]:
    """Every tenant API route with sample arguments."""
    resolver = get_resolver("config.urls_tenant")
    paths: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and route.startswith("api/v1/"):
                route = re.sub(r"<uuid:[a-z_]+>", str(uuid.uuid4()), route)
                route = re.sub(r"<int:[a-z_]+>", "1", route)
                route = re.sub(r"<(str:)?[a-z_]+>", "x", route)
                paths.append("/" + route.lstrip("^").rstrip("$"))

    walk(resolver.url_patterns, "")
    return sorted(set(paths))


PUBLIC_TENANT_ROUTES = {"/api/v1/auth/login/", "/api/v1/auth/logout/", "/api/v1/me/", "/api/v1/jurisdictions/"}


def test_a_provider_token_opens_no_tenant_endpoint(providers: dict[str, Any]) -> None:
    task = dispatched("340100", providers, "合肥任务")
    paths = [p for p in _tenant_api_paths() if p not in PUBLIC_TENANT_ROUTES]
    assert "/api/v1/tasks/1/orders/" in paths and "/api/v1/providers/" in paths
    order_id = inbox("p-hotel")[0]["id"]
    paths += [
        f"/api/v1/tasks/{task.pk}/orders/",
        f"/api/v1/orders/{order_id}/",
        f"/api/v1/orders/{order_id}/approve-cost/",
    ]
    for code in ("340100", "340123", "340200"):
        client = api(code, "p-hotel")
        for path in paths:
            for method in ("get", "post", "patch", "delete"):
                status = getattr(client, method)(path, {}, format="json").status_code
                assert status in (401, 403, 404), (code, method, path, status)


NEW_TENANT_ENDPOINTS = [
    ("get", "/api/v1/providers/"),
    ("post", "/api/v1/providers/"),
    ("get", "/api/v1/providers/catalogue/"),
    ("put", "/api/v1/providers/{provider}/"),
    ("delete", "/api/v1/providers/{provider}/"),
    ("post", "/api/v1/tasks/{task}/dispatch/"),
    ("post", "/api/v1/tasks/{task}/complete/"),
    ("get", "/api/v1/tasks/{task}/orders/"),
    ("get", "/api/v1/orders/{order}/"),
    ("post", "/api/v1/orders/{order}/approve-cost/"),
    ("post", "/api/v1/orders/{order}/return-cost/"),
    ("get", "/api/v1/tasks/{task}/reception-list/"),
    ("post", "/api/v1/tasks/{task}/reception-list/"),
    ("post", "/api/v1/tasks/{task}/reception-list/approve/"),
    ("get", "/api/v1/tasks/{task}/reception-list.pdf"),
    ("get", "/api/v1/tasks/{task}/reimbursement.pdf"),
    ("get", "/api/v1/tasks/{task}/evaluation-links/"),
    ("get", "/api/v1/tasks/{task}/evaluations/"),
]


@pytest.mark.parametrize("role", ["admin", "handler", "finance", "reviewer", "drafter"])
def test_another_jurisdictions_staff_open_none_of_the_new_endpoints(providers: dict[str, Any], role: str) -> None:
    task = dispatched("340100", providers, "合肥任务")
    order_id = inbox("p-hotel")[0]["id"]
    client = api("340100", f"340200-{role}")
    for method, template in NEW_TENANT_ENDPOINTS:
        path = template.format(task=task.pk, order=order_id, provider=providers["hotel"].pk)
        status = getattr(client, method)(path, {}, format="json").status_code
        assert status in (403, 404), (role, method, path, status)
    with in_tenant("340100"):
        from provider_portal.orders.models import Order

        assert set(Order.objects.values_list("status", flat=True)) == {"sent"}


def test_staff_and_strangers_cannot_use_the_provider_portal(providers: dict[str, Any]) -> None:
    dispatched("340100", providers, "合肥任务")
    order_id = inbox("p-hotel")[0]["id"]
    assert api(None).get("/api/v1/provider/orders/").status_code == 401
    for username in ("340100-handler", "340100-admin", "340000-admin"):
        client = api(None, username)
        assert client.get("/api/v1/provider/orders/").status_code == 403
        refused(client.post(f"/api/v1/provider/orders/{order_id}/accept/"), 403, "permission_denied")
    # The portal lives on the public host only.
    assert api("340100", "p-hotel").get("/api/v1/provider/orders/").status_code == 404
    assert OrderIndex.objects.get(pk=order_id).status == "sent"
