"""The permission layer for web pages: the same rules as the API (tenants.permissions)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from tenants.permissions import allowed_roles, check_access, request_access


class JurisdictionPageMixin:
    """For class-based pages on a tenant host. Declare `roles` or `roles_by_method` as for the API."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "tenant", None) is None:
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not check_access(request, allowed_roles(self, request)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["access"] = request_access(self.request)  # type: ignore[attr-defined]
        return context
