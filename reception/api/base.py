"""What every reception API view shares: the permission layer, the jurisdiction, input checks."""

from __future__ import annotations

from typing import Any, cast

from rest_framework import serializers
from rest_framework.views import APIView

from reception.scopes import UnitScope, check_route, scope_of
from tenants.models import Jurisdiction
from tenants.permissions import JurisdictionPermission, request_access


class ReceptionApi(APIView):
    """A view on a tenant host. Subclasses declare `roles` or `roles_by_method`."""

    permission_classes = [JurisdictionPermission]

    @property
    def jurisdiction(self) -> Jurisdiction:
        return cast(Jurisdiction, self.request.tenant)  # type: ignore[attr-defined]

    @property
    def scope(self) -> UnitScope | None:
        """A counterpart user's unit (lists are limited to it); None for every other caller."""
        return scope_of(request_access(self.request), self.request.user)

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        check_route(access=request_access(request), user=request.user, kwargs=kwargs)


def valid(serializer_class: type[serializers.BaseSerializer], data: Any, **kwargs: Any) -> Any:
    """Validated input, or a 400 with DRF's {field: [messages]}."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def split_version(data: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
    changes = dict(data)
    return changes, changes.pop("version", None)
