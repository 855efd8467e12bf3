from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from core.http import client_ip
from core.services import LoginThrottled, login_attempt


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), max_length=256, strip=False, widget=forms.PasswordInput)


class ContactForm(forms.Form):
    """The user's own e-mail and mobile number (个人资料), where messages reach them."""

    email = forms.CharField(label=_("电子邮箱"), max_length=254, required=False)
    phone = forms.CharField(
        label=_("手机号"), max_length=20, required=False, help_text=_("中国大陆手机号，用于接收短信。")
    )


class NewPasswordForm(forms.Form):
    """A new password typed twice (the validators run in the service)."""

    new_password = forms.CharField(label=_("新密码"), max_length=256, strip=False, widget=forms.PasswordInput)
    new_password_again = forms.CharField(
        label=_("再次输入新密码"), max_length=256, strip=False, widget=forms.PasswordInput
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("new_password") and cleaned.get("new_password") != cleaned.get("new_password_again"):
            self.add_error("new_password_again", forms.ValidationError(_("两次输入的新密码不一致。"), code="mismatch"))
        return cleaned


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(label=_("原密码"), max_length=256, strip=False, widget=forms.PasswordInput)

    field_order = ["old_password", "new_password", "new_password_again"]


class AdminLoginForm(AdminAuthenticationForm):
    """/admin/login/ through the one throttled sign-in service (the same counters as every path)."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                ip = client_ip(self.request) if self.request is not None else None
                self.user_cache = login_attempt(username=username, password=password, ip=ip)
            except LoginThrottled as exc:
                raise forms.ValidationError(str(exc.message), code="throttled") from None
            except InvalidInput:
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class FormRenderer(DjangoTemplates):
    """Django's form templates, except the error list: each error carries its stable code as
    `data-code` (core/form_templates), which tests and scripts read instead of the message."""

    @cached_property
    def engine(self) -> Any:
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    Path(__file__).resolve().parent / "form_templates",
                    Path(forms.__file__).parent / "templates",
                ],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )
