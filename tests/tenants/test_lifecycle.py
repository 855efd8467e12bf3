"""Suspend, reactivate, rename, delete: services, operator commands, what the hosts answer."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_tenants.utils import schema_exists
from rest_framework.test import APIClient

from core.models import AuditEntry, User
from tenants.lifecycle import jurisdiction_rename_slug, jurisdiction_suspend
from tenants.models import Domain, Jurisdiction, Membership
from tests.conftest import PASSWORD, api, in_tenant, refused_page

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _task_count(code: str) -> int:
    from reception.models import Standard

    with in_tenant(code):
        return Standard.objects.count()


def test_suspend_refuses_logins_and_keeps_data_then_reactivate(tree):
    before = _task_count("340200")
    assert "suspended: 340200" in _run("suspend_jurisdiction", "340200", "--reason", "试点暂停")
    assert "already suspended" in _run("suspend_jurisdiction", "340200")
    assert Jurisdiction.objects.get(code="340200").status == "suspended"
    # the host answers a clear page, JSON under /api/
    page = Client(HTTP_HOST="wuhu.localhost").get("/")
    refused_page(page, 503, "suspended")
    # logins there are refused: the sign-in API, the SSO start and callback
    login = APIClient(HTTP_HOST="wuhu.localhost").post(
        "/api/v1/auth/login/", {"username": "340200-admin", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 503
    assert "detail" in login.json()
    assert Client(HTTP_HOST="wuhu.localhost").get("/accounts/login/").status_code == 503
    public = Client(HTTP_HOST="localhost")
    public.force_login(User.objects.get(username="340200-admin"))
    assert public.get("/sso/authorize/?host=wuhu.localhost&state=a-well-formed-state-01&next=/").status_code == 400
    # an existing token does not open it either
    assert api("340200", "340200-admin").get("/api/v1/jurisdiction/").status_code == 503
    # the data is untouched
    assert _task_count("340200") == before
    assert Membership.objects.filter(jurisdiction__code="340200").count() == 7
    assert AuditEntry.objects.filter(action="tenants.jurisdiction.suspended", jurisdiction_code="340200").exists()
    # reactivated, everything answers again
    assert "reactivated: 340200" in _run("reactivate_jurisdiction", "340200")
    assert "already active" in _run("reactivate_jurisdiction", "340200")
    assert api("340200", "340200-admin").get("/api/v1/jurisdiction/").status_code == 200
    assert AuditEntry.objects.filter(action="tenants.jurisdiction.reactivated", jurisdiction_code="340200").exists()


def test_suspended_parent_gives_no_oversight(tree):
    jurisdiction_suspend(actor=None, code="340100")
    # the county stays open to its own members, but the suspended city's admin no longer oversees it
    assert api("340123", "340123-admin").get("/api/v1/jurisdiction/").status_code == 200
    assert api("340123", "340100-admin").get("/api/v1/jurisdiction/").status_code == 403


def test_rename_redirects_the_old_host(tree):
    assert "renamed: 340200 http://wuhu-pilot.localhost/" in _run(
        "rename_jurisdiction", "340200", "--slug", "wuhu-pilot"
    )
    assert "unchanged" in _run("rename_jurisdiction", "340200", "--slug", "wuhu-pilot")
    jurisdiction = Jurisdiction.objects.get(code="340200")
    assert jurisdiction.slug == "wuhu-pilot"
    assert jurisdiction.host == "wuhu-pilot.localhost"
    old = Client(HTTP_HOST="wuhu.localhost").get("/api/v1/jurisdiction/")
    assert old.status_code == 301
    assert old["Location"] == "http://wuhu-pilot.localhost/api/v1/jurisdiction/"
    assert api(username="340200-admin", host="wuhu-pilot.localhost").get("/api/v1/jurisdiction/").status_code == 200
    me = api(username="340200-admin").get("/api/v1/me/").json()
    assert {m["host"] for m in me["memberships"]} == {"wuhu-pilot.localhost"}
    # renaming back makes the old host primary again
    jurisdiction_rename_slug(actor=None, code="340200", slug="wuhu")
    assert Domain.objects.get(domain="wuhu.localhost").is_primary
    assert not Domain.objects.get(domain="wuhu-pilot.localhost").is_primary
    assert AuditEntry.objects.filter(action="tenants.jurisdiction.renamed", jurisdiction_code="340200").count() == 2


@pytest.mark.parametrize("slug", ["hefei", "Bad_Slug", "-x", "www", ""])
def test_rename_refuses_bad_or_taken_slugs(tree, slug):
    with pytest.raises(CommandError):
        _run("rename_jurisdiction", "340200", "--slug", slug)
    assert Jurisdiction.objects.get(code="340200").slug == "wuhu"


def test_lifecycle_commands_name_unknown_codes(tree):
    for command in ("suspend_jurisdiction", "reactivate_jurisdiction"):
        with pytest.raises(CommandError, match="999999"):
            _run(command, "999999")


def test_delete_needs_confirmation_and_a_leaf(tree):
    with pytest.raises(CommandError, match="--yes"):
        _run("delete_jurisdiction", "340121")
    with pytest.raises(CommandError, match="下级"):
        _run("delete_jurisdiction", "340100", "--yes")
    assert "deleted: 340121" in _run("delete_jurisdiction", "340121", "--yes")
    assert not Jurisdiction.objects.filter(code="340121").exists()
    assert not schema_exists("j340121")
    assert not Domain.objects.filter(domain="changfeng.localhost").exists()
    assert "absent: 340121" in _run("delete_jurisdiction", "340121", "--yes")
    assert AuditEntry.objects.filter(action="tenants.jurisdiction.deleted", jurisdiction_code="340121").exists()
