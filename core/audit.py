"""The audit log: one service every state change calls, and the chain verifier.

Entries are chained per jurisdiction (or per 'platform'). Appending takes a transaction-scoped
advisory lock on the chain, so concurrent writers in one jurisdiction serialise only on the
audit append and other jurisdictions never wait. Each append also moves the chain's anchor
(`AuditAnchor`: length and head hash, sealed by an HMAC whose key is outside the database), so
removing the newest entries, or all of them, is detected too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from core.context import current_request_id
from core.models import AuditAnchor, AuditEntry, User

GENESIS = "0" * 64
PLATFORM_CHAIN = "platform"


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def anchor_seal(*, chain: str, length: int, head_hash: str) -> str:
    """HMAC-SHA256 of a chain's head with AUDIT_ANCHOR_KEY (or a key derived from SECRET_KEY)."""
    key = settings.AUDIT_ANCHOR_KEY or settings.SECRET_KEY
    return salted_hmac(
        "core.audit.anchor", f"{chain}\n{length}\n{head_hash}", secret=key, algorithm="sha256"
    ).hexdigest()


_ANCHOR_UPSERT = """
INSERT INTO public.core_auditanchor (chain, length, head_hash, seal, updated_at) VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (chain) DO UPDATE SET length = EXCLUDED.length, head_hash = EXCLUDED.head_hash,
    seal = EXCLUDED.seal, updated_at = EXCLUDED.updated_at
"""


def _anchor_move(cursor: Any, *, chain: str, length: int, head_hash: str) -> None:
    seal = anchor_seal(chain=chain, length=length, head_hash=head_hash)
    cursor.execute(_ANCHOR_UPSERT, [chain, length, head_hash, seal, timezone.now()])


def _chain_lock(cursor: Any, chain: str) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["audit:" + chain])


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
    # Part of the caller's transaction (no savepoint: an entry that cannot be written fails the
    # whole write it records), or a transaction of its own when called outside one.
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            _chain_lock(cursor, chain)
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
        with connection.cursor() as cursor:
            _anchor_move(cursor, chain=chain, length=rows[-1].sequence, head_hash=rows[-1].hash)
    return rows


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    sequence: int
    entry_id: int | None
    reason: str


def audit_verify(*, chain: str | None = None) -> list[BrokenLink]:
    """Check every chain (or one); return the first broken link of each broken chain.

    Each chain is read under its append lock (writers of that chain wait; others do not), so its
    anchor and its entries are read at one moment: the entries must link up from the genesis and
    end exactly at the sealed anchor. A chain named with `--chain` that has neither entries nor an
    anchor is reported too.
    """
    if chain:
        chains = [chain]
    else:
        names = set(AuditEntry.objects.values_list("chain", flat=True).distinct())
        chains = sorted(names | set(AuditAnchor.objects.values_list("chain", flat=True)))
    broken: list[BrokenLink] = []
    for name in chains:
        with transaction.atomic():
            with connection.cursor() as cursor:
                _chain_lock(cursor, name)
            problem = _verify_chain(name)
        if problem is not None:
            broken.append(problem)
    return broken


def _verify_chain(name: str) -> BrokenLink | None:
    anchor = AuditAnchor.objects.filter(chain=name).first()
    expected_prev = GENESIS
    expected_sequence = 1
    last_id: int | None = None
    for entry in AuditEntry.objects.filter(chain=name).order_by("sequence").iterator(chunk_size=2000):
        if entry.sequence != expected_sequence:
            return BrokenLink(name, expected_sequence, entry.pk, "missing entry")
        if entry.prev_hash != expected_prev:
            return BrokenLink(name, entry.sequence, entry.pk, "previous hash does not match")
        if entry.compute_hash() != entry.hash:
            return BrokenLink(name, entry.sequence, entry.pk, "content does not match its hash")
        expected_prev = entry.hash
        expected_sequence += 1
        last_id = entry.pk
    found = expected_sequence - 1
    if anchor is None:
        return BrokenLink(name, found, last_id, "no anchor for this chain (anchor removed, or no such chain)")
    seal = anchor_seal(chain=name, length=anchor.length, head_hash=anchor.head_hash)
    if not constant_time_compare(seal, anchor.seal):
        return BrokenLink(name, anchor.length, None, "anchor seal does not match (anchor forged, or the key changed)")
    if found != anchor.length or expected_prev != anchor.head_hash:
        return BrokenLink(
            name,
            found + 1,
            None,
            f"chain ends at entry {found} but its anchor seals {anchor.length} entries (newest entries removed)",
        )
    return None


def audit_anchor_all() -> int:
    """Seal every chain's current head (the migration that introduced anchors; after a deliberate
    change of AUDIT_ANCHOR_KEY, once `verify_audit` has passed with the old key)."""
    heads = AuditEntry.objects.order_by("chain", "-sequence").distinct("chain").values_list("chain", "sequence", "hash")
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for chain, sequence, head_hash in heads:
            _chain_lock(cursor, chain)
            _anchor_move(cursor, chain=chain, length=sequence, head_hash=head_hash)
            count += 1
    return count


def object_history(*, jurisdiction_code: str, object_type: str, object_id: str | int) -> list[AuditEntry]:
    """The audit entries of one object, oldest first."""
    return list(
        AuditEntry.objects.filter(
            jurisdiction_code=jurisdiction_code, object_type=object_type, object_id=str(object_id)
        )
        .select_related("actor")
        .order_by("at", "id")
    )
