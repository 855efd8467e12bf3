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


@shared_task(name="tenants.onboarding_provision", acks_late=True)
def onboarding_provision(application_id: int) -> dict[str, Any]:
    """Provision an approved application's tenant (all or nothing; see tenants.onboarding)."""
    from tenants.onboarding import application_provision

    application = application_provision(application_id)
    return {"id": application.pk, "status": application.status, "reason": application.reason}


@shared_task(name="tenants.spare_pool_refill")
def spare_pool_refill_task() -> dict[str, int]:
    """Keep TENANT_SPARE_POOL_SIZE spare schemas ready (Celery beat; after each claim; after migrate)."""
    from tenants.pool import spare_count, spare_pool_refill

    made = spare_pool_refill()
    return {"made": made, "ready": spare_count()}


@shared_task(name="tenants.onboarding_sweep")
def onboarding_sweep() -> list[int]:
    """Send again the provisioning of approvals whose task never ran (broker down at approval)."""
    from tenants.onboarding import applications_stuck, provision_dispatch

    stuck = applications_stuck()
    for application_id in stuck:
        provision_dispatch(application_id)
    return stuck
