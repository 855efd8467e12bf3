"""What every reception API view shares: the permission layer, the jurisdiction, input checks."""

from __future__ import annotations

from typing import Any

from reception.scopes import UnitScope, check_route, scope_of
from tenants.permissions import request_access
from tenants.web import TenantApi, valid

__all__ = ["ReceptionApi", "split_version", "valid"]


class ReceptionApi(TenantApi):
    """A view on a tenant host. Subclasses declare `roles` or `roles_by_method`."""

    @property
    def scope(self) -> UnitScope | None:
        """A counterpart user's unit (lists are limited to it); None for every other caller."""
        return scope_of(request_access(self.request), self.request.user)

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        check_route(access=request_access(request), user=request.user, kwargs=kwargs)


def split_version(data: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
    changes = dict(data)
    return changes, changes.pop("version", None)
