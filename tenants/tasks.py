"""Celery tasks of the tenants app. Tasks are tenant-aware: sent from a jurisdiction's schema,
they run in that schema (tenant-schemas-celery puts the schema in the message headers)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from core.audit import audit_record
from tenants.provisioning import applied_migrations, code_migrations
from tenants.schema import current_schema, current_tenant


@shared_task(name="tenants.schema_check")
def schema_check(tag: str = "") -> dict[str, Any]:
    """Check that the current schema records exactly the code's migrations; audit the result."""
    schema = current_schema()
    tenant = current_tenant()
    current = applied_migrations(schema) == code_migrations()
    code = getattr(tenant, "code", "") or ""
    audit_record(
        actor=None,
        action="tenants.schema.checked",
        jurisdiction_code=code,
        object_type="tenants.jurisdiction",
        object_id=code,
        after={"schema": schema, "current": current, "tag": tag},
    )
    return {"schema": schema, "code": code, "current": current}
