"""Database outages and unexpected errors answer clean pages, never tracebacks."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from tests.conftest import refused

pytestmark = pytest.mark.django_db


def test_database_outage_in_routing_is_a_503_page(tree):
    client = Client(HTTP_HOST="hefei.localhost", raise_request_exception=False)
    with mock.patch("tenants.middleware.jurisdiction_for_host", side_effect=OperationalError("down")):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "服务暂时不可用" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_database_outage_in_an_api_view_is_a_json_503(tree):
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    with mock.patch("tenants.api.selectors.jurisdiction_directory", side_effect=OperationalError("down")):
        response = client.get("/api/v1/jurisdictions/")
    refused(response, 503, "unavailable")


def test_unexpected_error_is_a_plain_500_page(tree):
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    with mock.patch("tenants.views.selectors.jurisdiction_directory", side_effect=RuntimeError("bug")):
        response = client.get("/")
    assert response.status_code == 500
    assert "Traceback" not in response.content.decode()
