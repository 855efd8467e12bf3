"""Routing by host: public site, jurisdictions, unknown hosts, suspended and renamed ones."""

from __future__ import annotations

import pytest
from django.test import Client

from tenants.models import Domain, Jurisdiction
from tests.conftest import refused, refused_page

pytestmark = pytest.mark.django_db


def test_unknown_host_gets_a_clear_404_page(tree):
    response = Client(HTTP_HOST="nowhere.localhost").get("/")
    assert "nowhere.localhost" in refused_page(response, 404, "unknown_host")


def test_unknown_host_api_gets_json_404(tree):
    response = Client(HTTP_HOST="nowhere.localhost").get("/api/v1/me/")
    assert "detail" in refused(response, 404, "unknown_host")


def test_foreign_host_is_a_400_not_a_500(tree):
    assert Client(HTTP_HOST="evil.example.com").get("/").status_code == 400


def test_suspended_jurisdiction_answers_a_clear_page_and_keeps_data(tree):
    Jurisdiction.objects.filter(code="340200").update(status=Jurisdiction.Status.SUSPENDED)
    response = Client(HTTP_HOST="wuhu.localhost").get("/")
    refused_page(response, 503, "suspended")
    assert Jurisdiction.objects.get(code="340200").schema_name == "j340200"


def test_old_host_redirects_to_the_primary(tree):
    Domain.objects.create(domain="old-hefei.localhost", tenant=tree["340100"], is_primary=False)
    response = Client(HTTP_HOST="old-hefei.localhost").get("/api/v1/jurisdiction/?x=1")
    assert response.status_code == 301
    assert response["Location"] == "http://hefei.localhost/api/v1/jurisdiction/?x=1"
    post = Client(HTTP_HOST="old-hefei.localhost").post("/api/v1/auth/login/")
    assert post.status_code == 308


def test_health_check_answers_on_any_host(tree):
    response = Client(HTTP_HOST="web:8000").get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_request_id_is_echoed_or_made(tree):
    response = Client(HTTP_HOST="localhost").get("/api/v1/jurisdictions/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    response = Client(HTTP_HOST="localhost").get("/api/v1/jurisdictions/", HTTP_X_REQUEST_ID="bad id\n")
    assert len(response["X-Request-ID"]) == 32


def test_openapi_is_anonymous_on_every_host(tree):
    for host in ("localhost", "hefei.localhost"):
        response = Client(HTTP_HOST=host).get("/api/schema/?format=json")
        assert response.status_code == 200
        paths = response.json()["paths"]
        assert "/api/v1/auth/login/" in paths
        assert "/api/v1/jurisdictions/" in paths


def test_swagger_ui_is_served_locally(tree):
    response = Client(HTTP_HOST="localhost").get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    asset = Client(HTTP_HOST="localhost").get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert b"SwaggerUIBundle" in b"".join(asset.streaming_content)
    asset.close()
