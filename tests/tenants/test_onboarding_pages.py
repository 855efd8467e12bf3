"""Onboarding pages on the public host: form, tracking page, review queue."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tenants.models import Application
from tests.conftest import HOSTS, PUBLIC_HOST, refused_page, user
from tests.tenants.onboarding_helpers import application, applied

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def _client(username: str | None = None) -> Client:
    client = Client(HTTP_HOST=PUBLIC_HOST)
    if username:
        client.force_login(user(username))
    return client


def test_form_applies_and_leads_to_the_tracking_page(tree):
    client = _client()
    page = client.get("/onboarding/apply/")
    assert page.status_code == 200
    assert "试点辖区开通申请" in page.content.decode()
    response = client.post("/onboarding/apply/", application())
    assert response.status_code == 302
    assert response["Location"].startswith("/onboarding/track/")
    tracked = client.get(response["Location"])
    assert tracked.status_code == 200
    html = tracked.content.decode()
    assert 'data-status="applied"' in html
    assert "lujiang.localhost" in html
    assert '<meta http-equiv="refresh"' in html
    application_id = Application.objects.get().pk
    assert client.get(f"/onboarding/track/{application_id}/wrong-token/").status_code == 404


def test_form_shows_each_problem(tree):
    response = _client().post("/onboarding/apply/", application(code="350124", admin_password="12345678"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "代码与上级不属于同一省份" in html
    assert "errorlist" in html
    assert not Application.objects.exists()


def test_form_is_throttled(tree, settings):
    settings.ONBOARDING_APPLICATIONS_PER_HOUR = 2
    client = _client()
    for _ in range(2):
        refused_page(client.post("/onboarding/apply/", {"code": "x"}), 400, "required")
    response = client.post("/onboarding/apply/", application())
    assert response.status_code == 429
    assert 'data-testid="throttled"' in response.content.decode()


def test_form_is_not_on_a_tenant_host(tree):
    client = Client(HTTP_HOST=HOSTS["340100"])
    assert client.get("/onboarding/apply/").status_code == 404


def test_review_queue_and_decisions(tree, django_capture_on_commit_callbacks):
    first, token = applied()
    second, _t = applied(code="340181", name="巢湖市", admin_username="chaohu-admin")
    client = _client("340000-admin")
    page = client.get("/onboarding/review/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-testid="application-{first}"' in html and f'data-testid="application-{second}"' in html
    # reject needs a reason
    response = client.post(f"/onboarding/review/{second}/reject/", {"reason": ""})
    refused_page(response, 400, "reason_required")
    assert Application.objects.get(pk=second).status == "applied"
    assert client.post(f"/onboarding/review/{second}/reject/", {"reason": "材料不全"}).status_code == 302
    assert Application.objects.get(pk=second).status == "rejected"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/onboarding/review/{first}/approve/").status_code == 302
    assert Application.objects.get(pk=first).status == "active"
    tracked = _client().get(f"/onboarding/track/{first}/{token}/").content.decode()
    assert 'data-status="active"' in tracked
    assert 'data-testid="application-steps"' in tracked
    # a repeated approval is refused with the reason on the page
    refused_page(client.post(f"/onboarding/review/{first}/approve/"), 409, "not_pending")


def test_review_is_for_the_parents_and_ancestors_admins_only(tree):
    application_id, _token = applied()
    assert _client().get("/onboarding/review/").status_code == 302  # to the login page
    other = _client("340200-admin")
    page = other.get("/onboarding/review/")
    assert page.status_code == 200
    assert f'data-testid="application-{application_id}"' not in page.content.decode()
    refused_page(other.post(f"/onboarding/review/{application_id}/approve/"), 403, "forbidden")
    assert _client("340123-drafter").get("/onboarding/review/").status_code == 403
    assert Application.objects.get(pk=application_id).status == "applied"


def test_django_admin_lists_applications_without_secrets(tree):
    from core.models import User

    application_id, _token = applied()
    admin_user = User.objects.create_superuser(username="platform-root", password="Root-pass-2026!")
    client = Client(HTTP_HOST=PUBLIC_HOST)
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/tenants/application/").status_code == 200
    page = client.get(f"/admin/tenants/application/{application_id}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    row = Application.objects.get(pk=application_id)
    assert row.admin_password_hash not in html and row.tracking_token_hash not in html
    assert client.get("/admin/tenants/spareschema/").status_code == 200
