"""Template context for every page: the platform, the current jurisdiction and the switcher."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core.http import host_url, public_url


def jurisdiction(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    context: dict[str, Any] = {
        "platform_name": settings.PLATFORM_NAME,
        "current_jurisdiction": tenant,
        "public_home_url": public_url(request, "/"),
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from tenants.selectors import user_memberships

        switcher: dict[str, dict[str, Any]] = {}
        for membership in user_memberships(user=user):
            j = membership.jurisdiction
            entry = switcher.setdefault(
                j.code, {"code": j.code, "name": j.name, "url": host_url(request, j.host), "roles": []}
            )
            entry["roles"].append(membership.get_role_display())
        context["switcher"] = list(switcher.values())
    return context
