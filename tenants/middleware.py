"""Routes each request by host: the public site on BASE_DOMAIN, a jurisdiction on its subdomain.

Unknown hosts get a clear 404 page, suspended jurisdictions a clear 503 page, an old host (after
a slug rename) a permanent redirect to the primary one. Never a 500.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from tenants.hosts import jurisdiction_for_host
from tenants.models import Jurisdiction
from tenants.schema import activate, activate_public


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.META.get("HTTP_ACCEPT", "")


class JurisdictionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _route(self, request: HttpRequest) -> HttpResponse:
        hostname = request.get_host().split(":")[0].lower().rstrip(".")
        request.tenant = None  # type: ignore[attr-defined]
        if hostname == settings.BASE_DOMAIN:
            activate_public()
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
            return self.get_response(request)

        # Looked up in the public schema by name, under whatever path the thread's last request
        # left: switching to public first would cost a `SET search_path` per request, and
        # switching back another.
        found = jurisdiction_for_host(hostname)
        if found is None:
            activate_public()
            return self._refuse(
                request,
                404,
                "unknown_host",
                _("未找到该辖区"),
                _("地址 %(host)s 不属于任何辖区。") % {"host": hostname},
            )
        tenant, is_primary = found
        if not is_primary:
            activate_public()
            primary = tenant.domains.filter(is_primary=True).first()
            if primary is not None:
                port = request.get_port()
                port_part = "" if port in ("80", "443") else f":{port}"
                target = f"{request.scheme}://{primary.domain}{port_part}{request.get_full_path()}"
                return HttpResponsePermanentRedirect(target, status=301 if request.method in ("GET", "HEAD") else 308)
        if tenant.status != Jurisdiction.Status.ACTIVE:
            activate_public()
        if tenant.status == Jurisdiction.Status.SUSPENDED:
            return self._refuse(
                request,
                503,
                "suspended",
                _("该辖区已停用"),
                _("%(name)s 暂停使用，数据保持不变。") % {"name": tenant.name},
            )
        if tenant.status != Jurisdiction.Status.ACTIVE:
            return self._refuse(
                request,
                503,
                "not_active",
                _("该辖区正在开通"),
                _("%(name)s 尚未开通，请稍后再试。") % {"name": tenant.name},
            )

        activate(tenant)
        request.tenant = tenant  # type: ignore[attr-defined]
        request.urlconf = settings.ROOT_URLCONF  # type: ignore[attr-defined]
        return self.get_response(request)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Refusals are answered before LocaleMiddleware runs: choose the language here, or the
        # thread would keep the language of whatever request it served before.
        with translation.override(translation.get_language_from_request(request)):
            return self._route(request)

    def _refuse(self, request: HttpRequest, status: int, code: str, title: str, message: str) -> HttpResponse:
        if _wants_json(request):
            return JsonResponse({"detail": message, "code": code}, status=status)
        context = {"title": title, "message": message, "code": code}
        return render(request, "tenants/host_refused.html", context, status=status)
