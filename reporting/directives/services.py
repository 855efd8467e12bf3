"""Directives down the tree (工作指令): send, deliver into each target's schema, resend, acknowledge.

The directive and one delivery row per target live in the public schema. Each delivery is
materialised in its target's schema by the Celery task `reporting.directive_deliver`, sent from
that schema (tenant-schemas-celery carries it) after the sending transaction commits. The task
locks the delivery row and returns at once when it is already delivered, so running it twice
(a redelivered message, a resend racing a retry) writes the local task or standard only once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.files import DOCUMENT_MAX_BYTES, attachment_stored, cleaned_name, sniffed
from core.http import site_url
from core.models import User
from core.notifications import notify
from core.transitions import transition_require
from reporting.directives.materialise import MATERIALISERS, amendment_payload, standard_payload, task_payload
from reporting.models import (
    DELIVERY_TRANSITIONS,
    Delivery,
    DeliveryAction,
    DeliveryStatus,
    Directive,
    DirectiveAttachment,
    DirectiveKind,
)
from tenants.models import Jurisdiction, Level, Membership, Role
from tenants.permissions import access_for
from tenants.schema import current_schema, tenant_context

logger = logging.getLogger("reporting.directives")

SEND_ROLES = frozenset({Role.ADMIN})
#: Who reads the sender's directives and their deliveries (plus ancestors' overseers).
SENT_READ_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
#: Who reads and acknowledges a target's inbox.
INBOX_ROLES = DELIVERY_TRANSITIONS[DeliveryAction.ACKNOWLEDGE].roles
#: Who hears that a directive arrived, by kind.
AUDIENCE: dict[str, tuple[str, ...]] = {
    DirectiveKind.TASK: (Role.ADMIN, Role.DRAFTER),
    DirectiveKind.STANDARD: (Role.ADMIN,),
    DirectiveKind.NOTICE: (Role.ADMIN, Role.SUPERVISOR),
    # A local amendment may be opened: its drafter submits it, its reviewer approves it.
    DirectiveKind.AMENDMENT: (Role.ADMIN, Role.DRAFTER, Role.REVIEWER),
}
#: What `POST directives/` sends; an amendment is pushed by `directive_amendment_send`.
SENT_KINDS = (DirectiveKind.TASK, DirectiveKind.STANDARD, DirectiveKind.NOTICE)
#: A delivery that reached its target.
REACHED = (DeliveryStatus.DELIVERED, DeliveryStatus.ACKNOWLEDGED)
MAX_TARGETS = 5000
MAX_DELIVERY_ATTEMPTS = 5
MAX_ATTACHMENTS = 10


class DeliveryError(Exception):
    """A delivery could not be written in its target's schema; the message is the reason shown."""


def _require(actor: User | None, jurisdiction: Jurisdiction, roles: Iterable[str]) -> User:
    if actor is None or not access_for(actor, jurisdiction).can_write(roles):
        raise Forbidden(gettext_lazy("您在该辖区没有执行此操作的权限。"))
    return actor


def _resolve_targets(
    *, sender: Jurisdiction, codes: Iterable[str], levels: Iterable[str], subtrees: Iterable[str]
) -> list[Jurisdiction]:
    """Hand-picked codes, whole levels and whole subtrees, each strictly below the sender."""
    codes, levels, subtrees = list(dict.fromkeys(codes)), set(levels), list(dict.fromkeys(subtrees))
    if not set(levels) <= set(Level.values):
        raise InvalidInput(gettext_lazy("层级无效。"), field="levels", code="invalid")
    below = Jurisdiction.objects.filter(path__startswith=sender.path + ".")
    named = {j.code: j for j in below.filter(code__in=[*codes, *subtrees])}
    outside = [code for code in [*codes, *subtrees] if code not in named]
    if outside:
        raise InvalidInput(
            _("以下辖区不在本辖区的下级范围内：%(codes)s。") % {"codes": "、".join(outside)},
            field="targets",
            code="outside_subtree",
        )
    suspended = [code for code in codes if named[code].status != Jurisdiction.Status.ACTIVE]
    if suspended:
        raise InvalidInput(
            _("以下辖区已停用，不能接收指令：%(codes)s。") % {"codes": "、".join(suspended)},
            field="targets",
            code="target_inactive",
        )
    condition = Q(code__in=codes)
    if levels:
        condition |= Q(level__in=levels, status=Jurisdiction.Status.ACTIVE)
    for code in subtrees:
        condition |= Q(path__startswith=named[code].path, status=Jurisdiction.Status.ACTIVE)
    targets = list(below.filter(condition).order_by("path"))
    if not targets:
        raise InvalidInput(gettext_lazy("请至少选择一个接收辖区。"), field="targets", code="required")
    if len(targets) > MAX_TARGETS:
        raise InvalidInput(gettext_lazy("接收辖区过多。"), field="targets", code="too_many")
    return targets


def _check_attachments(uploads: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    """PDF, JPEG or PNG by their first bytes, each at most 5 MB, at most 10."""
    if len(uploads) > MAX_ATTACHMENTS:
        raise InvalidInput(gettext_lazy("最多 10 个附件。"), field="attachments", code="too_many_files")
    checked = []
    for upload in uploads:
        size = upload.size or 0
        if size == 0 or size > DOCUMENT_MAX_BYTES:
            raise InvalidInput(gettext_lazy("附件不能为空，且不能超过 5 MB。"), field="attachments", code="file_size")
        found = sniffed(upload)
        if found is None:
            raise InvalidInput(
                gettext_lazy("附件只接受 PDF、JPEG 或 PNG 文件。"), field="attachments", code="file_type"
            )
        checked.append((upload, *found))
    return checked


def _attach(directive: Directive, upload: UploadedFile, content_type: str, extension: str) -> DirectiveAttachment:
    attachment = DirectiveAttachment(
        directive=directive,
        original_name=cleaned_name(upload, fallback=f"attachment.{extension}"),
        content_type=content_type,
        size=upload.size or 0,
    )
    return attachment_stored(attachment, upload, folder=f"directives/{directive.pk}", extension=extension)


@transaction.atomic
def directive_send(
    *,
    actor: User,
    sender: Jurisdiction,
    kind: str,
    title: str,
    body: str = "",
    targets: Iterable[str] = (),
    levels: Iterable[str] = (),
    subtrees: Iterable[str] = (),
    task_id: int | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Directive:
    """Send a directive (admin of the sender) to jurisdictions of its subtree; each target gets a
    delivery row, materialised in its schema by Celery after commit. Call in the sender's schema."""
    if current_schema() != sender.schema_name:
        raise RuntimeError(f"directive_send for {sender.code} called in schema {current_schema()}")
    _require(actor, sender, SEND_ROLES)
    if kind not in SENT_KINDS:
        raise InvalidInput(gettext_lazy("指令类别无效。"), field="kind", code="invalid")
    title = (title or "").strip()
    if not title or len(title) > 200 or "\x00" in title:
        raise InvalidInput(gettext_lazy("请填写标题（不超过 200 字）。"), field="title", code="required")
    body = (body or "").strip()
    if len(body) > 20000 or "\x00" in body:
        raise InvalidInput(gettext_lazy("正文过长或含有非法字符。"), field="body", code="invalid")
    payload: dict[str, Any] = {}
    if kind == DirectiveKind.TASK:
        if task_id is None:
            raise InvalidInput(gettext_lazy("下发接待任务时必须指定任务。"), field="task", code="required")
        payload = task_payload(task_id)
    elif task_id is not None:
        raise InvalidInput(gettext_lazy("只有接待任务类指令可以指定任务。"), field="task", code="invalid")
    elif kind == DirectiveKind.STANDARD:
        payload = standard_payload()
    jurisdictions = _resolve_targets(sender=sender, codes=targets, levels=levels, subtrees=subtrees)
    checked = _check_attachments(attachments)
    directive = Directive.objects.create(
        sender=sender,
        kind=kind,
        title=title,
        body=body,
        origin_task_id=task_id,
        payload=payload,
        created_by=actor,
    )
    for upload, content_type, extension in checked:
        _attach(directive, upload, content_type, extension)
    deliveries = Delivery.objects.bulk_create(Delivery(directive=directive, target=j) for j in jurisdictions)
    audit_record(
        actor=actor,
        action="reporting.directive.sent",
        jurisdiction_code=sender.code,
        obj=directive,
        after={
            "kind": kind,
            "title": title,
            "task": task_id,
            "targets": [j.code for j in jurisdictions],
            "attachments": [upload.name for upload, _type, _ext in checked],
        },
    )
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: deliveries_dispatch(ids))
    return directive


@transaction.atomic
def directive_amendment_send(
    *,
    actor: User,
    sender: Jurisdiction,
    directive_id: int,
    targets: Iterable[str] = (),
    title: str = "",
    body: str = "",
) -> Directive:
    """Push the origin task's approved amendments down the way its `task` directive pushed the
    task (admin of the sender): to every target that received it, or to those of `targets`.
    Each target's local task follows it when delivered (`reception.services.directives`)."""
    if current_schema() != sender.schema_name:
        raise RuntimeError(f"directive_amendment_send for {sender.code} called in schema {current_schema()}")
    _require(actor, sender, SEND_ROLES)
    original = Directive.objects.select_for_update().filter(pk=directive_id, sender=sender).first()
    if original is None:
        raise NotFound(gettext_lazy("指令不存在。"))
    if original.kind != DirectiveKind.TASK or original.origin_task_id is None:
        raise InvalidInput(
            gettext_lazy("只有下发接待任务的指令可以推送变更。"), field="directive", code="not_a_task_directive"
        )
    title = (title or "").strip() or (_("方案变更：%(title)s") % {"title": original.title})[:200]
    body = (body or "").strip()
    if len(title) > 200 or "\x00" in title:
        raise InvalidInput(gettext_lazy("请填写标题（不超过 200 字）。"), field="title", code="invalid")
    if len(body) > 20000 or "\x00" in body:
        raise InvalidInput(gettext_lazy("正文过长或含有非法字符。"), field="body", code="invalid")
    received = {
        d.target.code: d.target
        for d in original.deliveries.filter(status__in=REACHED, local_task_id__isnull=False).select_related("target")
    }
    codes = list(dict.fromkeys(targets)) or list(received)
    missing = [code for code in codes if code not in received]
    if missing or not codes:
        raise InvalidInput(
            _("以下辖区没有收到该接待任务：%(codes)s。") % {"codes": "、".join(missing) or "—"},
            field="targets",
            code="not_received",
        )
    payload = amendment_payload(original.origin_task_id)
    directive = Directive.objects.create(
        sender=sender,
        kind=DirectiveKind.AMENDMENT,
        title=title,
        body=body,
        origin_task_id=original.origin_task_id,
        payload=payload,
        amends=original,
        created_by=actor,
    )
    chosen = sorted((received[code] for code in codes), key=lambda j: j.path)
    deliveries = Delivery.objects.bulk_create(Delivery(directive=directive, target=j) for j in chosen)
    audit_record(
        actor=actor,
        action="reporting.directive.sent",
        jurisdiction_code=sender.code,
        obj=directive,
        after={
            "kind": directive.kind,
            "title": title,
            "task": original.origin_task_id,
            "amends": original.pk,
            "revisions": [r["number"] for r in payload["revisions"]],
            "targets": [j.code for j in chosen],
        },
    )
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: deliveries_dispatch(ids))
    return directive


def deliveries_dispatch(delivery_ids: Iterable[int]) -> None:
    """Queue one delivery task per target, each sent from the target's schema. With the broker down
    the rows stay `sent`; the sender can resend them."""
    from kombu.exceptions import OperationalError as BrokerError

    from reporting.directives.tasks import directive_deliver

    rows = Delivery.objects.filter(pk__in=list(delivery_ids)).select_related("target").order_by("pk")
    for delivery in rows:
        try:
            with tenant_context(delivery.target):
                directive_deliver.apply_async(args=(delivery.pk,))
        except (BrokerError, OSError):
            logger.warning("broker unavailable; delivery %s stays sent", delivery.pk, exc_info=True)


def _lock_delivery(delivery_id: int) -> Delivery | None:
    return (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("directive", "directive__sender", "directive__created_by", "target")
        .filter(pk=delivery_id)
        .first()
    )


def _recipients(target: Jurisdiction, kind: str) -> list[User]:
    members = Membership.objects.filter(
        jurisdiction=target, role__in=AUDIENCE.get(kind, (str(Role.ADMIN),)), user__is_active=True
    ).select_related("user")
    return sorted({m.user for m in members}, key=lambda u: u.pk)


@transaction.atomic
def delivery_materialise(*, delivery_id: int) -> str:
    """Write one delivery into its target's schema (the local task, standard version, or nothing
    for a notice) and mark it delivered. Already delivered: nothing happens (safe to run twice)."""
    delivery = _lock_delivery(delivery_id)
    if delivery is None:
        return "missing"
    deliver = DELIVERY_TRANSITIONS[DeliveryAction.DELIVER]
    if delivery.status not in deliver.sources:  # delivered already
        return str(delivery.status)
    target, directive = delivery.target, delivery.directive
    if target.status != Jurisdiction.Status.ACTIVE:
        raise DeliveryError(_("接收辖区已停用，无法送达。"))
    with tenant_context(target):
        result = MATERIALISERS[directive.kind](delivery)
    delivery.status = deliver.target
    delivery.attempts += 1
    delivery.last_error = ""
    delivery.delivered_at = timezone.now()
    delivery.local_task_id = result.pop("local_task_id", None)
    delivery.local_letter_id = result.pop("local_letter_id", None)
    delivery.result = result
    delivery.save()
    audit_record(
        actor=directive.created_by,
        action="reporting.directive.delivered",
        jurisdiction_code=target.code,
        obj=delivery,
        after={
            "directive": directive.pk,
            "from": directive.sender.code,
            "kind": directive.kind,
            **delivery_state(delivery),
        },
    )
    notify(
        recipients=_recipients(target, directive.kind),
        event="reporting.directive.delivered",
        subject=_("上级指令：%(title)s") % {"title": directive.title},
        body=_("%(sender)s 下发了%(kind)s“%(title)s”，请在指令收件箱查看并确认。")
        % {"sender": directive.sender.name, "kind": DirectiveKind(directive.kind).label, "title": directive.title}
        + " "
        + site_url(target.host, reverse("reporting-inbox-entry", urlconf="config.urls_tenant", args=[delivery.pk])),
        jurisdiction_code=target.code,
        dedupe_key=f"reporting.delivery:{delivery.pk}",
    )
    return str(delivery.status)


def delivery_state(delivery: Delivery) -> dict[str, Any]:
    return {
        "status": delivery.status,
        "attempts": delivery.attempts,
        "local_task": delivery.local_task_id,
        "error": delivery.last_error,
    }


@transaction.atomic
def delivery_record_failure(*, delivery_id: int, reason: str, final: bool) -> Delivery | None:
    """Count a failed attempt and keep its reason; the last allowed attempt marks it failed."""
    delivery = _lock_delivery(delivery_id)
    fail = DELIVERY_TRANSITIONS[DeliveryAction.FAIL]
    if delivery is None or delivery.status not in fail.sources:  # delivered already
        return delivery
    before = delivery_state(delivery)
    delivery.attempts += 1
    delivery.last_error = (reason or _("未知错误。"))[:2000]
    if final:
        delivery.status = fail.target
    delivery.save(update_fields=["attempts", "last_error", "status", "updated_at"])
    if final:
        audit_record(
            actor=None,
            action="reporting.directive.failed",
            jurisdiction_code=delivery.directive.sender.code,
            obj=delivery,
            before=before,
            after={"target": delivery.target.code, **delivery_state(delivery)},
            comment=delivery.last_error,
        )
    return delivery


@transaction.atomic
def directive_resend(
    *, actor: User, sender: Jurisdiction, directive_id: int, codes: Iterable[str] | None = None
) -> Directive:
    """Send the failed deliveries (all, or those of `codes`) again, with a fresh retry budget."""
    _require(actor, sender, SEND_ROLES)
    directive = Directive.objects.select_for_update().filter(pk=directive_id, sender=sender).first()
    if directive is None:
        raise NotFound(gettext_lazy("指令不存在。"))
    resend = DELIVERY_TRANSITIONS[DeliveryAction.RESEND]
    failed = Delivery.objects.select_for_update(of=("self",)).filter(directive=directive, status__in=resend.sources)
    if codes:
        failed = failed.filter(target__code__in=list(codes))
    rows = list(failed.select_related("target"))
    if not rows:
        raise Conflict(gettext_lazy("没有送达失败的接收辖区需要重发。"), code="nothing_to_resend")
    for delivery in rows:
        delivery.status = resend.target
        delivery.attempts = 0
    Delivery.objects.bulk_update(rows, ["status", "attempts"])
    audit_record(
        actor=actor,
        action="reporting.directive.resent",
        jurisdiction_code=sender.code,
        obj=directive,
        after={"targets": [d.target.code for d in rows]},
    )
    ids = [d.pk for d in rows]
    transaction.on_commit(lambda: deliveries_dispatch(ids))
    return directive


@transaction.atomic
def delivery_acknowledge(*, actor: User, target: Jurisdiction, delivery_id: int) -> Delivery:
    """The target confirms it has read the directive (any staff member of the target)."""
    _require(actor, target, INBOX_ROLES)
    delivery = _lock_delivery(delivery_id)
    if (
        delivery is None
        or delivery.target_id != target.pk
        or delivery.status
        in (
            DeliveryStatus.SENT,
            DeliveryStatus.FAILED,
        )
    ):
        raise NotFound(gettext_lazy("指令不存在。"))
    transition = transition_require(
        DELIVERY_TRANSITIONS,
        DeliveryAction.ACKNOWLEDGE,
        delivery.status,
        message=gettext_lazy("该指令已确认。"),
        code="already_acknowledged",
    )
    before = delivery_state(delivery)
    delivery.status = transition.target
    delivery.acknowledged_at = timezone.now()
    delivery.acknowledged_by = actor
    delivery.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
    audit_record(
        actor=actor,
        action="reporting.directive.acknowledged",
        jurisdiction_code=target.code,
        obj=delivery,
        before=before,
        after=delivery_state(delivery),
    )
    return delivery
