"""Every endpoint of directives, reports and oversight refuses another jurisdiction's user (403)
and an anonymous caller (401) before looking anything up."""

from __future__ import annotations

import pytest

from reporting.models import Delivery, Directive, Report
from tests.conftest import api

pytestmark = pytest.mark.django_db
ENDPOINTS = [
    ("get", "/api/v1/directives/"),
    ("post", "/api/v1/directives/"),
    ("get", "/api/v1/directives/1/"),
    ("post", "/api/v1/directives/1/resend/"),
    ("get", "/api/v1/directives/inbox/"),
    ("get", "/api/v1/directives/inbox/1/"),
    ("post", "/api/v1/directives/inbox/1/acknowledge/"),
    ("get", "/api/v1/reports/"),
    ("post", "/api/v1/reports/"),
    ("get", "/api/v1/reports/deadlines/"),
    ("post", "/api/v1/reports/deadlines/"),
    ("get", "/api/v1/oversight/summary/?period=2026-05"),
    ("get", "/api/v1/oversight/reports/?code=340123"),
    ("get", "/api/v1/oversight/reports/1/"),
    ("post", "/api/v1/oversight/reports/1/accept/"),
    ("post", "/api/v1/oversight/reports/1/return/"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_another_jurisdictions_user_gets_403(tree, method, path):
    body = {"kind": "notice", "title": "x", "targets": ["340123"], "period": "2026-05", "comment": "x"}
    response = getattr(api("340100", "340200-admin"), method)(path, body if method == "post" else None, format="json")
    assert response.status_code == 403, response.content
    assert not Directive.objects.exists() and not Delivery.objects.exists() and not Report.objects.exists()


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_gets_401(tree, method, path):
    assert getattr(api("340100"), method)(path).status_code == 401


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_the_public_host_has_none_of_them(tree, method, path):
    assert getattr(api(None, "340000-admin"), method)(path).status_code == 404
