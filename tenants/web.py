"""The bases of every view on a tenant host, pages and API alike, behind the one permission
layer (tenants.permissions): the jurisdiction of the request, the acting user, validated input."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import serializers
from rest_framework.views import APIView

from core.models import User
from tenants.models import Jurisdiction
from tenants.permissions import JurisdictionPermission, allowed_roles, check_access, request_access


class JurisdictionPageMixin:
    """For class-based pages on a tenant host. Declare `roles` or `roles_by_method` as for the API."""

    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "tenant", None) is None:
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not check_access(request, allowed_roles(self, request)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    @property
    def jurisdiction(self) -> Jurisdiction:
        return cast(Jurisdiction, self.request.tenant)  # type: ignore[attr-defined]

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["access"] = request_access(self.request)
        return context


class TenantApi(APIView):
    """An API view on a tenant host. Subclasses declare `roles` or `roles_by_method`."""

    permission_classes = [JurisdictionPermission]

    @property
    def jurisdiction(self) -> Jurisdiction:
        return cast(Jurisdiction, self.request.tenant)  # type: ignore[attr-defined]

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)


def valid(serializer_class: type[serializers.BaseSerializer], data: Any, **kwargs: Any) -> Any:
    """Validated input, or a 400 with DRF's {field: [messages]} (and the error codes)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
