"""Single sign-on across hosts, the home pages and the jurisdiction switcher."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import login as django_login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.http import host_url, public_url
from core.services import signon_code_issue, signon_code_redeem
from tenants import onboarding, selectors
from tenants.models import Domain, Jurisdiction, Role
from tenants.web import JurisdictionPageMixin
from tenants.workplace import workplace_panels, workplace_shortcuts


def _relative_path(value: str | None) -> str:
    """Only a local absolute path is accepted as a destination (no open redirects)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


# --- Single sign-on (CAS-style) ----------------------------------------------------------


SSO_STATES_KEY = "sso_states"
SSO_STATES_KEPT = 5  # sign-ons started in other tabs of the same browser stay valid


def sso_start(request: HttpRequest) -> HttpResponse:
    """Tenant host: send the visitor to the public host's login, which sends back a code.

    A random state is kept in this browser's session on this host; the code comes back bound to
    it, so a code opened in any other browser is refused (login CSRF).
    """
    if getattr(request, "tenant", None) is None:
        raise Http404
    state = secrets.token_urlsafe(24)
    request.session[SSO_STATES_KEY] = [*request.session.get(SSO_STATES_KEY, []), state][-SSO_STATES_KEPT:]
    query = urlencode(
        {"host": request.get_host().split(":")[0], "state": state, "next": _relative_path(request.GET.get("next"))}
    )
    return HttpResponseRedirect(public_url(request, f"/sso/authorize/?{query}"))


@login_required
def sso_authorize(request: HttpRequest) -> HttpResponse:
    """Public host: issue a short-lived single-use code for a known tenant host and go there."""
    host = (request.GET.get("host") or "").lower()
    domain = Domain.objects.select_related("tenant").filter(domain=host, is_primary=True).first()
    if domain is None or domain.tenant.status != Jurisdiction.Status.ACTIVE:
        return HttpResponseBadRequest(_("未知的辖区地址。"))
    state = request.GET.get("state") or ""
    if not 16 <= len(state) <= 64:
        return HttpResponseBadRequest(_("登录链接无效。"))
    code = signon_code_issue(user=request.user, host=host, state=state)  # type: ignore[arg-type]
    query = urlencode({"code": code, "next": _relative_path(request.GET.get("next"))})
    return HttpResponseRedirect(host_url(request, host, f"/sso/callback/?{query}"))


def sso_callback(request: HttpRequest) -> HttpResponse:
    """Tenant host: exchange the code for this host's own session."""
    if getattr(request, "tenant", None) is None:
        raise Http404
    host = request.get_host().split(":")[0]
    states = request.session.get(SSO_STATES_KEY, [])
    user = signon_code_redeem(code=request.GET.get("code", ""), host=host, session_states=states)
    if user is None:
        return render(
            request,
            "tenants/host_refused.html",
            {
                "title": _("登录链接无效"),
                "message": _("登录链接已失效或已使用，请重新登录。"),
                "retry": True,
                "code": "invalid_signon",
            },
            status=400,
        )
    django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # a new session
    return HttpResponseRedirect(_relative_path(request.GET.get("next")))


# --- Landing, the chooser and the workplace ------------------------------------------------


def landing_url(request: HttpRequest, user: Any) -> str:
    """Where a signed-in user's work is: the one jurisdiction's workplace, a provider's order
    inbox, or (several jurisdictions, or none) the chooser on the public home page."""
    jurisdictions = {m.jurisdiction.code: m.jurisdiction for m in selectors.user_active_memberships(user=user)}
    if len(jurisdictions) == 1:
        return host_url(request, next(iter(jurisdictions.values())).host, "/")
    if not jurisdictions and hasattr(user, "provider_staff"):  # provider staff hold no memberships
        return public_url(request, "/provider/")
    return public_url(request, "/")


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """Public host: the default destination after sign-in (LOGIN_REDIRECT_URL)."""
    return HttpResponseRedirect(landing_url(request, request.user))


def public_home(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"provinces": selectors.jurisdiction_directory().filter(parent__isnull=True)}
    if request.user.is_authenticated:
        context["memberships"] = selectors.user_memberships(user=request.user)  # type: ignore[arg-type]
        context["overseen"] = selectors.user_overseen_roots(user=request.user)  # type: ignore[arg-type]
        context["chooser"] = selectors.jurisdictions_pending(user=request.user)  # type: ignore[arg-type]
        context["is_onboarding_reviewer"] = bool(onboarding.reviewer_roots(request.user))  # type: ignore[arg-type]
    return render(request, "tenants/public_home.html", context)


class TenantHomeView(JurisdictionPageMixin, TemplateView):
    """The workplace (工作台): the user's to-do here, by role, most urgent first; then shortcuts
    to the pages the user's roles may open (tenants.workplace)."""

    template_name = "tenants/tenant_home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        access = context["access"]
        jurisdiction = self.request.tenant  # type: ignore[attr-defined]
        context["roles"] = [Role(role).label for role in sorted(access.roles)]
        context["panels"] = workplace_panels(access, self.request.user)
        context["pending"] = sum(p.count for p in context["panels"])
        context["shortcuts"] = workplace_shortcuts(self.request, access)
        context["can_outbox"] = Role.ADMIN in access.roles
        context["children"] = jurisdiction.children.order_by("code")
        context["ancestors"] = Jurisdiction.objects.filter(code__in=jurisdiction.ancestor_codes).order_by("path")
        return context


class SubtreeView(JurisdictionPageMixin, TemplateView):
    """Every jurisdiction below this one, for its overseers to switch into (read-only there)."""

    template_name = "tenants/subtree.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["subtree"] = selectors.jurisdiction_subtree(jurisdiction=self.request.tenant)  # type: ignore[attr-defined]
        return context
