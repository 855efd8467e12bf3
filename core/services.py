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
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import DomainError, InvalidInput
from core.models import LoginCounter, SignOnCode, User
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
    keys = [ThrottleKey(LoginCounter.Kind.USERNAME, username.lower()[:150], settings.LOGIN_THROTTLE_USERNAME_FAILURES)]
    if ip:
        keys.append(ThrottleKey(LoginCounter.Kind.IP, ip, settings.LOGIN_THROTTLE_IP_FAILURES))
    return keys


def _keys_filter(keys: list[ThrottleKey]) -> Q:
    condition = Q(pk__in=[])
    for key in keys:
        condition |= Q(kind=key.kind, key=key.key)
    return condition


def _counters_locked(keys: list[ThrottleKey], now: datetime) -> list[tuple[ThrottleKey, LoginCounter]]:
    """The keys' counter rows, created if missing (ON CONFLICT DO NOTHING) and locked FOR UPDATE.

    Rows are locked in (kind, key) order so that two attempts never wait for each other crosswise.
    """
    LoginCounter.objects.bulk_create(
        [LoginCounter(kind=key.kind, key=key.key, window_started_at=now) for key in keys], ignore_conflicts=True
    )
    rows = {
        (row.kind, row.key): row
        for row in LoginCounter.objects.select_for_update().filter(_keys_filter(keys)).order_by("kind", "key")
    }
    return [(key, rows[(key.kind, key.key)]) for key in keys]


def _attempt_reserve(keys: list[ThrottleKey], now: datetime) -> None:
    """Count the attempt as a failure before its password is checked, or refuse it.

    Counting first is what makes the limit exact: however many attempts run at once, in however
    many processes, at most `limit` of them get a password check per window.
    """
    window = settings.LOGIN_THROTTLE_WINDOW
    with transaction.atomic():
        refused_until: datetime | None = None
        counters = _counters_locked(keys, now)
        for key, row in counters:
            if row.locked_until is not None and row.locked_until > now:
                refused_until = max(refused_until or row.locked_until, row.locked_until)
                continue
            if row.locked_until is not None or row.window_started_at <= now - window:
                row.failures, row.window_started_at, row.locked_until = 0, now, None  # a fresh window
            if row.failures >= key.limit:  # attempts still being checked have taken the last places
                until = row.window_started_at + window
                refused_until = max(refused_until or until, until)
        if refused_until is not None:
            raise LoginThrottled(refused_until)
        for _key, row in counters:
            row.failures += 1
            row.save(update_fields=["failures", "window_started_at", "locked_until"])


def _attempt_failed(keys: list[ThrottleKey], now: datetime) -> None:
    """The reserved attempt failed: lock every key that has reached its limit."""
    with transaction.atomic():
        for key, row in _counters_locked(keys, now):
            if row.failures >= key.limit and (row.locked_until is None or row.locked_until <= now):
                row.locked_until = now + settings.LOGIN_THROTTLE_WINDOW
                row.save(update_fields=["locked_until"])


def _attempt_succeeded(keys: list[ThrottleKey]) -> None:
    """Successes never count: give the reserved failure back."""
    LoginCounter.objects.filter(_keys_filter(keys)).update(failures=Greatest(F("failures") - 1, 0))


def login_attempt(*, username: str, password: str, ip: str | None) -> User:
    """Check credentials with throttling; return the user or raise one message for every cause.

    Every sign-in path calls this (the API, the login page, /admin/login/). A username with 5
    failures within 15 minutes, or an address with 100, is refused (429) for 15 minutes, the
    right password included. The counters are rows in the public schema, shared by every worker
    process; successful logins are never counted.
    """
    now = timezone.now()
    keys = _throttle_keys(username, ip)
    _attempt_reserve(keys, now)
    user = authenticate(username=username, password=password)
    if user is not None and user.is_active:
        _attempt_succeeded(keys)
        return user  # type: ignore[return-value]
    _attempt_failed(keys, timezone.now())
    raise InvalidInput(LOGIN_FAILED_MESSAGE, code="invalid_credentials", field="non_field_errors")


def token_issue(*, user: User) -> tuple[Any, str]:
    """A new API token for `user` (knox); the user's expired tokens are deleted on the way, since
    requests only look at their own token (`core.authentication`)."""
    from knox.models import AuthToken

    with transaction.atomic():
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        return AuthToken.objects.create(user=user)  # type: ignore[no-any-return]


def login_failures_prune(*, older_than: datetime | None = None) -> int:
    """Delete counters that can no longer matter: window over and no lock (run by Celery beat)."""
    now = timezone.now()
    cutoff = older_than or now - settings.LOGIN_THROTTLE_WINDOW
    deleted, _unused = (
        LoginCounter.objects.filter(window_started_at__lt=cutoff)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .delete()
    )
    return deleted


def sessions_end_everywhere(*, user: User) -> None:
    """End every web session of the user on every host (single sign-out)."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


_SIGNON_SALT = "core.signon"


def _hash_code(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def signon_code_issue(*, user: User, host: str, state: str) -> str:
    """Issue a signed, single-use code for `host`, valid for SSO_CODE_MAX_AGE seconds.

    `state` is the random value the tenant host kept in the session that started the sign-on;
    the code carries it, and only that session can redeem the code (no login CSRF).
    """
    nonce = secrets.token_urlsafe(32)
    now = timezone.now()
    SignOnCode.objects.create(
        code_hash=_hash_code(nonce),
        user=user,
        host=host,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SSO_CODE_MAX_AGE),
    )
    return signing.dumps({"n": nonce, "h": host, "s": state}, salt=_SIGNON_SALT, compress=False)


def signon_code_redeem(*, code: str, host: str, session_states: list[str]) -> User | None:
    """Exchange a code for its user, once, on the host it was issued for and in the session that
    started the sign-on (its state among `session_states`); None if invalid."""
    try:
        data = signing.loads(code, salt=_SIGNON_SALT, max_age=settings.SSO_CODE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("h") != host or not isinstance(data.get("n"), str):
        return None
    state = data.get("s")
    if not isinstance(state, str) or not any(secrets.compare_digest(state, kept) for kept in session_states):
        return None  # opened in another browser than the one that asked for it
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
