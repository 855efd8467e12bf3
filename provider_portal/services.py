"""Writes of the provider portal."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import InvalidInput
from core.models import User
from provider_portal.models import Provider, ProviderKind, ProviderServiceArea, ProviderStaff
from tenants.models import Jurisdiction


@transaction.atomic
def provider_add(
    *,
    actor: User | None,
    name: str,
    kind: str,
    serves: list[Jurisdiction],
    staff_user: User | None = None,
) -> tuple[Provider, bool]:
    """Create a provider (or find it by name), add its service areas and staff; idempotent."""
    name = (name or "").strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise InvalidInput(_("名称不能为空，且不超过 200 个字。"), field="name", code="invalid_name")
    if kind not in ProviderKind.values:
        raise InvalidInput(_("类别必须是 hotel、restaurant、fleet 或 venue。"), field="kind", code="invalid_kind")
    provider, created = Provider.objects.get_or_create(name=name, defaults={"kind": kind})
    if not created and provider.kind != kind:
        raise InvalidInput(_("同名服务单位已存在且类别不同。"), field="kind", code="kind_mismatch")
    for jurisdiction in serves:
        _area, added = ProviderServiceArea.objects.get_or_create(provider=provider, jurisdiction=jurisdiction)
        if added:
            audit_record(
                actor=actor,
                action="provider_portal.provider.designated",
                jurisdiction_code=jurisdiction.code,
                obj=provider,
                after={"provider": provider.name, "kind": provider.kind},
            )
    if staff_user is not None:
        if staff_user.memberships.exists():  # type: ignore[attr-defined]
            raise InvalidInput(_("辖区成员不能同时是服务单位人员。"), field="username", code="user_is_member")
        staff, _staff_created = ProviderStaff.objects.get_or_create(user=staff_user, defaults={"provider": provider})
        if staff.provider_id != provider.pk:
            raise InvalidInput(_("该用户已属于其他服务单位。"), field="username", code="user_other_provider")
    if created:
        audit_record(
            actor=actor, action="provider_portal.provider.created", obj=provider, after={"name": name, "kind": kind}
        )
    return provider, created
