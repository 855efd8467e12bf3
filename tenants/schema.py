"""Typed access to the schema switching that django-tenants adds to the database connection.

Services should prefer `tenant_context(jurisdiction)` / `schema_context(name)` (restore the
previous schema on exit); middleware and provisioning use `activate` / `activate_public`.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import connection
from django_tenants.utils import schema_context, tenant_context

__all__ = ["activate", "activate_public", "current_schema", "current_tenant", "schema_context", "tenant_context"]

_connection = cast(Any, connection)


def activate(tenant: Any) -> None:
    _connection.set_tenant(tenant)


def activate_public() -> None:
    _connection.set_schema_to_public()


def current_tenant() -> Any:
    return _connection.tenant


def current_schema() -> str:
    return str(_connection.schema_name)
