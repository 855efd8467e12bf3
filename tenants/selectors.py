"""Reads of the tenants app."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from core.models import User
from tenants.models import OVERSIGHT_ROLES, Jurisdiction, Membership


def jurisdiction_directory(*, code: str | None = None, parent: str | None = None) -> QuerySet[Jurisdiction]:
    qs = Jurisdiction.objects.select_related("parent").order_by("code")
    if code is not None:
        qs = qs.filter(code=code)
    if parent is not None:
        qs = qs.filter(parent__code=parent)
    return qs


def jurisdiction_children_codes(*, jurisdiction: Jurisdiction) -> list[str]:
    return list(jurisdiction.children.order_by("code").values_list("code", flat=True))


def jurisdiction_subtree(*, jurisdiction: Jurisdiction, include_self: bool = False) -> QuerySet[Jurisdiction]:
    """Every jurisdiction below this one, at any depth (one indexed prefix query)."""
    below = Q(path__startswith=jurisdiction.path + ".")
    condition = below | Q(pk=jurisdiction.pk) if include_self else below
    return Jurisdiction.objects.filter(condition).order_by("path")


def user_memberships(*, user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user).select_related("jurisdiction").order_by("jurisdiction__path", "role")
    )


def user_active_memberships(*, user: User) -> list[Membership]:
    return [m for m in user_memberships(user=user) if m.jurisdiction.status == Jurisdiction.Status.ACTIVE]


def jurisdictions_pending(*, user: User) -> list[dict[str, Any]]:
    """The chooser: each active jurisdiction of the user with its roles and how much work waits
    there (the workplace panels' counts, read in each one's schema)."""
    from tenants.permissions import access_for
    from tenants.schema import tenant_context
    from tenants.workplace import pending_total

    found: dict[str, dict[str, Any]] = {}
    for membership in user_active_memberships(user=user):
        entry = found.setdefault(
            membership.jurisdiction.code, {"jurisdiction": membership.jurisdiction, "roles": [], "pending": 0}
        )
        entry["roles"].append(membership.get_role_display())
    for entry in found.values():
        with tenant_context(entry["jurisdiction"]):
            entry["pending"] = pending_total(access_for(user, entry["jurisdiction"]), user)
    return list(found.values())


def user_overseen_roots(*, user: User) -> list[Jurisdiction]:
    """Jurisdictions where the user holds an oversight role: their subtrees are readable."""
    return list(
        Jurisdiction.objects.filter(
            memberships__user=user, memberships__role__in=OVERSIGHT_ROLES, status=Jurisdiction.Status.ACTIVE
        )
        .distinct()
        .order_by("path")
    )


def user_can_enter(*, user: User, jurisdiction: Jurisdiction) -> bool:
    from tenants.permissions import access_for

    return access_for(user, jurisdiction).can_read()
