from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), max_length=256, strip=False, widget=forms.PasswordInput)


class ContactForm(forms.Form):
    """The user's own e-mail and mobile number (个人资料), where messages reach them."""

    email = forms.CharField(label=_("电子邮箱"), max_length=254, required=False)
    phone = forms.CharField(
        label=_("手机号"), max_length=20, required=False, help_text=_("中国大陆手机号，用于接收短信。")
    )
