"""Writes of the core app: sign-in with throttling, sign-on codes, deactivation."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import DomainError, InvalidInput
from core.models import LoginFailure, LoginLock, SignOnCode, User
from core.notifications.phones import normalise_mobile

LOGIN_FAILED_MESSAGE = _("用户名或密码错误。")


class LoginThrottled(DomainError):
    status_code = 429
    default_code = "throttled"

    def __init__(self, until: datetime) -> None:
        super().__init__(_("登录失败次数过多，请稍后再试。"))
        self.until = until

    @property
    def retry_after(self) -> int:
        return max(1, int((self.until - timezone.now()).total_seconds()))


@dataclass(frozen=True)
class ThrottleKey:
    kind: str
    key: str
    limit: int


def _throttle_keys(username: str, ip: str | None) -> list[ThrottleKey]:
    keys = [ThrottleKey(LoginLock.Kind.USERNAME, username.lower(), settings.LOGIN_THROTTLE_USERNAME_FAILURES)]
    if ip:
        keys.append(ThrottleKey(LoginLock.Kind.IP, ip, settings.LOGIN_THROTTLE_IP_FAILURES))
    return keys


def _active_lock(keys: list[ThrottleKey], now: datetime) -> LoginLock | None:
    for key in keys:
        lock = LoginLock.objects.filter(kind=key.kind, key=key.key, until__gt=now).first()
        if lock:
            return lock
    return None


def login_attempt(*, username: str, password: str, ip: str | None) -> User:
    """Check credentials with throttling; return the user or raise one message for every cause.

    A username with 5 failures within 15 minutes, or an address with 100, is refused (429) for
    15 minutes. Successful logins are never counted.
    """
    now = timezone.now()
    keys = _throttle_keys(username, ip)
    lock = _active_lock(keys, now)
    if lock:
        raise LoginThrottled(lock.until)
    user = authenticate(username=username, password=password)
    if user is not None and user.is_active:
        return user  # type: ignore[return-value]
    window_start = now - settings.LOGIN_THROTTLE_WINDOW
    with transaction.atomic():
        LoginFailure.objects.create(username=username.lower()[:150], ip=ip, at=now)
        for key in keys:
            field = "username" if key.kind == LoginLock.Kind.USERNAME else "ip"
            failures = LoginFailure.objects.filter(**{field: key.key, "at__gte": window_start}).count()
            if failures >= key.limit:
                LoginLock.objects.update_or_create(
                    kind=key.kind, key=key.key, defaults={"until": now + settings.LOGIN_THROTTLE_WINDOW}
                )
    raise InvalidInput(LOGIN_FAILED_MESSAGE, code="invalid_credentials", field="non_field_errors")


def token_issue(*, user: User) -> tuple[Any, str]:
    """A new API token for `user` (knox); the user's expired tokens are deleted on the way, since
    requests only look at their own token (`core.authentication`)."""
    from knox.models import AuthToken

    with transaction.atomic():
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        return AuthToken.objects.create(user=user)  # type: ignore[no-any-return]


def login_failures_prune(*, older_than: datetime | None = None) -> int:
    """Delete failure records and locks that can no longer matter (run by Celery beat)."""
    cutoff = older_than or timezone.now() - settings.LOGIN_THROTTLE_WINDOW
    deleted, _unused = LoginFailure.objects.filter(at__lt=cutoff).delete()
    LoginLock.objects.filter(until__lt=timezone.now()).delete()
    return deleted


def sessions_end_everywhere(*, user: User) -> None:
    """End every web session of the user on every host (single sign-out)."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


_SIGNON_SALT = "core.signon"


def _hash_code(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def signon_code_issue(*, user: User, host: str) -> str:
    """Issue a signed, single-use code for `host`, valid for SSO_CODE_MAX_AGE seconds."""
    nonce = secrets.token_urlsafe(32)
    now = timezone.now()
    SignOnCode.objects.create(
        code_hash=_hash_code(nonce),
        user=user,
        host=host,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SSO_CODE_MAX_AGE),
    )
    return signing.dumps({"n": nonce, "h": host}, salt=_SIGNON_SALT, compress=False)


def signon_code_redeem(*, code: str, host: str) -> User | None:
    """Exchange a code for its user, once, on the host it was issued for; None if invalid."""
    try:
        data = signing.loads(code, salt=_SIGNON_SALT, max_age=settings.SSO_CODE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("h") != host or not isinstance(data.get("n"), str):
        return None
    now = timezone.now()
    with transaction.atomic():
        record = (
            SignOnCode.objects.select_for_update()
            .select_related("user")
            .filter(code_hash=_hash_code(data["n"]), host=host, used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if record is None or not record.user.is_active:
            return None
        record.used_at = now
        record.save(update_fields=["used_at"])
    return record.user


def user_deactivate(*, actor: User | None, user: User, reason: str = "") -> User:
    """Deactivate a user (never delete): logins stop, tokens and sessions end, history stays."""
    from knox.models import AuthToken

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            return locked
        locked.is_active = False
        locked.session_generation += 1
        locked.save(update_fields=["is_active", "session_generation"])
        AuthToken.objects.filter(user=locked).delete()
        audit_record(
            actor=actor,
            action="core.user.deactivated",
            obj=locked,
            before={"is_active": True},
            after={"is_active": False},
            comment=reason,
        )
    return locked


#: Audit action of a user's own contact change.
USER_CONTACT_UPDATED = "core.user.contact_updated"


@transaction.atomic
def user_contact_update(*, actor: User, email: str, phone: str) -> User:
    """A user sets their own e-mail and mobile number, where messages reach them. The phone, when
    given, is a mainland mobile number (kept as 11 digits); the e-mail a valid address."""
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(_("请填写有效的电子邮箱。"), field="email", code="invalid") from None
    number = ""
    if (phone or "").strip():
        number = normalise_mobile(phone) or ""
        if not number:
            raise InvalidInput(_("请填写有效的中国大陆手机号码。"), field="phone", code="invalid_phone")
    user = User.objects.select_for_update().get(pk=actor.pk)
    before = {"email": user.email, "phone": user.phone}
    user.email, user.phone = email, number
    user.save(update_fields=["email", "phone"])
    audit_record(
        actor=actor, action=USER_CONTACT_UPDATED, obj=user, before=before, after={"email": email, "phone": number}
    )
    return user
