"""Onboarding pages on the public host: the application form, its tracking page, the review queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.http import client_ip
from tenants import onboarding
from tenants.models import APPLICATION_TRANSITIONS, Application


class ApplicationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("辖区名称"), max_length=100)
    code = forms.CharField(label=gettext_lazy("区划代码（六位）"), max_length=6)
    level = forms.ChoiceField(
        label=gettext_lazy("层级"), choices=[("city", gettext_lazy("地市级")), ("county", gettext_lazy("县区级"))]
    )
    parent_code = forms.CharField(label=gettext_lazy("上级辖区代码"), max_length=6)
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=50)
    contact_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20)
    contact_email = forms.EmailField(label=gettext_lazy("联系邮箱（可选）"), required=False)
    admin_username = forms.CharField(label=gettext_lazy("首位管理员用户名"), max_length=150)
    admin_password = forms.CharField(label=gettext_lazy("管理员密码"), widget=forms.PasswordInput, strip=False)


def _public_only(request: HttpRequest) -> None:
    if getattr(request, "tenant", None) is not None:
        raise Http404


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """The application form (anonymous); the answer is the tracking page's address."""
    _public_only(request)
    form = ApplicationForm(request.POST or None)
    if request.method == "GET":
        return render(request, "tenants/onboarding_apply.html", {"form": form})
    ip = client_ip(request)
    if not onboarding.application_throttle_hit(ip):
        message = _("申请过于频繁：每个地址每小时最多提交 %(n)s 次，请一小时后再试。") % {
            "n": onboarding.applications_per_hour()
        }
        return render(request, "tenants/onboarding_apply.html", {"form": form, "throttled": message}, status=429)
    data = {name: request.POST.get(name, "") for name in [*onboarding.FIELDS, "contact_email"]}
    try:
        application, token = onboarding.application_submit(data=data, client_ip=ip)
    except ValidationError as exc:
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)  # with its code
        return render(request, "tenants/onboarding_apply.html", {"form": form}, status=400)
    return HttpResponseRedirect(f"/onboarding/track/{application.pk}/{token}/")


def track(request: HttpRequest, application_id: int, token: str) -> HttpResponse:
    """Where the application stands, with the provisioning steps (refreshes while in progress)."""
    _public_only(request)
    application = onboarding.application_tracked(application_id=application_id, token=token)
    if application is None:
        raise Http404(_("未找到该申请。"))
    tracking_url = request.build_absolute_uri()
    return render(
        request,
        "tenants/onboarding_track.html",
        {
            "application": application,
            "tracking_url": tracking_url,
            "refresh": application.status in Application.PENDING,
        },
    )


#: Applications a reviewer may still decide (approve or reject): the table's sources.
_OPEN = sorted(APPLICATION_TRANSITIONS["approve"].sources | APPLICATION_TRANSITIONS["reject"].sources)


def _queue(request: HttpRequest) -> dict[str, Any]:
    rows = onboarding.applications_reviewable(user=request.user)
    return {
        "pending": list(rows.filter(status__in=_OPEN)),
        "recent": list(rows.exclude(status__in=_OPEN)[:50]),
        "is_reviewer": bool(onboarding.reviewer_roots(request.user)),
    }


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """The queue of the admins of a parent jurisdiction or an ancestor: pending first."""
    _public_only(request)
    context = _queue(request)
    return render(request, "tenants/onboarding_review.html", context, status=200 if context["is_reviewer"] else 403)


@login_required
@require_POST
def review_decide(request: HttpRequest, application_id: int, decision: str) -> HttpResponse:
    _public_only(request)
    try:
        if decision == "approve":
            application = onboarding.application_approve(actor=request.user, application_id=application_id)  # type: ignore[arg-type]
            messages.success(request, _("已批准 %(name)s，正在开通。") % {"name": application.name})
        elif decision == "reject":
            application = onboarding.application_reject(
                actor=request.user,  # type: ignore[arg-type]
                application_id=application_id,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("已驳回 %(name)s 的申请。") % {"name": application.name})
        else:
            raise Http404
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404(str(exc.message)) from exc
        messages.error(request, str(exc.message), extra_tags=exc.code)
        return render(request, "tenants/onboarding_review.html", _queue(request), status=exc.status_code)
    return HttpResponseRedirect("/onboarding/review/")
