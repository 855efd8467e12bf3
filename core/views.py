"""Web sign-in on the public host, and sign-out everywhere (any host)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import InvalidInput
from core.forms import ContactForm, LoginForm, NewPasswordForm, PasswordChangeForm
from core.http import client_ip, public_url
from core.passwords import password_reset_complete, password_reset_user, user_password_change
from core.services import LoginThrottled, login_attempt, sessions_end_everywhere, user_contact_update


def safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """The one login page, on the public host; tenant hosts reach it through single sign-on.
    A signed-in user never sees it again: they go where `next` says, or to their work."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(safe_next(request, settings.LOGIN_REDIRECT_URL))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = login_attempt(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"], ip=client_ip(request)
            )
        except LoginThrottled as exc:
            form.add_error(None, ValidationError(str(exc.message), code=exc.code))
            status = 429
        except InvalidInput as exc:
            form.add_error(None, ValidationError(str(exc.message), code=exc.code))
            status = 400
        else:
            django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect(safe_next(request, settings.LOGIN_REDIRECT_URL))
    elif request.method == "POST":
        status = 400
    return render(request, "core/login.html", {"form": form, "next": safe_next(request, "")}, status=status)


@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    """The signed-in user's profile on any host: name, username, e-mail and mobile number."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    form = ContactForm(request.POST or None, initial={"email": user.email, "phone": user.phone})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user_contact_update(actor=user, email=form.cleaned_data["email"], phone=form.cleaned_data["phone"])  # type: ignore[arg-type]
            except InvalidInput as exc:
                form.add_error(
                    exc.field if exc.field in form.fields else None, ValidationError(str(exc.message), code=exc.code)
                )
            else:
                messages.success(request, _("个人资料已保存。"))
                return HttpResponseRedirect(reverse("profile"), status=303)
    return render(request, "core/profile.html", {"form": form}, status=status)


def _form_error(form: Any, exc: InvalidInput) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, ValidationError(str(exc.message), code=exc.code))


@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    """Any signed-in user, on any host: change one's own password (修改密码). This session stays
    signed in; every other session and API token of the user ends."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = user_password_change(
                    user=request.user,  # type: ignore[arg-type]
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password"],
                    ip=client_ip(request),
                )
            except LoginThrottled as exc:
                form.add_error(None, ValidationError(str(exc.message), code=exc.code))
                status = 429
            except InvalidInput as exc:
                _form_error(form, exc)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("密码已修改，其他设备上的登录已退出。"))
                return HttpResponseRedirect(reverse("profile"), status=303)
    return render(request, "core/password_change.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def password_reset_confirm_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Public host: set a new password from the link an administrator had e-mailed (once)."""
    if password_reset_user(uidb64=uidb64, token=token) is None:
        return render(request, "core/password_reset.html", {"invalid": True}, status=400)
    form = NewPasswordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                password_reset_complete(uidb64=uidb64, token=token, new_password=form.cleaned_data["new_password"])
            except InvalidInput as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("密码已重置，请用新密码登录。"))
                return HttpResponseRedirect(reverse("login"), status=303)
    return render(request, "core/password_reset.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out of every host at once: all sessions of the user stop validating."""
    if request.user.is_authenticated:
        sessions_end_everywhere(user=request.user)  # type: ignore[arg-type]
    django_logout(request)
    return HttpResponseRedirect(public_url(request, "/accounts/login/"))


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage is a 503 with a clear page (or JSON), never a traceback page."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import JsonResponse
    from django.template import loader

    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, (OperationalError, InterfaceError))
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        body = {"detail": "服务暂时不可用，请稍后重试。", "code": "unavailable" if unavailable else "server_error"}
        return JsonResponse(body, status=status, headers={"Retry-After": "5"})
    html = loader.get_template("500.html").render()
    response = HttpResponse(html, status=status)
    if unavailable:
        response["Retry-After"] = "5"
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: JSON under /api/ on every host (clients parse it), the plain page elsewhere."""
    from django.http import JsonResponse
    from django.utils.translation import gettext as _
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。"), "code": "not_found"}, status=404)
    return page_not_found(request, exception or Exception())


def ping(request: HttpRequest) -> HttpResponse:
    """A plain Django JSON view through the whole middleware stack: the load test's upper bound."""
    from django.http import JsonResponse

    return JsonResponse({"pong": True})
