"""The OpenAPI document stays valid and names every reporting operation."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.test import Client


def test_the_openapi_document_names_every_reporting_operation(tree: Any, tmp_path: Any) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    paths = Client(HTTP_HOST="hefei.localhost").get("/api/schema/?format=json").json()["paths"]
    for path, methods in {
        "/api/v1/statistics/": {"get"},
        "/api/v1/statistics/report.pdf": {"get"},
        "/api/v1/statistics/exports/": {"get", "post"},
        "/api/v1/statistics/exports/{job_id}/": {"get"},
        "/api/v1/statistics/exports/{job_id}/download/": {"get"},
        "/api/v1/warnings/": {"get"},
        "/api/v1/reception-budgets/": {"get", "post"},
        "/api/v1/disclosure/": {"get"},
        "/api/v1/chronicle/": {"get", "post"},
        "/api/v1/chronicle/generate/": {"post"},
        "/api/v1/chronicle/{entry_id}/": {"get", "patch", "delete"},
        "/api/v1/inspections/": {"get", "post"},
        "/api/v1/inspections/{inspection_id}/": {"get"},
        "/api/v1/inspections/{inspection_id}/items/{area}/": {"patch"},
        "/api/v1/inspections/{inspection_id}/close/": {"post"},
    }.items():
        assert methods <= set(paths[path]), path
        assert all(paths[path][method]["operationId"] for method in methods)
