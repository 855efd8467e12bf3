"""The audit log: chained per jurisdiction, append-only, tampering detected."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from core.audit import GENESIS, audit_record, audit_verify
from core.models import AuditEntry
from tests.conftest import user

pytestmark = pytest.mark.django_db


def _entries(n: int, chain: str = "340100") -> list[AuditEntry]:
    actor = user("340100-reviewer")
    return [
        audit_record(
            actor=actor,
            action="reception.task.approved",
            jurisdiction_code=chain,
            object_type="reception.task",
            object_id=i,
            before={"status": "submitted"},
            after={"status": "approved", "amount": "12.50"},
            comment=f"第{i}次",
        )
        for i in range(n)
    ]


def test_entries_are_chained_by_hash(tree):
    start = AuditEntry.objects.filter(chain="340100").count()
    entries = _entries(3)
    assert [e.sequence for e in entries] == [start + 1, start + 2, start + 3]
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert entries[0].actor_username == "340100-reviewer"
    assert audit_verify(chain="340100") == []


def test_chains_are_per_jurisdiction(tree):
    a = _entries(1, "340100")[0]
    b = _entries(1, "340200")[0]
    assert a.chain != b.chain
    first_platform = audit_record(actor=None, action="core.test", comment="x")
    assert first_platform.chain == "platform"
    assert first_platform.prev_hash == GENESIS or first_platform.sequence > 1


def test_updates_and_deletes_are_refused_by_the_database(tree):
    entry = _entries(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(comment="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def _without_trigger(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        # what a database superuser could do: skip triggers for this session
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = origin")


def test_a_changed_row_is_caught(tree):
    entries = _entries(4)
    _without_trigger("UPDATE core_auditentry SET comment = %s WHERE id = %s", ["篡改", entries[2].pk])
    broken = audit_verify(chain="340100")
    assert len(broken) == 1
    assert broken[0].sequence == entries[2].sequence
    assert broken[0].reason == "content does not match its hash"


def test_a_removed_row_is_caught(tree):
    entries = _entries(3)
    _without_trigger("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    broken = audit_verify(chain="340100")
    assert broken[0].sequence == entries[1].sequence
    assert broken[0].reason == "missing entry"


def test_a_rehashed_row_breaks_the_next_link(tree):
    entries = _entries(3)
    forged = AuditEntry.objects.get(pk=entries[0].pk)
    forged.comment = "伪造"
    forged.hash = forged.compute_hash()
    _without_trigger(
        "UPDATE core_auditentry SET comment = %s, hash = %s WHERE id = %s", [forged.comment, forged.hash, forged.pk]
    )
    broken = audit_verify(chain="340100")
    assert broken[0].sequence == entries[1].sequence
    assert broken[0].reason == "previous hash does not match"


def test_verify_audit_command(tree):
    entries = _entries(2)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "audit log intact" in out.getvalue()
    _without_trigger("UPDATE core_auditentry SET action = 'x' WHERE id = %s", [entries[1].pk])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=out, stderr=err)
    assert f"chain 340100: broken at sequence {entries[1].sequence}" in err.getvalue()


def test_request_id_is_recorded(tree):
    from core.context import request_id_var

    token = request_id_var.set("req-42")
    try:
        entry = _entries(1)[0]
    finally:
        request_id_var.reset(token)
    assert entry.request_id == "req-42"


# --- Anchors: removals at the end of a chain, an emptied table (issue 13) ----------------------


def test_every_append_moves_the_chains_sealed_anchor(tree):
    from core.audit import anchor_seal
    from core.models import AuditAnchor

    entries = _entries(2)
    anchor = AuditAnchor.objects.get(chain="340100")
    assert (anchor.length, anchor.head_hash) == (entries[-1].sequence, entries[-1].hash)
    assert anchor.seal == anchor_seal(chain="340100", length=anchor.length, head_hash=anchor.head_hash)


def test_removing_the_newest_entries_is_caught(tree):
    entries = _entries(3)
    _without_trigger("DELETE FROM core_auditentry WHERE id IN (%s, %s)", [entries[1].pk, entries[2].pk])
    broken = audit_verify(chain="340100")
    assert len(broken) == 1
    assert broken[0].sequence == entries[1].sequence  # the first one missing
    assert "newest entries removed" in broken[0].reason
    assert audit_verify(chain="340200") == []  # other chains are untouched


def test_truncate_and_anchor_removal_are_refused_by_the_database(tree):
    from core.models import AuditAnchor

    _entries(1)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending: TRUNCATE may run
    refusals = {
        "TRUNCATE core_auditentry": "cannot be emptied",
        "TRUNCATE core_auditanchor": "cannot be emptied",
        "DELETE FROM core_auditanchor": "append-only",
    }
    for sql, message in refusals.items():
        with pytest.raises(DatabaseError, match=message), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.filter(chain="340100").exists()
    assert AuditAnchor.objects.filter(chain="340100").exists()


def test_an_emptied_table_is_caught_for_every_chain(tree):
    from core.models import AuditAnchor

    _entries(1, "340100")
    _entries(1, "340200")
    # what a TRUNCATE with triggers disabled leaves (TRUNCATE itself cannot run in the test's
    # transaction, which holds deferred constraint checks on the table)
    _without_trigger("DELETE FROM core_auditentry", [])
    broken = {link.chain: link for link in audit_verify()}
    assert set(broken) == set(AuditAnchor.objects.values_list("chain", flat=True))
    assert {"340100", "340200"} <= set(broken)
    assert broken["340100"].sequence == 1
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", "--chain", "340200", stdout=io.StringIO(), stderr=err)
    assert "chain 340200: broken at sequence 1" in err.getvalue()


def test_a_rolled_back_anchor_needs_the_key(tree):
    """Deleting the newest entry and setting the anchor back to the entry before it: without the
    key the seal cannot be made, with the old seal it does not match."""
    from core.audit import anchor_seal
    from core.models import AuditAnchor

    entries = _entries(2)
    _without_trigger("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    forged_seal = anchor_seal(chain="340100", length=entries[0].sequence, head_hash=entries[0].hash)
    AuditAnchor.objects.filter(chain="340100").update(length=entries[0].sequence, head_hash=entries[0].hash)
    broken = audit_verify(chain="340100")
    assert broken[0].reason.startswith("anchor seal does not match")
    # with the key the rollback would pass: the key is what protects the anchor
    AuditAnchor.objects.filter(chain="340100").update(seal=forged_seal)
    assert audit_verify(chain="340100") == []


def test_a_changed_key_is_caught_and_reseal_adopts_it(tree, settings):
    _entries(1)
    assert audit_verify(chain="340100") == []
    settings.AUDIT_ANCHOR_KEY = "another-key-from-the-environment"
    assert audit_verify(chain="340100")[0].reason.startswith("anchor seal does not match")
    out = io.StringIO()
    call_command("verify_audit", "--reseal", stdout=out)
    assert "resealed" in out.getvalue()
    assert audit_verify() == []


def test_a_chain_without_anchor_is_caught(tree):
    _entries(1)
    _without_trigger("DELETE FROM core_auditanchor WHERE chain = %s", ["340100"])
    assert audit_verify(chain="340100")[0].reason.startswith("no anchor")
