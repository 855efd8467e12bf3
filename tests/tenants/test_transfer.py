"""Export one jurisdiction to a file and import it back: after deletion, and as another
installation would (users matched by name, their ids rewritten in the tenant's rows)."""

from __future__ import annotations

import io
import json
import re
import tarfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import schema_exists

from core.errors import Conflict, InvalidInput
from core.models import AuditEntry, User
from tenants import transfer
from tenants.models import Domain, Jurisdiction, Membership
from tenants.provisioning import schema_catalog
from tests.conftest import PASSWORD, api, in_tenant


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _counts(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema])
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _public_state(code: str) -> dict[str, Any]:
    jurisdiction = Jurisdiction.objects.get(code=code)
    return {
        "jurisdiction": (
            jurisdiction.name,
            jurisdiction.level,
            jurisdiction.path,
            jurisdiction.slug,
            jurisdiction.status,
        ),
        "domains": sorted(Domain.objects.filter(tenant=jurisdiction).values_list("domain", "is_primary")),
        "memberships": sorted(
            Membership.objects.filter(jurisdiction=jurisdiction).values_list("user__username", "role", "unit_name")
        ),
    }


def _ensure_restored(path: Path) -> None:
    """Whatever happened in the test, 340300 must exist again for the other tests."""
    connection.set_schema_to_public()
    if not Jurisdiction.objects.filter(code="340300").exists() and path.exists():
        for stray in ("340300-drafter",):
            if User.objects.filter(username=stray + "-x").exists() and not User.objects.filter(username=stray).exists():
                User.objects.filter(username=stray + "-x").update(username=stray)
        transfer.jurisdiction_import(actor=None, path=path)


def test_export_delete_import_round_trip(committed, tmp_path):
    from tests.conftest import user
    from tests.reception.factories import GuestFactory, TaskFactory

    path = tmp_path / "340300.tar.gz"
    # Given a jurisdiction with data: a task with guests, created by one of its drafters
    with in_tenant("340300"):
        task = TaskFactory(created_by=user("340300-drafter"), title="往返测试")
        GuestFactory.create_batch(3, task=task)
    schema = committed.schema_name
    counts = _counts(schema)
    catalog = schema_catalog(schema)
    public = _public_state("340300")
    drafter_id = user("340300-drafter").pk
    try:
        # When it is exported, deleted and imported back
        out = _run("export_jurisdiction", "340300", "--output", str(path))
        assert "exported: 340300" in out and path.exists()
        with tarfile.open(path) as archive:
            names = set(archive.getnames())
            manifest = json.load(archive.extractfile("manifest.json"))
        assert {"manifest.json", "public.json", "tables/reception_task.tsv"} <= names
        assert names == {"manifest.json", "public.json"} | {f"tables/{t}.tsv" for t in manifest["tables"]}
        assert manifest["code"] == "340300" and manifest["schema"] == schema
        assert manifest["rows"]["reception_task"] == 1 and manifest["rows"]["reception_guest"] == 3
        _run("delete_jurisdiction", "340300", "--yes")
        assert not schema_exists(schema)
        assert not Jurisdiction.objects.filter(code="340300").exists()
        assert "imported: 340300" in _run("import_jurisdiction", str(path))
        # Then everything is back: tables with the same rows, constraints and indexes, public rows
        assert _counts(schema) == counts
        assert schema_catalog(schema) == catalog
        assert _public_state("340300") == public
        with in_tenant("340300"):
            from reception.models import Task

            restored = Task.objects.get(title="往返测试")
            assert restored.created_by_id == drafter_id
            assert restored.guests.count() == 3
        # and its people work there again
        assert api("340300", "340300-drafter").get("/api/v1/tasks/").json()["count"] == 1
        assert api("340300", "340000-admin").get("/api/v1/tasks/").status_code == 200
        assert "exists: 340300" in _run("import_jurisdiction", str(path))  # idempotent
        assert AuditEntry.objects.filter(action="tenants.jurisdiction.imported", jurisdiction_code="340300").exists()

        # As another installation: the drafter's account is not there (renamed away here), so the
        # import creates it with a new id and rewrites the id in the tenant's rows
        _run("delete_jurisdiction", "340300", "--yes")
        User.objects.filter(pk=drafter_id).update(username="340300-drafter-x")
        _run("import_jurisdiction", str(path))
        new_drafter = User.objects.get(username="340300-drafter")
        assert new_drafter.pk != drafter_id
        assert new_drafter.check_password(PASSWORD)  # the hash travelled
        with in_tenant("340300"):
            assert Task.objects.get(title="往返测试").created_by_id == new_drafter.pk
        assert Membership.objects.filter(user=new_drafter, jurisdiction__code="340300", role="drafter").exists()
        assert _counts(schema) == counts

        # Back to the original accounts for the other tests
        _run("delete_jurisdiction", "340300", "--yes")
        User.objects.filter(pk=new_drafter.pk).update(username="340300-drafter-y")
        User.objects.filter(pk=drafter_id).update(username="340300-drafter")
        _run("import_jurisdiction", str(path))
        assert _public_state("340300") == public
    finally:
        _ensure_restored(path)


@pytest.mark.django_db
def test_import_refuses_what_it_cannot_do_and_leaves_nothing(tree, tmp_path):
    path = tmp_path / "340121.tar.gz"
    transfer.jurisdiction_export(actor=None, code="340121", path=path)
    # the code still exists
    assert "exists: 340121" in _run("import_jurisdiction", str(path))
    with pytest.raises(Conflict) as refused:
        transfer.jurisdiction_import(actor=None, path=path)
    assert refused.value.code == "exists"
    # a file that is not an export
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="无法读取"):
        _run("import_jurisdiction", str(bad))
    # the parent is missing (another installation without 合肥市)
    _run("delete_jurisdiction", "340121", "--yes")
    Jurisdiction.objects.filter(code="340100").update(code="340199")
    with pytest.raises(CommandError, match="340100"):
        _run("import_jurisdiction", str(path))
    Jurisdiction.objects.filter(code="340199").update(code="340100")
    users_before = User.objects.count()
    # a row that does not fit its table, a table missing, a name that is not a name: refused
    # with the table named, and nothing left behind (no schema, no row, no user)
    broken = tmp_path / "broken.tar.gz"
    _rewrite(path, broken, "tables/reception_letter.tsv", lambda text: text + "not\ta\trow\n")
    with pytest.raises(InvalidInput, match="reception_letter"):
        transfer.jurisdiction_import(actor=None, path=broken)
    _rewrite(path, broken, "tables/reception_guest.tsv", lambda text: text + "x\ty\n")
    with pytest.raises(InvalidInput, match="reception_guest"):
        transfer.jurisdiction_import(actor=None, path=broken)
    _rewrite(
        path, broken, "manifest.json", lambda text: text.replace('"reception_task": [', '"reception_task; drop": [')
    )
    with pytest.raises(CommandError, match="清单无效"):
        _run("import_jurisdiction", str(broken))
    _rewrite(path, broken, "tables/reception_task.tsv", None)
    with pytest.raises(CommandError, match=r"reception_task\.tsv"):
        _run("import_jurisdiction", str(broken))
    connection.set_schema_to_public()
    assert not Jurisdiction.objects.filter(code="340121").exists()
    assert not schema_exists("j340121")
    assert not Domain.objects.filter(domain="changfeng.localhost").exists()
    assert User.objects.count() == users_before
    # and the good file still imports
    _run("import_jurisdiction", str(path))
    assert Jurisdiction.objects.get(code="340121").path == "340000.340100.340121"


def _rewrite(source: Path, target: Path, member: str, change: Any) -> None:
    """Copy an export with one member changed (`change` None: the member left out)."""
    with tarfile.open(source) as archive:
        contents = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    if change is None:
        del contents[member]
    else:
        contents[member] = change(contents[member].decode()).encode()
    with tarfile.open(target, "w:gz") as archive:
        for name, content in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))


@pytest.mark.django_db
def test_a_file_from_another_version_is_refused_by_its_migrations(tree, tmp_path):
    path = tmp_path / "340121.tar.gz"
    transfer.jurisdiction_export(actor=None, code="340121", path=path)
    _run("delete_jurisdiction", "340121", "--yes")
    newer = tmp_path / "newer.tar.gz"
    _rewrite(
        path,
        newer,
        "manifest.json",
        lambda text: text.replace('"migrations": [', '"migrations": ["reception.9999_future", '),
    )
    with pytest.raises(CommandError, match=r"reception\.9999_future"):
        _run("import_jurisdiction", str(newer))
    older = tmp_path / "older.tar.gz"
    _rewrite(path, older, "manifest.json", lambda text: re.sub(r'"migrations": \[[^]]*\]', '"migrations": []', text))
    with pytest.raises(Conflict) as excinfo:
        transfer.jurisdiction_import(actor=None, path=older)
    assert excinfo.value.code == "migrations_differ"
    assert not schema_exists("j340121")
    _run("import_jurisdiction", str(path))
    assert Jurisdiction.objects.get(code="340121").host == "changfeng.localhost"


@pytest.mark.django_db
def test_round_trip_needs_no_client_tools_and_keeps_approved_costs(tree, tmp_path, monkeypatch):
    """No pg_dump or psql: the database may be newer than any client on the machine. An approved
    cost's lines (frozen against inserts by a trigger) come back, and sequences go on from where
    they were."""
    from provider_portal.orders.models import Order, OrderCost, OrderCostLine
    from provider_portal.services import provider_add
    from tests.conftest import user
    from tests.reception.factories import TaskFactory, at

    provider, _created = provider_add(actor=None, name="长丰宾馆", kind="hotel", serves=[tree["340121"]])
    with in_tenant("340121"):
        task = TaskFactory(title="费用往返")
        order = Order.objects.create(
            task_id=task.pk,
            item_id=1,
            provider=provider,
            status="cost_reported",
            task_title=task.title,
            kind="lodging",
            starts_at=at(18),
            venue="长丰宾馆",
            unit_price=Decimal("300.00"),
            planned_amount=Decimal("600.00"),
            cost_amount=Decimal("580.00"),
            sent_by=user("340100-admin"),
        )
        cost = OrderCost.objects.create(
            order=order,
            invoice_number="No.1",
            total=Decimal("580.00"),
            reported_by=user("340100-admin"),
            reported_at=at(20),
        )
        OrderCostLine.objects.create(
            cost=cost, description="住宿", amount=Decimal("580.00"), payment_method="official_card"
        )
        OrderCost.objects.filter(pk=cost.pk).update(approved_at=at(21), approved_by=user("340100-admin"))
        Order.objects.filter(pk=order.pk).update(status="cost_approved")
        next_task_before = TaskFactory(title="序列").pk
    with connection.cursor() as cursor:  # as a commit would: the test's transaction checks its keys now
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to run
    path = tmp_path / "340121.tar.gz"
    transfer.jurisdiction_export(actor=None, code="340121", path=path)
    _run("delete_jurisdiction", "340121", "--yes")
    _run("import_jurisdiction", str(path))
    with in_tenant("340121"):
        restored = OrderCost.objects.get(order_id=order.pk)
        assert restored.approved_at is not None
        assert list(restored.lines.values_list("description", "amount")) == [("住宿", Decimal("580.00"))]
        assert Order.objects.get(pk=order.pk).status == "cost_approved"
        # the freeze holds again after the load
        with pytest.raises(IntegrityError), transaction.atomic():
            OrderCostLine.objects.create(
                cost=restored, description="追加", amount=Decimal("1.00"), payment_method="official_card"
            )
        assert TaskFactory(title="之后").pk > next_task_before
