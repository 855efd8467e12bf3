"""The one permission layer by jurisdiction (分级授权), used by every API view and web page.

On a tenant host a request is allowed by a membership in that jurisdiction with a role the
endpoint permits, or, for safe methods only, by an `admin`/`supervisor` membership in one of its
ancestors (oversight). A knox token is valid on every host, so this check is the only guard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from tenants.models import ALL_ROLES, OVERSIGHT_ROLES, Jurisdiction, Membership, Role


@dataclass(frozen=True)
class Access:
    """What one user may do in one jurisdiction."""

    jurisdiction: Jurisdiction
    roles: frozenset[str]
    oversight: bool  # admin or supervisor in an ancestor: read-only over this subtree
    unit_name: str = ""  # the unit of the counterpart membership here, if any

    @property
    def counterpart_only(self) -> bool:
        """A counterpart user and nothing more here: they see their own unit's work only."""
        return self.roles == {Role.COUNTERPART} and not self.oversight

    @property
    def is_member(self) -> bool:
        return bool(self.roles)

    def has_any(self, roles: Iterable[str]) -> bool:
        return bool(self.roles & frozenset(roles))

    def can_read(self, roles: Iterable[str] = ALL_ROLES) -> bool:
        return self.has_any(roles) or self.oversight

    def can_write(self, roles: Iterable[str]) -> bool:
        return self.has_any(roles)


NO_ACCESS_ROLES: frozenset[str] = frozenset()


def access_for(user: Any, jurisdiction: Jurisdiction) -> Access:
    """One query: the user's roles here and in the ancestors."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access(jurisdiction, NO_ACCESS_ROLES, False)
    codes = [*jurisdiction.ancestor_codes, jurisdiction.code]
    rows = Membership.objects.filter(
        user=user, jurisdiction__code__in=codes, jurisdiction__status=Jurisdiction.Status.ACTIVE
    ).values_list("jurisdiction__code", "role", "unit_name")
    own: set[str] = set()
    oversight = False
    unit_name = ""
    for code, role, unit in rows:
        if code == jurisdiction.code:
            own.add(role)
            if role == Role.COUNTERPART:
                unit_name = unit
        elif role in OVERSIGHT_ROLES:
            oversight = True
    return Access(jurisdiction, frozenset(own), oversight, unit_name)


def request_access(request: HttpRequest) -> Access | None:
    """The access of the request's user to the request's jurisdiction, cached on the request."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return None
    cached = getattr(request, "_jurisdiction_access", None)
    if cached is not None and cached[0] == getattr(request.user, "pk", None):
        return cached[1]
    access = access_for(request.user, tenant)
    request._jurisdiction_access = (getattr(request.user, "pk", None), access)  # type: ignore[attr-defined]
    return access


def allowed_roles(view: Any, request: HttpRequest) -> frozenset[str]:
    """The roles an endpoint lets act for this method.

    Views declare `roles` (any method) or `roles_by_method = {"GET": ..., "POST": ...}`; without
    either, every member role may read and nobody may write.
    """
    by_method = getattr(view, "roles_by_method", None)
    if by_method and request.method in by_method:
        return frozenset(by_method[request.method])
    if by_method and request.method == "HEAD" and "GET" in by_method:
        return frozenset(by_method["GET"])
    roles = getattr(view, "roles", None)
    if roles is not None:
        return frozenset(roles)
    return ALL_ROLES if request.method in SAFE_METHODS else frozenset()


def check_access(request: HttpRequest, roles: Iterable[str]) -> bool:
    access = request_access(request)
    if access is None:
        return False
    if request.method in SAFE_METHODS:
        return access.can_read(roles)
    return access.can_write(roles)


class JurisdictionPermission(BasePermission):
    """DRF permission: authenticated, on a tenant host, with a role the endpoint allows."""

    message = _("您在该辖区没有执行此操作的权限。")

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(request, "tenant", None) is None:
            raise exceptions.NotFound()
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        return check_access(request, allowed_roles(view, request))


class JurisdictionMemberPermission(JurisdictionPermission):
    """Like JurisdictionPermission, but reading too needs a role here: no read-only oversight
    from ancestors. For personal data such as the outbox (addresses, phone numbers)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(request, "tenant", None) is None:
            raise exceptions.NotFound()
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        access = request_access(request)
        return access is not None and access.has_any(allowed_roles(view, request))
