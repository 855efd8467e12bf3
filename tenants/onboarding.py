"""Self-onboarding of pilot cities and counties: apply, review, provision (自助开通).

    application_submit  anonymous, on the public host: every field checked, the password hashed
                        at once, a tracking token returned once (only its SHA-256 is kept)
    application_approve an admin of the parent or of an ancestor → `provisioning`, then the
                        Celery task `tenants.onboarding_provision` runs `application_provision`
    application_reject  the same reviewers, with a reason → `rejected`
    application_provision
                        one transaction: a spare schema renamed (or the template cloned, refusing
                        a stale one), the jurisdiction row, its domain, the first admin and her
                        membership, every registered provisioning step (default standards, …),
                        status `active`. Any failure rolls all of it back (the schema too: DDL is
                        transactional in PostgreSQL) and the application shows `failed` with the
                        reason; approving it again retries.

Progress is written through a second database connection as each step ends, so the tracking
page shows it while the provisioning transaction is still open.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from core.audit import audit_record
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.models import User
from core.notifications import Recipient, notify
from core.ratelimit import rate_hit
from core.transitions import transition_require
from tenants.models import (
    APPLICATION_ACTIONS,
    APPLICATION_TRANSITIONS,
    Application,
    Division,
    Domain,
    Jurisdiction,
    Level,
    Membership,
    Role,
)
from tenants.pool import spare_claim
from tenants.provisioning import provisioning_steps, schema_clone, schema_drop
from tenants.schema import activate_public, tenant_context
from tenants.services import validate_code_fits_parent
from tenants.slugs import RESERVED, unique_slug

logger = logging.getLogger("tenants.onboarding")

FIELDS = (
    "name",
    "code",
    "level",
    "parent_code",
    "contact_name",
    "contact_phone",
    "admin_username",
    "admin_password",
)
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,19}$")
_CODE = re.compile(r"^\d{6}$")


# --- Throttle ------------------------------------------------------------------------------

WINDOW_SECONDS = 3600


def applications_per_hour() -> int:
    return int(getattr(settings, "ONBOARDING_APPLICATIONS_PER_HOUR", 30))


def application_throttle_hit(ip: str | None) -> bool:
    """Count one application attempt from `ip`; False once this hour's allowance is used up."""
    return not rate_hit("tenants-onboarding", ip, limit=applications_per_hour(), window=WINDOW_SECONDS)


# --- Tokens --------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def application_tracked(*, application_id: Any, token: str | None) -> Application | None:
    """The application when `token` is its tracking token; None otherwise (never says which)."""
    try:
        pk = int(application_id)
    except (TypeError, ValueError):
        return None
    if not token or len(token) > 200:
        return None
    application = Application.objects.select_related("jurisdiction", "parent").filter(pk=pk).first()
    if application is None or not constant_time_compare(application.tracking_token_hash, _token_hash(token)):
        return None
    return application


# --- Submission ----------------------------------------------------------------------------


def _text(data: dict[str, Any], name: str, errors: dict[str, list[str]], *, max_length: int) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(name, []).append(_("此项为必填项。"))
        return ""
    if not isinstance(value, str):
        errors.setdefault(name, []).append(_("必须是文本。"))
        return ""
    value = value.strip()
    if "\x00" in value:
        errors.setdefault(name, []).append(_("包含无效字符。"))
        return ""
    if len(value) > max_length:
        errors.setdefault(name, []).append(_("不能超过 %(n)s 个字符。") % {"n": max_length})
        return ""
    return value


def application_errors(data: dict[str, Any]) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Check an application; returns ({field: [messages]}, cleaned values)."""
    errors: dict[str, list[str]] = {}
    name = _text(data, "name", errors, max_length=100)
    code = _text(data, "code", errors, max_length=6)
    level = _text(data, "level", errors, max_length=10)
    parent_code = _text(data, "parent_code", errors, max_length=6)
    contact_name = _text(data, "contact_name", errors, max_length=50)
    contact_phone = _text(data, "contact_phone", errors, max_length=20)
    username = _text(data, "admin_username", errors, max_length=150)
    password = data.get("admin_password")
    if not isinstance(password, str) or not password:
        errors.setdefault("admin_password", []).append(_("此项为必填项。"))
        password = ""
    elif len(password) > 128 or "\x00" in password:
        errors.setdefault("admin_password", []).append(_("密码不能超过 128 个字符。"))
        password = ""
    email = data.get("contact_email") or ""
    if not isinstance(email, str):
        errors.setdefault("contact_email", []).append(_("必须是文本。"))
        email = ""
    email = email.strip()
    if email:
        try:
            EmailValidator(message=_("请输入有效的电子邮箱。"))(email)
        except ValidationError as exc:
            errors.setdefault("contact_email", []).extend(str(m) for m in exc.messages)

    if code and not _CODE.match(code):
        errors.setdefault("code", []).append(_("辖区代码必须是六位数字。"))
        code = ""
    if parent_code and not _CODE.match(parent_code):
        errors.setdefault("parent_code", []).append(_("上级代码必须是六位数字。"))
        parent_code = ""
    if level and level not in (Level.CITY, Level.COUNTY):
        errors.setdefault("level", []).append(_("只能申请地市级（city）或县区级（county）辖区。"))
        level = ""
    if contact_phone and not _PHONE.match(contact_phone):
        errors.setdefault("contact_phone", []).append(_("请输入有效的联系电话。"))

    parent: Jurisdiction | None = None
    if code and level and parent_code:
        try:
            validate_code_fits_parent(code=code, level=level, parent_code=parent_code)
        except InvalidInput as exc:
            errors.setdefault(exc.field or "code", []).append(str(exc.message))
    if parent_code:
        parent = Jurisdiction.objects.filter(code=parent_code).first()
        if parent is None:
            errors.setdefault("parent_code", []).append(_("上级辖区 %(code)s 不存在。") % {"code": parent_code})
        elif parent.status != Jurisdiction.Status.ACTIVE:
            errors.setdefault("parent_code", []).append(_("上级辖区 %(code)s 未启用。") % {"code": parent_code})
            parent = None
        elif parent.level == Level.COUNTY or (level == Level.CITY and parent.level != Level.PROVINCE):
            errors.setdefault("parent_code", []).append(_("上级辖区的层级不符。"))
            parent = None
    if code and "code" not in errors:
        province = code[:2] + "0000"
        if Division.objects.filter(province_code=province).exists() and not Division.objects.filter(code=code).exists():
            errors.setdefault("code", []).append(_("代码 %(code)s 不在官方行政区划表中。") % {"code": code})
        elif Jurisdiction.objects.filter(code=code).exists():
            errors.setdefault("code", []).append(_("辖区 %(code)s 已开通。") % {"code": code})
        elif Application.objects.filter(code=code, status__in=Application.PENDING).exists():
            errors.setdefault("code", []).append(_("辖区 %(code)s 已有待处理的开通申请。") % {"code": code})
    if username:
        # Whether the name is taken is not said here (the form is anonymous: it would tell anyone
        # which usernames exist); the reviewer's approval checks it (`username_taken`).
        try:
            User.username_validator(username)
        except ValidationError:
            errors.setdefault("admin_username", []).append(_("用户名只能包含字母、数字和 @/./+/-/_ 。"))
    if password:
        try:
            validate_password(password, User(username=username, display_name=contact_name))
        except ValidationError as exc:
            errors.setdefault("admin_password", []).extend(str(m) for m in exc.messages)
    cleaned = {
        "name": name,
        "code": code,
        "level": level,
        "parent": parent,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_email": email,
        "admin_username": username,
        "admin_password": password,
    }
    return errors, cleaned


def _slug_taken(slug: str) -> bool:
    host = f"{slug}.{settings.BASE_DOMAIN}"
    return (
        Jurisdiction.objects.filter(slug=slug).exists()
        or Domain.objects.filter(domain=host).exists()
        or Application.objects.filter(slug=slug, status__in=Application.PENDING).exists()
    )


@transaction.atomic
def application_submit(*, data: dict[str, Any], client_ip: str | None = None) -> tuple[Application, str]:
    """Record an application; returns it with its tracking token (shown once, kept hashed).

    Raises ValidationError({field: [messages]}) naming every problem (the API answers 400).
    """
    errors, cleaned = application_errors(data)
    if errors:
        raise ValidationError(errors)
    parent: Jurisdiction = cleaned["parent"]
    token = secrets.token_urlsafe(32)
    slug = unique_slug(cleaned["name"], parent_slug=parent.slug, code=cleaned["code"], taken=_slug_taken)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                name=cleaned["name"],
                code=cleaned["code"],
                level=cleaned["level"],
                parent=parent,
                slug=slug,
                contact_name=cleaned["contact_name"],
                contact_phone=cleaned["contact_phone"],
                contact_email=cleaned["contact_email"],
                admin_username=cleaned["admin_username"],
                admin_password_hash=make_password(cleaned["admin_password"]),
                tracking_token_hash=_token_hash(token),
                client_ip=client_ip,
            )
    except IntegrityError as exc:  # a concurrent application for the same code won
        message = _("辖区 %(code)s 已有待处理的开通申请。") % {"code": cleaned["code"]}
        raise ValidationError({"code": [message]}) from exc
    audit_record(
        actor=None,
        action="tenants.application.submitted",
        jurisdiction_code=application.code,
        obj=application,
        after=_summary(application),
    )
    return application, token


def _summary(application: Application) -> dict[str, Any]:
    return {
        "code": application.code,
        "name": application.name,
        "level": application.level,
        "parent": application.parent.code,
        "admin_username": application.admin_username,
        "status": application.status,
    }


# --- Review --------------------------------------------------------------------------------


#: Who decides an application (in its parent jurisdiction or an ancestor): the table's roles.
REVIEW_ROLES = APPLICATION_TRANSITIONS["approve"].roles | APPLICATION_TRANSITIONS["reject"].roles


def reviewer_roots(user: Any) -> list[Jurisdiction]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(
        Jurisdiction.objects.filter(
            memberships__user=user, memberships__role__in=REVIEW_ROLES, status=Jurisdiction.Status.ACTIVE
        ).distinct()
    )


def applications_reviewable(*, user: Any, status: str | None = None) -> QuerySet[Application]:
    """Applications below the jurisdictions where `user` is an admin (the parent or an ancestor)."""
    roots = reviewer_roots(user)
    if not roots:
        return Application.objects.none()
    condition = Q()
    for root in roots:
        condition |= Q(parent__path=root.path) | Q(parent__path__startswith=root.path + ".")
    qs = Application.objects.filter(condition).select_related("parent", "jurisdiction", "reviewed_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def can_review(*, user: Any, application: Application) -> bool:
    parent = application.parent
    codes = [*parent.ancestor_codes, parent.code]
    return Membership.objects.filter(
        user=user,
        role=Role.ADMIN,
        jurisdiction__code__in=codes,
        jurisdiction__status=Jurisdiction.Status.ACTIVE,
    ).exists()


def _locked_for_review(*, actor: Any, application_id: Any) -> Application:
    try:
        pk = int(application_id)
    except (TypeError, ValueError) as exc:
        raise NotFound(_("未找到该申请。")) from exc
    application = Application.objects.select_for_update().select_related("parent").filter(pk=pk).first()
    if application is None:
        raise NotFound(_("未找到该申请。"))
    if not can_review(user=actor, application=application):
        raise Forbidden(_("只有上级辖区的管理员可以审核该申请。"))
    return application


def application_approve(*, actor: User, application_id: Any) -> Application:
    """Approve (or retry a failed one): status `provisioning`; the Celery task does the rest."""
    with transaction.atomic():
        application = _locked_for_review(actor=actor, application_id=application_id)
        transition = transition_require(
            APPLICATION_TRANSITIONS,
            "approve",
            application.status,
            message=_("申请当前状态为“%(s)s”，不能批准。") % {"s": application.get_status_display()},
            code="not_pending",
        )
        before = application.status
        target, done = transition.step(before)
        if before == Application.Status.FAILED and (
            Jurisdiction.objects.filter(code=application.code).exists()
            or Application.objects.filter(code=application.code, status__in=Application.PENDING).exists()
        ):
            raise Conflict(_("该代码已开通或已有其他申请。"), code="code_taken")
        if _username_taken(application):
            raise Conflict(
                _("用户名 %(u)s 已被使用，请驳回并请申请人换用其他用户名。") % {"u": application.admin_username},
                code="username_taken",
            )
        application.status = target
        application.reason = ""
        application.steps = []
        application.reviewed_by = actor
        application.reviewed_at = application.approved_at = timezone.now()
        application.save()
        audit_record(
            actor=actor,
            action=APPLICATION_ACTIONS[done],
            jurisdiction_code=application.code,
            obj=application,
            before={"status": before},
            after={"status": application.status},
        )
        pk = application.pk
        transaction.on_commit(lambda: provision_dispatch(pk))
    return application


def _username_taken(application: Application) -> bool:
    """The first admin's username exists, or another application being provisioned claims it."""
    name = application.admin_username
    return (
        User.objects.filter(username__iexact=name).exists()
        or Application.objects.filter(admin_username__iexact=name, status=Application.Status.PROVISIONING)
        .exclude(pk=application.pk)
        .exists()
    )


def provision_dispatch(application_id: int) -> None:
    """Hand the provisioning to Celery; a broker outage leaves it for the sweeper."""
    from kombu.exceptions import OperationalError as BrokerError

    from tenants.tasks import onboarding_provision

    try:
        onboarding_provision.delay(application_id)
    except (BrokerError, OSError):
        logger.warning("broker unavailable; application %s waits for the sweeper", application_id, exc_info=True)


def application_reject(*, actor: User, application_id: Any, reason: Any) -> Application:
    with transaction.atomic():
        # Who may decide comes first: a caller who may not review learns nothing from the input.
        application = _locked_for_review(actor=actor, application_id=application_id)
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInput(_("请填写不予开通的原因。"), field="reason", code="reason_required")
        reason = reason.strip()
        if len(reason) > 2000 or "\x00" in reason:
            raise InvalidInput(_("原因不能超过 2000 个字符。"), field="reason", code="reason_too_long")
        transition = transition_require(
            APPLICATION_TRANSITIONS,
            "reject",
            application.status,
            message=_("申请当前状态为“%(s)s”，不能驳回。") % {"s": application.get_status_display()},
            code="not_pending",
        )
        before = application.status
        application.status = transition.target
        application.reason = reason
        application.reviewed_by = actor
        application.reviewed_at = timezone.now()
        application.save()
        audit_record(
            actor=actor,
            action=APPLICATION_ACTIONS[transition.done],
            jurisdiction_code=application.code,
            obj=application,
            before={"status": before},
            after={"status": application.status},
            comment=reason,
        )
        _tell_applicant(
            application,
            event="tenants.application.rejected",
            subject=_("开通申请未通过"),
            body=_("%(name)s（%(code)s）的开通申请未通过：%(reason)s")
            % {"name": application.name, "code": application.code, "reason": reason},
        )
    return application


def _tell_applicant(application: Application, *, event: str, subject: str, body: str) -> None:
    if application.contact_phone or application.contact_email:
        notify(
            recipients=[Recipient(email=application.contact_email, phone=application.contact_phone)],
            event=event,
            subject=subject,
            body=body,
            jurisdiction_code=application.code,
            dedupe_key=f"{event}:{application.pk}:{application.updated_at.isoformat()}",
        )


# --- Provisioning --------------------------------------------------------------------------

STEP_LABELS = {
    "schema": "创建数据库模式",
    "jurisdiction": "登记辖区与域名",
    "admin": "创建首位管理员",
    "activate": "启用",
}


@dataclass
class Progress:
    """Steps as they end, written through a second connection so the status page sees them."""

    application_id: int
    steps: list[dict[str, Any]] = field(default_factory=list)
    _side: Any = None

    def _write(self) -> None:
        try:
            if self._side is None:
                self._side = connections.create_connection("default")
                self._side.set_autocommit(True)
            with self._side.cursor() as cursor:
                # The timeout is set for this statement's transaction only: no session state,
                # which a transaction-pooling PgBouncer would leak to other clients.
                cursor.execute(
                    "SELECT set_config('lock_timeout', '2s', true); "
                    "UPDATE public.tenants_application SET steps = %s::jsonb WHERE id = %s AND status = 'provisioning'",
                    [_json(self.steps), self.application_id],
                )
        except Exception:  # progress is a courtesy; provisioning never fails because of it
            logger.warning("could not record onboarding progress", exc_info=True)

    @contextmanager
    def step(self, name: str, label: str | None = None) -> Iterator[dict[str, Any]]:
        entry: dict[str, Any] = {"name": name, "label": label or STEP_LABELS.get(name, name), "status": "running"}
        self.steps.append(entry)
        started = time.perf_counter()
        try:
            yield entry
        except Exception as exc:
            entry.update(status="failed", seconds=round(time.perf_counter() - started, 3), error=str(exc)[:500])
            raise
        entry.update(status="done", seconds=round(time.perf_counter() - started, 3))
        self._write()

    def close(self) -> None:
        if self._side is not None:
            try:
                self._side.close()
            except Exception:
                logger.debug("closing the progress connection failed", exc_info=True)
            self._side = None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


#: Tests and benchmarks may force the cold path (clone) with this switch.
USE_POOL = True


def application_provision(application_id: int, *, use_pool: bool | None = None) -> Application:
    """Make the approved application's tenant, all or nothing; returns the application."""
    activate_public()
    application = Application.objects.select_related("parent").get(pk=application_id)
    provision = APPLICATION_TRANSITIONS["provision"]
    if application.status not in provision.sources:
        return application  # already done (a redelivered message) or withdrawn
    progress = Progress(application.pk)
    pool = USE_POOL if use_pool is None else use_pool
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:  # one provisioning per application at a time
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x6F6E62, application.pk])
            application.refresh_from_db()
            if application.status not in provision.sources:
                return application
            jurisdiction = _provision(application, progress, use_pool=pool)
            with progress.step("activate"):
                jurisdiction.status = Jurisdiction.Status.ACTIVE
                jurisdiction.save(update_fields=["status"])
            application.status = provision.target
            application.jurisdiction = jurisdiction
            application.steps = progress.steps
            application.reason = ""
            application.active_at = timezone.now()
            application.save()
            audit_record(
                actor=None,
                action=APPLICATION_ACTIONS[provision.done],
                jurisdiction_code=application.code,
                obj=application,
                before={"status": Application.Status.PROVISIONING},
                after={"status": application.status, "host": jurisdiction.host, "steps": progress.steps},
            )
            _tell_applicant(
                application,
                event="tenants.application.active",
                subject=_("辖区已开通"),
                body=_("%(name)s 已开通，请访问 %(host)s，用申请时填写的管理员账号 %(user)s 登录。")
                % {"name": jurisdiction.name, "host": jurisdiction.host, "user": application.admin_username},
            )
    except Exception as exc:
        logger.exception("onboarding of application %s failed", application_id)
        _record_failure(application_id, exc, progress.steps)
    finally:
        progress.close()
        activate_public()
    if pool:
        transaction.on_commit(_refill_soon)
    application.refresh_from_db()
    return application


def _refill_soon() -> None:
    from kombu.exceptions import OperationalError as BrokerError

    from tenants.tasks import spare_pool_refill_task

    if current_app.conf.task_always_eager:
        return  # eager runs (tests, benchmarks) refill explicitly
    try:
        spare_pool_refill_task.delay()
    except (BrokerError, OSError):
        logger.warning("broker unavailable; the beat task refills the pool later", exc_info=True)


def _provision(application: Application, progress: Progress, *, use_pool: bool) -> Jurisdiction:
    parent = Jurisdiction.objects.get(pk=application.parent_id)
    if parent.status != Jurisdiction.Status.ACTIVE:
        raise InvalidInput(_("上级辖区 %(code)s 未启用。") % {"code": parent.code}, field="parent_code")
    if Jurisdiction.objects.filter(code=application.code).exists():
        raise Conflict(_("辖区 %(code)s 已存在。") % {"code": application.code}, code="code_taken")
    if User.objects.filter(username__iexact=application.admin_username).exists():
        raise Conflict(
            _("用户名 %(u)s 已被使用，请重新申请。") % {"u": application.admin_username}, code="username_taken"
        )
    schema_name = f"j{application.code}"
    with progress.step("schema") as entry:
        if schema_exists(schema_name):
            raise Conflict(_("数据库模式 %(s)s 已存在。") % {"s": schema_name}, code="schema_exists")
        claimed = use_pool and spare_claim(schema_name)
        if not claimed:
            schema_clone(schema_name)  # refuses a stale template
        entry["spare"] = bool(claimed)
    with progress.step("jurisdiction"):
        slug = application.slug
        if (
            slug in RESERVED
            or Jurisdiction.objects.filter(slug=slug).exists()
            or Domain.objects.filter(domain=f"{slug}.{settings.BASE_DOMAIN}").exists()
        ):
            slug = unique_slug(
                application.name,
                parent_slug=parent.slug,
                code=application.code,
                taken=lambda s: (
                    Jurisdiction.objects.filter(slug=s).exists()
                    or Domain.objects.filter(domain=f"{s}.{settings.BASE_DOMAIN}").exists()
                ),
            )
            application.slug = slug
        jurisdiction = Jurisdiction.objects.create(
            code=application.code,
            name=application.name,
            level=application.level,
            parent=parent,
            path=f"{parent.path}.{application.code}",
            slug=slug,
            schema_name=schema_name,
            is_pilot=True,
            status=Jurisdiction.Status.PROVISIONING,
        )
        Domain.objects.create(domain=jurisdiction.host, tenant=jurisdiction, is_primary=True)
        audit_record(
            actor=None,
            action="tenants.jurisdiction.created",
            jurisdiction_code=jurisdiction.code,
            obj=jurisdiction,
            after={
                "code": jurisdiction.code,
                "name": jurisdiction.name,
                "level": jurisdiction.level,
                "parent": parent.code,
                "slug": slug,
                "application": application.pk,
            },
        )
    with progress.step("admin"):
        admin = User(
            username=application.admin_username,
            display_name=application.contact_name,
            phone=application.contact_phone,
            email=application.contact_email,
        )
        admin.password = application.admin_password_hash  # hashed when the application arrived
        admin.save()
        membership = Membership.objects.create(user=admin, jurisdiction=jurisdiction, role=Role.ADMIN)
        audit_record(
            actor=None,
            action="tenants.membership.added",
            jurisdiction_code=jurisdiction.code,
            obj=membership,
            after={"user": admin.username, "role": Role.ADMIN, "unit_name": ""},
        )
    with tenant_context(jurisdiction):
        for step in provisioning_steps():
            with progress.step(step.name):
                step.run(jurisdiction)
    return jurisdiction


def _record_failure(application_id: int, exc: Exception, steps: list[dict[str, Any]]) -> None:
    reason = str(getattr(exc, "message", "") or exc) or exc.__class__.__name__
    activate_public()
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application_id)
        fail = APPLICATION_TRANSITIONS["fail"]
        if application.status not in fail.sources:
            return
        # Nothing half-made: the transaction rolled back; make sure no schema of that name is
        # left by anything outside it (it never owns a jurisdiction at this point).
        schema_name = f"j{application.code}"
        if schema_exists(schema_name) and not Jurisdiction.objects.filter(schema_name=schema_name).exists():
            schema_drop(schema_name)
        application.status = fail.target
        application.reason = reason[:2000]
        application.steps = steps
        application.save()
        audit_record(
            actor=None,
            action=APPLICATION_ACTIONS[fail.done],
            jurisdiction_code=application.code,
            obj=application,
            before={"status": Application.Status.PROVISIONING},
            after={"status": application.status, "steps": steps},
            comment=application.reason,
        )


def applications_stuck(*, older_than_seconds: int = 120) -> list[int]:
    """Approved applications still provisioning after a while: their task never ran (broker down
    at approval) or its worker died. Sending the task again is safe: a second run waits on the
    application's advisory lock and then finds it no longer `provisioning`."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Application.objects.filter(status=Application.Status.PROVISIONING, approved_at__lt=cutoff)
        .order_by("approved_at")
        .values_list("pk", flat=True)[:100]
    )
