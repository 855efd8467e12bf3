"""The audit log: one service every state change calls, and the chain verifier.

Entries are chained per jurisdiction (or per 'platform'). Appending takes a transaction-scoped
advisory lock on the chain, so concurrent writers in one jurisdiction serialise only on the
audit append and other jurisdictions never wait.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from core.context import current_request_id
from core.models import AuditEntry, User

GENESIS = "0" * 64
PLATFORM_CHAIN = "platform"


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def audit_record(
    *,
    actor: User | None,
    action: str,
    jurisdiction_code: str = "",
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
) -> AuditEntry:
    """Append one entry to the jurisdiction's chain. Call inside the writing transaction."""
    return audit_record_many(
        actor=actor,
        action=action,
        jurisdiction_code=jurisdiction_code,
        entries=[AuditItem(obj=obj, object_type=object_type, object_id=object_id, before=before, after=after)],
        comment=comment,
    )[0]


@dataclass(frozen=True)
class AuditItem:
    """One object's entry of `audit_record_many`."""

    obj: Any = None
    object_type: str = ""
    object_id: str | int = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    comment: str | None = None  # None: the call's comment


def audit_record_many(
    *, actor: User | None, action: str, jurisdiction_code: str = "", entries: list[AuditItem], comment: str = ""
) -> list[AuditEntry]:
    """Append one entry per object, the same action by the same actor, to the jurisdiction's
    chain in one go (one lock, one read of the chain's end, one insert): a change that touches
    many objects at once (an amendment's orders) records each of them."""
    if not entries:
        return []
    chain = jurisdiction_code or PLATFORM_CHAIN
    at = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["audit:" + chain])
        last = AuditEntry.objects.filter(chain=chain).order_by("-sequence").values_list("sequence", "hash").first()
        sequence, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        rows = []
        for item in entries:
            obj = item.obj
            object_type, object_id = item.object_type, item.object_id
            if obj is not None:
                object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
                object_id = object_id or obj.pk
            entry = AuditEntry(
                chain=chain,
                sequence=sequence,
                at=at,
                actor=actor if actor is not None and actor.is_authenticated else None,
                actor_username=getattr(actor, "username", "") or "",
                jurisdiction_code=jurisdiction_code,
                action=action,
                object_type=object_type,
                object_id=str(object_id),
                before=_jsonable(item.before),
                after=_jsonable(item.after),
                comment=comment if item.comment is None else item.comment,
                request_id=current_request_id(),
                prev_hash=prev_hash,
            )
            entry.hash = entry.compute_hash()
            rows.append(entry)
            sequence, prev_hash = sequence + 1, entry.hash
        if len(rows) == 1:
            rows[0].save(force_insert=True)
        else:
            AuditEntry.objects.bulk_create(rows)
    return rows


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    sequence: int
    entry_id: int | None
    reason: str


def audit_verify(*, chain: str | None = None) -> list[BrokenLink]:
    """Check every chain (or one); return the first broken link of each broken chain."""
    chains = [chain] if chain else list(AuditEntry.objects.values_list("chain", flat=True).distinct().order_by("chain"))
    broken: list[BrokenLink] = []
    for name in chains:
        expected_prev = GENESIS
        expected_sequence = 1
        for entry in AuditEntry.objects.filter(chain=name).order_by("sequence").iterator(chunk_size=2000):
            if entry.sequence != expected_sequence:
                broken.append(BrokenLink(name, expected_sequence, entry.pk, "missing entry"))
                break
            if entry.prev_hash != expected_prev:
                broken.append(BrokenLink(name, entry.sequence, entry.pk, "previous hash does not match"))
                break
            if entry.compute_hash() != entry.hash:
                broken.append(BrokenLink(name, entry.sequence, entry.pk, "content does not match its hash"))
                break
            expected_prev = entry.hash
            expected_sequence += 1
    return broken


def object_history(*, jurisdiction_code: str, object_type: str, object_id: str | int) -> list[AuditEntry]:
    """The audit entries of one object, oldest first."""
    return list(
        AuditEntry.objects.filter(
            jurisdiction_code=jurisdiction_code, object_type=object_type, object_id=str(object_id)
        )
        .select_related("actor")
        .order_by("at", "id")
    )
