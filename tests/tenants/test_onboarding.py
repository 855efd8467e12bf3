"""Self-onboarding: applications (validation, throttle, tracking), review, provisioning."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_exists

from core.models import AuditEntry, Notification, User
from tenants import provisioning
from tenants.models import Application, Domain, Jurisdiction, Membership
from tenants.onboarding import application_provision
from tenants.pool import spare_count
from tenants.provisioning import TEMPLATE_SCHEMA, code_migrations
from tenants.services import divisions_import
from tests.conftest import api, error_fields, in_tenant, refused, unchanged
from tests.tenants.onboarding_helpers import APPLY, STRONG, application, applied, apply, approve, status_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


# --- Application ----------------------------------------------------------------------------


def test_application_is_recorded_with_a_hashed_password_and_a_tracking_token(tree):
    response = apply()
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "applied"
    assert set(body) == {"id", "status", "tracking_token"}
    row = Application.objects.get(pk=body["id"])
    assert STRONG not in row.admin_password_hash
    assert row.admin_password_hash.startswith(("md5$", "pbkdf2_sha256$"))
    assert body["tracking_token"] not in row.tracking_token_hash
    assert AuditEntry.objects.filter(action="tenants.application.submitted", object_id=str(row.pk)).exists()
    # The tracking token shows the status and the planned host
    assert status_of(body["id"], body["tracking_token"])["status"] == "applied"
    assert status_of(body["id"], body["tracking_token"])["host"] == "lujiang.localhost"


def test_tracking_needs_the_right_token(tree):
    application_id, token = applied()
    client = api()
    assert client.get(f"{APPLY}{application_id}/", {"tracking_token": token + "x"}).status_code == 404
    assert client.get(f"{APPLY}{application_id}/").status_code == 404
    assert client.get(f"{APPLY}999999/", {"tracking_token": token}).status_code == 404


def _official_list() -> None:
    divisions_import(province_code="340000")


@pytest.mark.parametrize(
    ("overrides", "field", "setup"),
    [
        ({"code": "34012x"}, "code", None),
        ({"code": "3401245"}, "code", None),
        ({"code": "350124"}, "code", None),  # another province than its parent
        ({"code": "340224"}, "code", None),  # a county of 芜湖 under 合肥
        ({"code": "340100", "level": "city", "parent_code": "340000"}, "code", None),  # already a jurisdiction
        ({"code": "340123"}, "code", None),  # already a jurisdiction
        ({"code": "340188"}, "code", _official_list),  # not in the official list once loaded
        ({"parent_code": "340500", "code": "340521"}, "parent_code", None),  # parent is not a jurisdiction
        ({"parent_code": "34010"}, "parent_code", None),
        ({"parent_code": "340123", "code": "340124"}, "parent_code", None),  # a county cannot be a parent
        ({"level": "province"}, "level", None),
        ({"level": "town"}, "level", None),
        ({"admin_username": "bad name!"}, "admin_username", None),
        ({"admin_password": "12345678"}, "admin_password", None),  # numeric and common
        ({"admin_password": "short"}, "admin_password", None),
        ({"admin_password": "lujiang-admin"}, "admin_password", None),  # like the username
        ({"contact_phone": "call me"}, "contact_phone", None),
        ({"contact_email": "not-an-address"}, "contact_email", None),
        ({"name": "x" * 101}, "name", None),
    ],
)
def test_bad_applications_get_a_400_naming_the_field(tree, overrides, field, setup):
    if setup:
        setup()
    response = apply(**overrides)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    assert all(isinstance(m, str) and m for m in body[field])
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "missing",
    ["name", "code", "level", "parent_code", "contact_name", "contact_phone", "admin_username", "admin_password"],
)
def test_each_missing_field_is_named(tree, missing):
    response = apply(**{missing: None})
    assert response.status_code == 400
    assert error_fields(response) == [missing], response.json()
    response = apply(**{missing: "  "})
    assert response.status_code == 400
    assert missing in response.json()


def test_several_problems_are_named_together(tree):
    response = api().post(APPLY, {"code": "abc", "admin_password": "1"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert {"name", "code", "level", "parent_code", "contact_name", "admin_username", "admin_password"} <= set(body)


def test_non_object_body_is_a_400(tree):
    assert api().post(APPLY, ["x"], format="json").status_code == 400
    assert api().post(APPLY, {"name": ["庐江县"], "code": 340124}, format="json").status_code == 400


def test_official_list_accepts_a_listed_code(tree):
    _official_list()
    assert apply().status_code == 201  # 340124 庐江县 is in the official list


def test_inactive_parent_is_refused(tree):
    Jurisdiction.objects.filter(code="340200").update(status=Jurisdiction.Status.SUSPENDED)
    response = apply(code="340221", parent_code="340200", name="芜湖县")
    refused(response, 400, "invalid")
    assert "parent_code" in response.json()


def test_duplicate_pending_application_is_refused(tree):
    applied()
    response = apply(admin_username="other-admin")
    assert response.status_code == 400
    assert "code" in response.json()


def test_the_anonymous_form_does_not_tell_whether_a_username_exists(tree):
    """An existing user's name and a fresh one get the same answer; approval checks it."""
    existing = apply(admin_username="340100-admin")
    fresh = apply(code="340181", name="巢湖市", admin_username="chaohu-fresh-admin")
    assert existing.status_code == fresh.status_code == 201
    assert set(existing.json()) == set(fresh.json())
    pending_name = apply(code="340221", parent_code="340200", name="芜湖县", admin_username="340100-admin")
    assert pending_name.status_code == 201


def test_approval_refuses_a_taken_username_and_changes_nothing(tree):
    application_id, token = applied(admin_username="340100-admin")
    audit_before = AuditEntry.objects.count()
    response = approve(application_id)
    refused(response, 409, "username_taken")
    assert response.json()["code"] == "username_taken"
    assert status_of(application_id, token)["status"] == "applied"
    assert AuditEntry.objects.count() == audit_before
    assert User.objects.filter(username__iexact="340100-admin").count() == 1


def test_approval_refuses_a_username_another_approved_application_claims(tree):
    first, _t = applied(admin_username="same-admin")
    second, _t2 = applied(code="340181", name="巢湖市", admin_username="Same-Admin")
    assert approve(first).status_code == 202
    refusal = approve(second)
    refused(refusal, 409, "username_taken")


def test_thirty_applications_per_address_per_hour(tree, settings):
    settings.ONBOARDING_APPLICATIONS_PER_HOUR = 30
    client = api()
    for _ in range(30):
        response = client.post(APPLY, {"code": "bad"}, format="json")
        assert response.status_code == 400
    before = Application.objects.count()
    response = client.post(APPLY, application(), format="json")
    assert refused(response, 429, "rate_limited")["retry_after"] == 3600
    assert response["Retry-After"] == "3600"
    assert Application.objects.count() == before
    # another address is not affected
    other = api()
    other.defaults["REMOTE_ADDR"] = "10.0.0.9"
    assert other.post(APPLY, application(), format="json").status_code == 201


def test_onboarding_api_is_not_served_on_a_tenant_host(tree):
    with unchanged():
        refused(api("340100").post(APPLY, application(), format="json"), 404, "not_found")


# --- Review -----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["340100-admin", "340000-admin"])
def test_admins_of_the_parent_or_an_ancestor_may_approve(tree, username, django_capture_on_commit_callbacks):
    application_id, token = applied()
    with django_capture_on_commit_callbacks(execute=True):
        response = approve(application_id, username)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "provisioning"
    assert status_of(application_id, token)["status"] == "active"


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("340200-admin", 403),  # a sibling city
        ("340123-admin", 403),  # a county below the parent
        ("340100-supervisor", 403),  # oversight role, but not an admin
        ("340100-drafter", 403),
        (None, 401),
    ],
)
def test_others_may_not_review(tree, username, status):
    application_id, _token = applied()
    client = api(username=username) if username else api()
    assert client.post(f"{APPLY}{application_id}/approve/").status_code == status
    assert client.post(f"{APPLY}{application_id}/reject/", {"reason": "不符合条件"}).status_code == status
    assert Application.objects.get(pk=application_id).status == "applied"


def test_reject_with_a_reason_tells_the_applicant(tree):
    application_id, token = applied()
    client = api(username="340000-admin")
    response = client.post(f"{APPLY}{application_id}/reject/", {"reason": ""}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    response = client.post(f"{APPLY}{application_id}/reject/", {"reason": "请先完成试点备案"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    tracked = status_of(application_id, token)
    assert tracked["status"] == "rejected"
    assert tracked["reason"] == "请先完成试点备案"
    sent = Notification.objects.filter(event="tenants.application.rejected")
    assert {n.channel for n in sent} == {"email", "sms"}
    assert {n.address for n in sent} == {"wang@example.cn", "13800000000"}
    # repeated: the state has moved on
    with unchanged():
        refused(client.post(f"{APPLY}{application_id}/reject/", {"reason": "x"}, format="json"), 409, "not_pending")
    with unchanged():
        refused(client.post(f"{APPLY}{application_id}/approve/"), 409, "not_pending")
    # the code is free again
    assert apply(admin_username="lujiang-2").status_code == 201


def test_repeated_approval_is_409(tree, django_capture_on_commit_callbacks):
    application_id, _token = applied()
    with django_capture_on_commit_callbacks(execute=True):
        assert approve(application_id).status_code == 202
    with unchanged():
        refused(approve(application_id), 409, "not_pending")


def test_review_queue_lists_only_the_reviewers_subtree(tree):
    first, _t = applied()
    second, _t = applied(code="340221", parent_code="340200", name="芜湖县", admin_username="wuhuxian-admin")
    ids = lambda username: {row["id"] for row in api(username=username).get(APPLY).json()["results"]}  # noqa: E731
    assert ids("340000-admin") == {first, second}
    assert ids("340100-admin") == {first}
    assert ids("340200-admin") == {second}
    assert ids("340123-admin") == set()
    assert api().get(APPLY).status_code == 401
    # a reviewer reads the detail without the token, others do not
    assert api(username="340100-admin").get(f"{APPLY}{first}/").status_code == 200
    assert api(username="340200-admin").get(f"{APPLY}{first}/").status_code == 404


# --- Provisioning -----------------------------------------------------------------------------


def test_approval_provisions_the_tenant(tree, django_capture_on_commit_callbacks):
    application_id, token = applied()
    with django_capture_on_commit_callbacks(execute=True):
        assert approve(application_id, "340100-admin").status_code == 202
    tracked = status_of(application_id, token)
    assert tracked["status"] == "active"
    assert tracked["host"] == "lujiang.localhost"
    names = [step["name"] for step in tracked["steps"]]
    assert names[:3] == ["schema", "jurisdiction", "admin"]
    assert "reception.standards" in names
    assert names[-1] == "activate"
    assert all(step["status"] == "done" for step in tracked["steps"])
    jurisdiction = Jurisdiction.objects.get(code="340124")
    assert jurisdiction.status == "active"
    assert jurisdiction.is_pilot
    assert jurisdiction.path == "340000.340100.340124"
    assert Domain.objects.get(tenant=jurisdiction).domain == "lujiang.localhost"
    admin = User.objects.get(username="lujiang-admin")
    assert admin.check_password(STRONG)
    assert Membership.objects.filter(user=admin, jurisdiction=jurisdiction, role="admin").exists()
    with in_tenant("340124"):
        from reception.models import Standard

        assert Standard.objects.count() == 1
    assert AuditEntry.objects.filter(action="tenants.application.provisioned", jurisdiction_code="340124").exists()
    active = Notification.objects.filter(event="tenants.application.active")
    assert {n.address for n in active} == {"wang@example.cn", "13800000000"}


def _fail(jurisdiction: Any) -> None:
    raise RuntimeError("模拟的开通步骤故障")


def _leaves_nothing(code: str, username: str) -> None:
    assert not Jurisdiction.objects.filter(code=code).exists()
    assert not schema_exists(f"j{code}")
    assert not Domain.objects.filter(domain__startswith="lujiang.").exists()
    assert not User.objects.filter(username=username).exists()
    assert not Membership.objects.filter(user__username=username).exists()


@pytest.mark.parametrize("use_pool", [True, False])
def test_a_failing_step_leaves_nothing_and_can_be_retried(tree, monkeypatch, use_pool):
    spares_before = spare_count()
    application_id, token = applied()
    monkeypatch.setitem(provisioning._steps, "zz.fails", provisioning.ProvisioningStep("zz.fails", _fail, order=999))
    assert approve(application_id).status_code == 202
    application_provision(application_id, use_pool=use_pool)
    tracked = status_of(application_id, token)
    assert tracked["status"] == "failed"
    assert "模拟的开通步骤故障" in tracked["reason"]
    assert tracked["steps"][-1] == {**tracked["steps"][-1], "name": "zz.fails", "status": "failed"}
    _leaves_nothing("340124", "lujiang-admin")
    assert spare_count() == spares_before  # a claimed spare went back to the pool
    assert AuditEntry.objects.filter(action="tenants.application.failed", object_id=str(application_id)).exists()
    # Retry once the fault is gone
    monkeypatch.delitem(provisioning._steps, "zz.fails")
    assert approve(application_id).status_code == 202
    assert application_provision(application_id, use_pool=use_pool).status == "active"
    assert schema_exists("j340124")
    assert Membership.objects.filter(user__username="lujiang-admin", jurisdiction__code="340124").exists()


def test_a_stale_template_is_refused_when_cloning(tree):
    application_id, token = applied()
    app, name = sorted(code_migrations())[-1]
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{TEMPLATE_SCHEMA}".django_migrations WHERE app = %s AND name = %s', [app, name])
    assert approve(application_id).status_code == 202
    application_provision(application_id, use_pool=False)
    tracked = status_of(application_id, token)
    assert tracked["status"] == "failed"
    assert f"{app}.{name}" in tracked["reason"]
    _leaves_nothing("340124", "lujiang-admin")


def test_username_taken_meanwhile_fails_cleanly(tree):
    application_id, token = applied()
    assert approve(application_id).status_code == 202
    User.objects.create_user(username="lujiang-admin", password=STRONG)  # after the approval's check
    application_provision(application_id)
    tracked = status_of(application_id, token)
    assert tracked["status"] == "failed"
    assert "lujiang-admin" in tracked["reason"]
    assert not Jurisdiction.objects.filter(code="340124").exists()


def test_provisioning_is_idempotent_for_a_redelivered_message(tree, django_capture_on_commit_callbacks):
    application_id, _token = applied()
    with django_capture_on_commit_callbacks(execute=True):
        approve(application_id)
    assert application_provision(application_id).status == "active"
    assert Jurisdiction.objects.filter(code="340124").count() == 1


def test_sweeper_sends_approvals_whose_task_never_ran(tree, monkeypatch, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from tenants import onboarding
    from tenants.tasks import onboarding_sweep

    application_id, token = applied()
    sent: list[int] = []
    monkeypatch.setattr(onboarding, "provision_dispatch", sent.append)  # the broker was down
    with django_capture_on_commit_callbacks(execute=True):
        assert approve(application_id).status_code == 202
    assert sent == [application_id]
    assert status_of(application_id, token)["status"] == "provisioning"
    monkeypatch.undo()
    assert onboarding_sweep.delay().get() == []  # too recent: maybe still running
    Application.objects.filter(pk=application_id).update(approved_at=timezone.now() - timedelta(minutes=5))
    assert onboarding_sweep.delay().get() == [application_id]
    assert status_of(application_id, token)["status"] == "active"
    assert onboarding_sweep.delay().get() == []
