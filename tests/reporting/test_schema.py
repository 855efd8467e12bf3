"""The OpenAPI document names every operation of directives, reports and oversight."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_every_operation_is_documented(tree):
    paths = Client(HTTP_HOST="anhui.localhost").get("/api/schema/?format=json").json()["paths"]
    for path, methods in {
        "/api/v1/directives/": {"get", "post"},
        "/api/v1/directives/{directive_id}/": {"get"},
        "/api/v1/directives/{directive_id}/resend/": {"post"},
        "/api/v1/directives/{directive_id}/attachments/{attachment_id}/": {"get"},
        "/api/v1/directives/inbox/{delivery_id}/attachments/{attachment_id}/": {"get"},
        "/api/v1/directives/inbox/": {"get"},
        "/api/v1/directives/inbox/{delivery_id}/": {"get"},
        "/api/v1/directives/inbox/{delivery_id}/acknowledge/": {"post"},
        "/api/v1/reports/": {"get", "post"},
        "/api/v1/reports/deadlines/": {"get", "post"},
        "/api/v1/oversight/summary/": {"get"},
        "/api/v1/oversight/reports/": {"get"},
        "/api/v1/oversight/reports/{report_id}/": {"get"},
        "/api/v1/oversight/reports/{report_id}/accept/": {"post"},
        "/api/v1/oversight/reports/{report_id}/return/": {"post"},
    }.items():
        assert methods <= set(paths[path]), path
        assert all(paths[path][method]["operationId"] for method in methods)
