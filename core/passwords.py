"""Password writes: a user changes their own; an administrator sends a reset link by e-mail.

A change or a reset ends every other session (the session hash includes the password) and every
API token of the user, and is audited. The old password of a change is checked through the
sign-in throttle, so the change form is no way around it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import InvalidInput
from core.http import site_url
from core.models import Notification, User
from core.notifications import notify
from core.services import login_attempt

# Audit action codes (not secrets).
ACTION_CHANGED = "core.user.password_changed"
ACTION_RESET_SENT = "core.user.password_reset_sent"
ACTION_RESET = "core.user.password_reset"


def _new_password_checked(user: User, password: str, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(str(m) for m in exc.messages), field=field, code="password_invalid") from None


def _password_set(user: User, password: str) -> User:
    """Set the password on the locked row; end the user's API tokens (sessions end by their hash)."""
    from knox.models import AuthToken

    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.set_password(password)
    locked.save(update_fields=["password"])
    AuthToken.objects.filter(user=locked).delete()
    return locked


def user_password_change(*, user: User, old_password: str, new_password: str, ip: str | None) -> User:
    """Change one's own password: the old one checked through the sign-in throttle (a wrong one
    counts as a failed sign-in; `LoginThrottled` when locked), the new one by the validators."""
    try:
        login_attempt(username=user.username, password=old_password, ip=ip)
    except InvalidInput:
        raise InvalidInput(_("原密码不正确。"), field="old_password", code="wrong_password") from None
    if old_password == new_password:
        raise InvalidInput(_("新密码不能与原密码相同。"), field="new_password", code="password_unchanged")
    _new_password_checked(user, new_password, "new_password")
    with transaction.atomic():
        changed = _password_set(user, new_password)
        audit_record(actor=changed, action=ACTION_CHANGED, obj=changed)
    return changed


def password_reset_url(user: User) -> str:
    """The one-time reset link on the public host (valid PASSWORD_RESET_TIMEOUT, until used)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password-reset-confirm", urlconf="config.urls_public", args=[uid, token])
    return site_url(settings.BASE_DOMAIN, path)


def password_reset_send(*, actor: User, user: User, jurisdiction_code: str = "") -> list[Notification]:
    """E-mail the user a reset link through the outbox; audited. Call with the actor's right to
    do so already checked (a jurisdiction's admin for its member, or platform staff)."""
    if not user.is_active:
        raise InvalidInput(_("该用户已停用。"), field="user", code="user_inactive")
    if not user.email:
        raise InvalidInput(_("该用户没有登记电子邮箱，无法发送重置链接。"), field="user", code="no_email")
    with transaction.atomic():
        rows = notify(
            recipients=[user],
            event=ACTION_RESET_SENT,
            subject=str(_("重置密码")),
            body=_("%(actor)s 为您发起了密码重置。请在 %(days)s 天内打开以下链接设置新密码（仅可使用一次）：%(url)s")
            % {
                "actor": actor.label,
                "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
                "url": password_reset_url(user),
            },
            channels=("email",),
            jurisdiction_code=jurisdiction_code,
        )
        audit_record(
            actor=actor,
            action=ACTION_RESET_SENT,
            jurisdiction_code=jurisdiction_code,
            obj=user,
            after={"email": user.email},
        )
    return rows


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The user of a valid, unused, unexpired reset link; None otherwise."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def password_reset_complete(*, uidb64: str, token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link is used up (the token depends on the hash)."""
    user = password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        raise InvalidInput(_("重置链接无效或已过期。"), code="reset_link_invalid")
    _new_password_checked(user, new_password, "new_password")
    with transaction.atomic():
        changed = _password_set(user, new_password)
        audit_record(actor=changed, action=ACTION_RESET, obj=changed)
    return changed
