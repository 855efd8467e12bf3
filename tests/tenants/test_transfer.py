"""Export one jurisdiction to a file and import it back: after deletion, and as another
installation would (users matched by name, their ids rewritten in the tenant's rows)."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists

from core.errors import Conflict
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


def _comparable(catalog: dict[str, Any]) -> dict[str, Any]:
    """A dump re-creates a CHECK … IN constraint in another spelling (`(ARRAY['a'::character
    varying])::text[]` becomes `ARRAY['a'::character varying::text]`): the same constraint, so
    parentheses, spaces and those casts are left out of the comparison (names stay compared)."""
    constraints = [
        (t, n, k, re.sub(r"[()\s]|::charactervarying|::text\[\]|::text", "", re.sub(r"\s", "", d)))
        for t, n, k, d in catalog["constraints"]
    ]
    return {**catalog, "constraints": sorted(constraints)}


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
        assert names == {"manifest.json", "public.json", "pre-data.sql", "data.sql", "post-data.sql"}
        assert manifest["code"] == "340300" and manifest["schema"] == schema
        _run("delete_jurisdiction", "340300", "--yes")
        assert not schema_exists(schema)
        assert not Jurisdiction.objects.filter(code="340300").exists()
        assert "imported: 340300" in _run("import_jurisdiction", str(path))
        # Then everything is back: tables with the same rows, constraints and indexes, public rows
        assert _counts(schema) == counts
        assert _comparable(schema_catalog(schema)) == _comparable(catalog)
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
    with pytest.raises(Conflict):
        transfer.jurisdiction_import(actor=None, path=path)
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
    # a statement that fails half-way leaves no schema, no row, no user
    broken = tmp_path / "broken.tar.gz"
    _rewrite(path, broken, "post-data.sql", lambda sql: sql + "\nSELECT no_such_function();\n")
    with pytest.raises(Exception, match="no_such_function"):
        transfer.jurisdiction_import(actor=None, path=broken)
    connection.set_schema_to_public()
    assert not Jurisdiction.objects.filter(code="340121").exists()
    assert not schema_exists("j340121")  # the tables made before the failing statement are gone too
    assert not Domain.objects.filter(domain="changfeng.localhost").exists()
    # and the good file still imports
    _run("import_jurisdiction", str(path))
    assert Jurisdiction.objects.get(code="340121").path == "340000.340100.340121"


def _rewrite(source: Path, target: Path, member: str, change: Any) -> None:
    with tarfile.open(source) as archive:
        contents = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    contents[member] = change(contents[member].decode()).encode()
    with tarfile.open(target, "w:gz") as archive:
        for name, content in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))


@pytest.mark.django_db
def test_pg_dump_older_than_the_server_is_refused_clearly(tree, monkeypatch, tmp_path):
    monkeypatch.setattr(transfer, "server_major", lambda: 99)
    with pytest.raises(transfer.ToolMissing) as excinfo:
        transfer.pg_tool("pg_dump")
    message = str(excinfo.value.message)
    assert "99" in message and "PG_BIN_DIR" in message
    with pytest.raises(CommandError, match="PG_BIN_DIR"):
        _run("export_jurisdiction", "340121", "--output", str(tmp_path / "x.tar.gz"))


@pytest.mark.django_db
def test_pg_dump_is_found_for_this_server(tree):
    path, major = transfer.pg_tool("pg_dump")
    assert Path(path).name == "pg_dump"
    assert major >= transfer.server_major()


@pytest.mark.django_db
def test_a_dump_from_a_newer_server_is_refused(tree, tmp_path):
    path = tmp_path / "340121.tar.gz"
    transfer.jurisdiction_export(actor=None, code="340121", path=path)
    _run("delete_jurisdiction", "340121", "--yes")
    newer = tmp_path / "newer.tar.gz"
    _rewrite(path, newer, "manifest.json", lambda text: text.replace('"server_major": ', '"server_major": 1'))
    with pytest.raises(CommandError, match="PostgreSQL"):
        _run("import_jurisdiction", str(newer))
    _run("import_jurisdiction", str(path))
    assert Jurisdiction.objects.get(code="340121").host == "changfeng.localhost"
