"""The tenant lifecycle after onboarding: suspend, reactivate, rename the host, delete.

A suspended jurisdiction keeps every row; its host answers a clear 503 page (tenants.middleware),
so nobody signs in there (the sign-in API, single sign-on and pages all sit behind it), and its
memberships give no access anywhere (tenants.permissions counts active jurisdictions only).
A renamed jurisdiction keeps its old host as a non-primary domain, which redirects permanently.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput, NotFound
from core.models import User
from tenants.models import Domain, Jurisdiction
from tenants.provisioning import schema_drop
from tenants.slugs import RESERVED

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def _locked(code: str) -> Jurisdiction:
    jurisdiction = Jurisdiction.objects.select_for_update().filter(code=code).first()
    if jurisdiction is None:
        raise NotFound(_("辖区 %(code)s 不存在。") % {"code": code})
    return jurisdiction


def _status_change(
    *, actor: User | None, code: str, reason: str, to: str, source: str, refusal: Any, audit_action: str
) -> bool:
    """Move a jurisdiction from `source` to `to` under a row lock, audited; False when it is there."""
    with transaction.atomic():
        jurisdiction = _locked(code)
        if jurisdiction.status == to:
            return False
        if jurisdiction.status != source:
            raise Conflict(refusal, code=f"not_{source}")
        jurisdiction.status = to
        jurisdiction.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=audit_action,
            jurisdiction_code=code,
            obj=jurisdiction,
            before={"status": source},
            after={"status": to},
            comment=reason,
        )
    return True


def jurisdiction_suspend(*, actor: User | None, code: str, reason: str = "") -> bool:
    """Suspend a jurisdiction (data untouched); False when it already was."""
    return _status_change(
        actor=actor,
        code=code,
        reason=reason,
        to=Jurisdiction.Status.SUSPENDED,
        source=Jurisdiction.Status.ACTIVE,
        refusal=_("只有正常使用的辖区可以停用。"),
        audit_action="tenants.jurisdiction.suspended",
    )


def jurisdiction_reactivate(*, actor: User | None, code: str, reason: str = "") -> bool:
    """Reactivate a suspended jurisdiction; False when it was already active."""
    return _status_change(
        actor=actor,
        code=code,
        reason=reason,
        to=Jurisdiction.Status.ACTIVE,
        source=Jurisdiction.Status.SUSPENDED,
        refusal=_("只有已停用的辖区可以恢复。"),
        audit_action="tenants.jurisdiction.reactivated",
    )


def jurisdiction_rename_slug(*, actor: User | None, code: str, slug: str) -> bool:
    """Give the jurisdiction a new host `<slug>.BASE_DOMAIN`; the old one redirects to it.

    Returns False when the slug is already the jurisdiction's. Renaming back to an old slug of
    the same jurisdiction makes that host primary again.
    """
    slug = (slug or "").strip().lower()
    if not _SLUG.match(slug) or slug in RESERVED:
        raise InvalidInput(_("子域名只能包含小写字母、数字和连字符（不能以连字符开头或结尾）。"), field="slug")
    host = f"{slug}.{settings.BASE_DOMAIN}"
    with transaction.atomic():
        jurisdiction = _locked(code)
        if jurisdiction.slug == slug:
            return False
        if Jurisdiction.objects.filter(slug=slug).exclude(pk=jurisdiction.pk).exists():
            raise InvalidInput(_("子域名已被使用。"), field="slug", code="slug_taken")
        existing = Domain.objects.filter(domain=host).first()
        if existing is not None and existing.tenant_id != jurisdiction.pk:
            raise InvalidInput(_("子域名已被使用。"), field="slug", code="slug_taken")
        old_slug = jurisdiction.slug
        Domain.objects.filter(tenant=jurisdiction, is_primary=True).update(is_primary=False)
        if existing is not None:
            existing.is_primary = True
            existing.save(update_fields=["is_primary"])
        else:
            Domain.objects.create(domain=host, tenant=jurisdiction, is_primary=True)
        jurisdiction.slug = slug
        jurisdiction.save(update_fields=["slug"])
        audit_record(
            actor=actor,
            action="tenants.jurisdiction.renamed",
            jurisdiction_code=code,
            obj=jurisdiction,
            before={"slug": old_slug},
            after={"slug": slug},
        )
    return True


def jurisdiction_delete(*, actor: User | None, code: str) -> None:
    """Delete a jurisdiction without children: its schema, host, memberships and public rows.

    Users stay (they are never deleted); the audit chain of the code stays. Export first.
    """
    with transaction.atomic():
        jurisdiction = _locked(code)
        if jurisdiction.children.exists():
            raise Conflict(_("辖区 %(code)s 还有下级辖区，不能删除。") % {"code": code}, code="has_children")
        schema = jurisdiction.schema_name
        summary = {"code": code, "name": jurisdiction.name, "slug": jurisdiction.slug, "schema": schema}
        try:
            jurisdiction.delete()
        except ProtectedError as exc:
            raise Conflict(_("辖区 %(code)s 仍被其他记录引用，不能删除。") % {"code": code}, code="protected") from exc
        schema_drop(schema)
        audit_record(
            actor=actor,
            action="tenants.jurisdiction.deleted",
            jurisdiction_code=code,
            object_type="tenants.jurisdiction",
            object_id=code,
            before=summary,
        )
