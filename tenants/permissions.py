"""The one permission layer by jurisdiction (分级授权), used by every API view and web page.

On a tenant host a request is allowed by a membership in that jurisdiction with a role the
endpoint permits, or, for safe methods only, by an `admin`/`supervisor` membership in one of its
ancestors (oversight). A knox token is valid on every host, so this check is the only guard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from core import sqlrows
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


def memberships_sql(user_column: str) -> str:
    """`FROM … WHERE …` of the memberships of `user_column` in the jurisdictions whose codes are
    the first parameter (`ANY(%s)`) and whose status is the second: the rows `access_from` reads.
    Also used inside the token look-up (`core.authentication`), which answers both at once."""
    return (
        f"FROM {sqlrows.public_table(Membership)} m "
        f'INNER JOIN {sqlrows.public_table(Jurisdiction)} j ON j."id" = m."jurisdiction_id" '
        f'WHERE m."user_id" = {user_column} AND j."code" = ANY(%s) AND j."status" = %s'
    )


@cache
def _access_sql() -> str:
    return f'SELECT j."code", m."role", m."unit_name" {memberships_sql("%s")}'


def access_params(jurisdiction: Jurisdiction) -> list[Any]:
    """The parameters of `memberships_sql`: this jurisdiction and its ancestors, if active."""
    return [[*jurisdiction.ancestor_codes, jurisdiction.code], Jurisdiction.Status.ACTIVE.value]


def access_from(user: Any, jurisdiction: Jurisdiction, rows: Iterable[tuple[str, str, str]]) -> Access:
    """The access that the user's (code, role, unit name) membership rows give here."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access(jurisdiction, NO_ACCESS_ROLES, False)
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


def access_for(user: Any, jurisdiction: Jurisdiction) -> Access:
    """One query: the user's roles here and in the ancestors (active jurisdictions only).

    Hand-written (core/sqlrows.py): it runs on every tenant request, and compiling the same
    statement through the ORM cost more CPU than the rest of the permission check."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access(jurisdiction, NO_ACCESS_ROLES, False)
    rows = sqlrows.fetch(_access_sql(), [user.pk, *access_params(jurisdiction)])
    return access_from(user, jurisdiction, rows)


def remember_access(request: HttpRequest, user: Any, access: Access) -> None:
    """Keep `access` as the request's (`request_access`), read by whoever authenticated `user`."""
    request._jurisdiction_access = (getattr(user, "pk", None), access)  # type: ignore[attr-defined]


def request_access(request: HttpRequest) -> Access | None:
    """The access of the request's user to the request's jurisdiction, cached on the request."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return None
    cached = getattr(request, "_jurisdiction_access", None)
    if cached is not None and cached[0] == getattr(request.user, "pk", None):
        return cached[1]
    access = access_for(request.user, tenant)
    remember_access(request, request.user, access)
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
