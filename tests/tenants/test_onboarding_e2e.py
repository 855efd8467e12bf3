"""End to end: apply → approve → active within seconds → the new admin works on the new host →
the province oversees it → another city cannot read it."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import api, refused
from tests.tenants.onboarding_helpers import STRONG, applied, approve, status_of

pytestmark = pytest.mark.django_db

NEW_HOST = "lujiang.localhost"


def test_apply_approve_active_login_oversight_isolation(tree, django_capture_on_commit_callbacks):
    cache.clear()
    # apply (anonymous, public host)
    application_id, token = applied()
    assert status_of(application_id, token)["status"] == "applied"
    # the host does not answer yet
    assert APIClient(HTTP_HOST=NEW_HOST).get("/api/v1/jurisdiction/").status_code == 404

    # approve (the city's admin); the provisioning task runs when the approval commits
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = approve(application_id, "340100-admin")
    assert response.status_code == 202
    tracked = status_of(application_id, token)
    elapsed = time.perf_counter() - started
    assert tracked["status"] == "active"
    assert tracked["host"] == NEW_HOST
    assert elapsed < 5, f"approval → active took {elapsed:.2f}s"

    # the new admin logs in on the new host and reads and writes there
    client = APIClient(HTTP_HOST=NEW_HOST)
    login = client.post("/api/v1/auth/login/", {"username": "lujiang-admin", "password": STRONG}, format="json")
    assert login.status_code == 200, login.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
    me = client.get("/api/v1/me/").json()
    assert me["memberships"] == [{"code": "340124", "name": "庐江县", "host": NEW_HOST, "role": "admin"}]
    detail = client.get("/api/v1/jurisdiction/")
    assert detail.status_code == 200
    assert detail.json()["parent_code"] == "340100"
    standards = client.get("/api/v1/standards/current/")
    assert standards.status_code == 200, standards.content
    today = timezone.localdate().isoformat()
    published = client.post(
        "/api/v1/standards/", {"effective_from": today, "note": "试点", "accompany_ratio": 4}, format="json"
    )
    assert published.status_code == 201, published.content

    # the province (and the parent city) oversee it, read-only
    for overseer in ("340000-admin", "340000-supervisor", "340100-admin"):
        province = api(username=overseer, host=NEW_HOST)
        assert province.get("/api/v1/jurisdiction/").status_code == 200
        assert province.get("/api/v1/tasks/").status_code == 200
        refused(province.post("/api/v1/standards/", {"effective_from": today}, format="json"), 403, "permission_denied")
    # the parent lists it among its children
    assert (
        "340124" in api(username="340100-admin", host="hefei.localhost").get("/api/v1/jurisdiction/").json()["children"]
    )

    # another city cannot read it
    other = api(username="340200-admin", host=NEW_HOST)
    assert other.get("/api/v1/jurisdiction/").status_code == 403
    assert other.get("/api/v1/tasks/").status_code == 403
    # and the new admin cannot read another city
    foreign = APIClient(HTTP_HOST="wuhu.localhost")
    foreign.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
    assert foreign.get("/api/v1/tasks/").status_code == 403
