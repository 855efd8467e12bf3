"""Export one jurisdiction to a file and import it again (after deletion, or into another installation).

The file is a gzipped tar archive, independent of the PostgreSQL version on either side and
needing no client tools (no pg_dump: the database may be newer than any client installed):

    manifest.json     format, code, schema, time, the schema's applied migrations, its tables
                      with their columns, row counts and sequence values
    public.json       its public-schema rows: the jurisdiction, its hosts, its memberships, every
                      user its rows refer to (with the password hash), the rows of other apps that
                      point at the jurisdiction (designated providers, reports, …) and the ids of
                      other public rows its data refers to (providers)
    tables/<t>.tsv    each table's rows in COPY's text format, read in one snapshot

Import accepts a file only from an installation at the same migrations (the structure then is
the template's). In ONE transaction it matches users by username (missing ones created with
their password hash), clones the template under the jurisdiction's schema name (structure,
names, indexes, constraints, triggers), replaces its rows by the file's with COPY (user ids
rewritten to this installation's), sets the sequences, checks the foreign keys, then writes the
public rows. Anything that fails leaves nothing.
"""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from core.audit import audit_record
from core.errors import Conflict, InvalidInput, NotFound
from core.models import User
from tenants.models import Application, Domain, Jurisdiction, Membership
from tenants.provisioning import _quote, applied_migrations, code_migrations, schema_clone
from tenants.schema import activate_public

FORMAT = 1
USER_FIELDS = (
    "username",
    "password",
    "display_name",
    "phone",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "date_joined",
)
# Rows of these models are handled explicitly (or belong to the installation, not the tenant).
_OWN = {Domain, Membership, Application, Jurisdiction}


# --- The schema's tables, in PostgreSQL's version-independent COPY text format ------------------

_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def server_major() -> int:
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def schema_tables(schema: str) -> dict[str, list[str]]:
    """Each ordinary table of the schema with its stored columns, in column order."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, array_agg(a.attname::text ORDER BY a.attnum)
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = %s AND c.relkind = 'r' AND a.attgenerated = ''
            GROUP BY c.relname
            ORDER BY c.relname
            """,
            [schema],
        )
        return {table: list(columns) for table, columns in cursor.fetchall()}


def schema_sequences(schema: str) -> dict[str, int | None]:
    """Each sequence of the schema with its last value (None: never used)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s ORDER BY 1", [schema])
        return dict(cursor.fetchall())


def _columns_sql(columns: list[str]) -> str:
    return ", ".join(f'"{column}"' for column in columns)


def _copy_out(schema: str, table: str, columns: list[str], target: IO[bytes]) -> None:
    with connection.cursor() as cursor:
        cursor.copy_expert(f'COPY {_quote(schema)}."{table}" ({_columns_sql(columns)}) TO STDOUT', target)


# --- Foreign keys from a schema to the public schema ------------------------------------------


@dataclass(frozen=True)
class ForeignKey:
    table: str
    column: str
    target_table: str
    target_column: str


def public_foreign_keys(schema: str) -> list[ForeignKey]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT rel.relname, att.attname, frel.relname, fatt.attname
            FROM pg_constraint con
            JOIN pg_class rel ON rel.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = rel.relnamespace
            JOIN pg_class frel ON frel.oid = con.confrelid
            JOIN pg_namespace fn ON fn.oid = frel.relnamespace
            JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
            JOIN pg_attribute fatt ON fatt.attrelid = con.confrelid AND fatt.attnum = con.confkey[1]
            WHERE con.contype = 'f' AND n.nspname = %s AND fn.nspname = 'public'
              AND array_length(con.conkey, 1) = 1
            ORDER BY 1, 2
            """,
            [schema],
        )
        return [ForeignKey(*row) for row in cursor.fetchall()]


def _referenced(schema: str, fk: ForeignKey) -> set[Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT DISTINCT "{fk.column}" FROM {_quote(schema)}."{fk.table}" WHERE "{fk.column}" IS NOT NULL'
        )
        return {row[0] for row in cursor.fetchall()}


def _related_models() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """Models of other apps with a foreign key to Jurisdiction (public rows of the tenant)."""
    found = []
    for relation in Jurisdiction._meta.related_objects:
        model = relation.related_model
        if model in _OWN or not isinstance(relation.field, models.ForeignKey):
            continue
        found.append((model, relation.field))
    return found


# --- Export ---------------------------------------------------------------------------------


def jurisdiction_export(*, actor: User | None, code: str, path: str | Path) -> dict[str, Any]:
    """Write the jurisdiction's archive to `path`; returns the manifest."""
    activate_public()
    jurisdiction = Jurisdiction.objects.select_related("parent").filter(code=code).first()
    if jurisdiction is None:
        raise NotFound(_("辖区 %(code)s 不存在。") % {"code": code})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".export-") as work:
        # One snapshot for the public rows, every table and the sequences (unless the caller
        # already holds a transaction, as tests do).
        outer = connection.in_atomic_block
        with transaction.atomic():
            if not outer:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            manifest, public = _export_snapshot(jurisdiction, Path(work))
        with (
            tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".part") as handle,
            tarfile.open(fileobj=handle, mode="w:gz") as archive,
        ):
            _add(archive, "manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder, ensure_ascii=False).encode())
            _add(archive, "public.json", json.dumps(public, cls=DjangoJSONEncoder, ensure_ascii=False).encode())
            for table in manifest["tables"]:
                archive.add(Path(work) / f"{table}.tsv", arcname=f"tables/{table}.tsv")
        os.replace(handle.name, path)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="tenants.jurisdiction.exported",
            jurisdiction_code=code,
            obj=jurisdiction,
            after={"file": path.name, "users": manifest["users"], "schema": jurisdiction.schema_name},
        )
    return json.loads(json.dumps(manifest, cls=DjangoJSONEncoder))


def _export_snapshot(jurisdiction: Jurisdiction, work: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = jurisdiction.schema_name
    user_model_table = User._meta.db_table
    jurisdiction_table = Jurisdiction._meta.db_table

    user_ids: set[int] = set(Membership.objects.filter(jurisdiction=jurisdiction).values_list("user_id", flat=True))
    references: dict[str, set[Any]] = {}
    for fk in public_foreign_keys(schema):
        values = _referenced(schema, fk)
        if fk.target_table == user_model_table:
            user_ids |= values
        elif fk.target_table != jurisdiction_table:
            references.setdefault(f"{fk.target_table}.{fk.target_column}", set()).update(values)
    related: dict[str, list[dict[str, Any]]] = {}
    for model, field in _related_models():
        rows = []
        for obj in model._default_manager.filter(**{field.name: jurisdiction}):
            row = {f.attname: f.value_from_object(obj) for f in model._meta.concrete_fields if not f.primary_key}
            for f in model._meta.concrete_fields:
                if not f.is_relation or f.related_model is None or row.get(f.attname) is None:
                    continue
                if f.related_model is User:
                    user_ids.add(row[f.attname])
                elif f.related_model is not Jurisdiction:
                    target = f.related_model._meta
                    references.setdefault(f"{target.db_table}.{target.pk.column}", set()).add(row[f.attname])
            rows.append(row)
        related[model._meta.label_lower] = rows

    users = [
        {"id": u.pk, **{name: getattr(u, name) for name in USER_FIELDS}}
        for u in User.objects.filter(pk__in=user_ids).order_by("pk")
    ]
    public = {
        "jurisdiction": {
            "code": jurisdiction.code,
            "name": jurisdiction.name,
            "level": jurisdiction.level,
            "parent_code": jurisdiction.parent.code if jurisdiction.parent else None,
            "slug": jurisdiction.slug,
            "status": jurisdiction.status,
            "is_pilot": jurisdiction.is_pilot,
            "schema_name": schema,
            "created_at": jurisdiction.created_at,
        },
        "domains": list(Domain.objects.filter(tenant=jurisdiction).order_by("id").values("domain", "is_primary")),
        "users": users,
        "memberships": list(
            Membership.objects.filter(jurisdiction=jurisdiction)
            .order_by("id")
            .values("user_id", "role", "unit_name", "created_at")
        ),
        "related": related,
        "references": {key: sorted(values) for key, values in references.items()},
    }
    tables = schema_tables(schema)
    counts: dict[str, int] = {}
    for table, columns in tables.items():
        with open(work / f"{table}.tsv", "w+b") as data:
            _copy_out(schema, table, columns, data)
            data.seek(0)
            counts[table] = sum(1 for _line in data)
    manifest = {
        "format": FORMAT,
        "code": jurisdiction.code,
        "schema": schema,
        "exported_at": timezone.now(),
        "server_major": server_major(),
        "migrations": sorted(f"{app}.{name}" for app, name in applied_migrations(schema)),
        "tables": tables,
        "rows": counts,
        "sequences": schema_sequences(schema),
        "users": len(users),
        "related_rows": sum(len(rows) for rows in related.values()),
    }
    return manifest, public


def _add(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(content))


# --- Import ---------------------------------------------------------------------------------


class Archive:
    """An export file opened for reading: the manifest and public rows at once, tables on demand."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._tar = tarfile.open(self.path, mode="r:gz")  # noqa: SIM115 (closed by close())
        except (OSError, tarfile.TarError) as exc:
            raise InvalidInput(_("无法读取导出文件：%(err)s") % {"err": exc}, field="file") from exc
        try:
            self._members = {m.name: m for m in self._tar.getmembers() if m.isfile()}
            missing = [name for name in ("manifest.json", "public.json") if name not in self._members]
            if missing:
                raise InvalidInput(_("导出文件不完整，缺少 %(names)s。") % {"names": ", ".join(missing)}, field="file")
            self.manifest: dict[str, Any] = json.loads(self._text("manifest.json"))
            self.public: dict[str, Any] = json.loads(self._text("public.json"))
        except (OSError, tarfile.TarError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            self._tar.close()
            raise InvalidInput(_("无法读取导出文件：%(err)s") % {"err": exc}, field="file") from exc
        except InvalidInput:
            self._tar.close()
            raise
        if self.manifest.get("format") != FORMAT:
            self._tar.close()
            raise InvalidInput(
                _("不支持的导出格式 %(f)s（本系统读取格式 %(ours)s）。")
                % {"f": self.manifest.get("format"), "ours": FORMAT},
                field="file",
            )
        try:
            self.tables = self._checked_tables()
        except InvalidInput:
            self._tar.close()
            raise

    def _text(self, name: str) -> str:
        handle = self._tar.extractfile(self._members[name])
        assert handle is not None
        return handle.read().decode()

    def _checked_tables(self) -> dict[str, list[str]]:
        tables = self.manifest.get("tables")
        if not isinstance(tables, dict):
            raise InvalidInput(_("导出文件的清单无效。"), field="file")
        for table, columns in tables.items():
            names = [table, *columns] if isinstance(columns, list) else [table, None]
            if not all(isinstance(name, str) and _NAME.fullmatch(name) for name in names):
                raise InvalidInput(_("导出文件的清单无效。"), field="file")
            if f"tables/{table}.tsv" not in self._members:
                name = f"tables/{table}.tsv"
                raise InvalidInput(_("导出文件不完整，缺少 %(names)s。") % {"names": name}, field="file")
        return tables

    def table(self, name: str) -> IO[bytes]:
        handle = self._tar.extractfile(self._members[f"tables/{name}.tsv"])
        assert handle is not None
        return handle

    def close(self) -> None:
        self._tar.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_manifest(path: str | Path) -> dict[str, Any]:
    with Archive(path) as archive:
        return archive.manifest


def jurisdiction_import(*, actor: User | None, path: str | Path) -> Jurisdiction:
    """Load an exported jurisdiction into this installation, all or nothing."""
    with Archive(path) as archive:
        return _import(actor, archive)


def _import(actor: User | None, archive: Archive) -> Jurisdiction:
    manifest, public = archive.manifest, archive.public
    activate_public()
    data = public["jurisdiction"]
    code, schema = data["code"], data["schema_name"]
    if not isinstance(schema, str) or not _NAME.fullmatch(schema):
        raise InvalidInput(_("导出文件的清单无效。"), field="file")
    _check_migrations(manifest)
    if Jurisdiction.objects.filter(code=code).exists():
        raise Conflict(_("辖区 %(code)s 已存在，请先删除再导入。") % {"code": code}, code="exists")
    if schema_exists(schema):
        raise Conflict(_("数据库模式 %(s)s 已存在。") % {"s": schema}, code="schema_exists")
    parent = None
    if data.get("parent_code"):
        parent = Jurisdiction.objects.filter(code=data["parent_code"]).first()
        if parent is None:
            raise Conflict(
                _("上级辖区 %(code)s 不存在，请先导入或创建上级。") % {"code": data["parent_code"]},
                code="parent_missing",
            )
    for host in (d["domain"] for d in public["domains"]):
        if Domain.objects.filter(domain=host).exists():
            raise Conflict(_("域名 %(host)s 已被其他辖区使用。") % {"host": host}, code="domain_taken")
    if Jurisdiction.objects.filter(slug=data["slug"]).exists():
        raise Conflict(_("子域名 %(slug)s 已被使用。") % {"slug": data["slug"]}, code="slug_taken")
    _check_references(public.get("references", {}))

    with transaction.atomic():
        user_map = _users(public["users"])
        schema_clone(schema)  # the template's structure, names, indexes, constraints and triggers
        _load_tables(archive, schema, user_map)
        activate_public()
        jurisdiction = Jurisdiction.objects.create(
            code=code,
            name=data["name"],
            level=data["level"],
            parent=parent,
            path=f"{parent.path}.{code}" if parent else code,
            slug=data["slug"],
            schema_name=schema,
            status=data["status"],
            is_pilot=data["is_pilot"],
        )
        if data.get("created_at"):
            Jurisdiction.objects.filter(pk=jurisdiction.pk).update(created_at=_datetime(data["created_at"]))
        for domain in public["domains"]:
            Domain.objects.create(domain=domain["domain"], is_primary=domain["is_primary"], tenant=jurisdiction)
        for membership in public["memberships"]:
            Membership.objects.create(
                user_id=user_map[membership["user_id"]],
                jurisdiction=jurisdiction,
                role=membership["role"],
                unit_name=membership["unit_name"],
            )
        _related(public.get("related", {}), jurisdiction, user_map)
        audit_record(
            actor=actor,
            action="tenants.jurisdiction.imported",
            jurisdiction_code=code,
            obj=jurisdiction,
            after={"schema": schema, "users": len(user_map), "exported_at": manifest.get("exported_at")},
        )
    return jurisdiction


def _check_migrations(manifest: dict[str, Any]) -> None:
    """The file's tables must have this code's structure: the same migrations, no more, no less."""
    theirs = set(manifest.get("migrations") or [])
    ours = {f"{app}.{name}" for app, name in code_migrations()}
    if theirs != ours:
        missing, extra = sorted(ours - theirs), sorted(theirs - ours)
        raise Conflict(
            _(
                "导出文件的数据库结构与本系统的版本不同（文件缺少的迁移：%(missing)s；文件多出的迁移：%(extra)s）。"
                "请把导出方和导入方升级到同一版本后再导入。"
            )
            % {"missing": ", ".join(missing[:5]) or _("无"), "extra": ", ".join(extra[:5]) or _("无")},
            code="migrations_differ",
        )


def _load_tables(archive: Archive, schema: str, user_map: dict[int, int]) -> None:
    """Replace the clone's rows by the file's: COPY each table, user ids rewritten on the way,
    the schema's own triggers off while loading (an approved cost's lines are frozen against
    later inserts, not against being restored), sequences set, foreign keys checked at once."""
    here = schema_tables(schema)
    if set(archive.tables) != set(here):
        raise InvalidInput(_("导出文件的表与本系统的表不一致。"), field="file")
    user_columns: dict[str, set[str]] = {}
    for fk in public_foreign_keys(schema):
        if fk.target_table == User._meta.db_table:
            user_columns.setdefault(fk.table, set()).add(fk.column)
    quoted = [f'{_quote(schema)}."{table}"' for table in here]
    with connection.cursor() as cursor:
        # The schema's deferrable foreign keys wait for the end of the load (tables come in name
        # order, not in reference order), whatever the caller's transaction set before.
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE connamespace = %s::regnamespace AND condeferrable",
            [schema],
        )
        deferrable = ", ".join(f'{_quote(schema)}."{name}"' for (name,) in cursor.fetchall())
        if deferrable:
            cursor.execute(f"SET CONSTRAINTS {deferrable} DEFERRED")
        cursor.execute(f"TRUNCATE {', '.join(quoted)}")
        for name in quoted:
            cursor.execute(f"ALTER TABLE {name} DISABLE TRIGGER USER")
        for table, columns in archive.tables.items():
            unknown = set(columns) - set(here[table])
            if unknown:
                raise InvalidInput(
                    _("导出文件中表 %(table)s 的列 %(cols)s 在本系统不存在。")
                    % {"table": table, "cols": ", ".join(sorted(unknown))},
                    field="file",
                )
            rewrite = [i for i, column in enumerate(columns) if column in user_columns.get(table, set())]
            sql = f'COPY {_quote(schema)}."{table}" ({_columns_sql(columns)}) FROM STDIN'
            try:
                with archive.table(table) as source, tempfile.TemporaryFile() as rewritten, transaction.atomic():
                    if rewrite:
                        _rewrite_users(source, rewritten, rewrite, user_map, table)
                    with connection.wrap_database_errors:  # (copy_expert is psycopg2's own)
                        cursor.copy_expert(sql, rewritten if rewrite else source)
            except DatabaseError as exc:
                raise InvalidInput(
                    _("导出文件中表 %(table)s 的数据无法载入：%(err)s") % {"table": table, "err": _first_line(exc)},
                    field="file",
                ) from exc
        for sequence, value in (archive.manifest.get("sequences") or {}).items():
            if not _NAME.fullmatch(str(sequence)) or not (value is None or isinstance(value, int)):
                raise InvalidInput(_("导出文件的清单无效。"), field="file")
            if value is None:
                cursor.execute(
                    "SELECT setval(%s::regclass, start_value, false) FROM pg_sequences "
                    "WHERE schemaname = %s AND sequencename = %s",
                    [f'{_quote(schema)}."{sequence}"', schema, sequence],
                )
            else:
                cursor.execute("SELECT setval(%s::regclass, %s, true)", [f'{_quote(schema)}."{sequence}"', int(value)])
        # ... and are checked now, so that a broken file fails here with its table named, not at
        # the commit of the caller's transaction.
        if deferrable:
            try:
                with transaction.atomic():
                    cursor.execute(f"SET CONSTRAINTS {deferrable} IMMEDIATE")
            except DatabaseError as exc:
                raise InvalidInput(
                    _("导出文件的数据引用无法对上：%(err)s") % {"err": _first_line(exc)}, field="file"
                ) from exc
            cursor.execute(f"SET CONSTRAINTS {deferrable} DEFERRED")
        # (after the checks: a table with checks pending cannot be altered)
        for name in quoted:
            cursor.execute(f"ALTER TABLE {name} ENABLE TRIGGER USER")


def _rewrite_users(
    source: IO[bytes], target: IO[bytes], positions: list[int], user_map: dict[int, int], table: str
) -> None:
    """Copy COPY text from source to target with the user ids at `positions` mapped to this
    installation's ids. In COPY's text format a tab or newline inside a value is escaped, so
    splitting on them is exact."""
    for line in source:
        fields = line.rstrip(b"\n").split(b"\t")
        if len(fields) <= max(positions):
            raise InvalidInput(_("导出文件中表 %(table)s 有一行的列数不对。") % {"table": table}, field="file")
        for i in positions:
            value = fields[i]
            if value == b"\\N":
                continue
            try:
                fields[i] = str(user_map[int(value)]).encode()
            except (ValueError, KeyError) as exc:
                raise InvalidInput(
                    _("导出文件中表 %(table)s 引用的用户 %(id)s 不在文件的用户列表中。")
                    % {"table": table, "id": value.decode(errors="replace")},
                    field="file",
                ) from exc
        target.write(b"\t".join(fields) + b"\n")
    target.seek(0)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__


def _check_references(references: dict[str, list[Any]]) -> None:
    for key, values in references.items():
        table, column = key.rsplit(".", 1)
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", table) or not re.fullmatch(r"[a-z_][a-z0-9_]*", column):
            raise InvalidInput(_("导出文件中的引用无效。"), field="file")
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT "{column}" FROM public."{table}" WHERE "{column}" = ANY(%s)', [list(values)])
            present = {row[0] for row in cursor.fetchall()}
        missing = sorted(set(values) - present, key=str)
        if missing:
            raise Conflict(
                _("导入需要的公共记录不存在：%(table)s %(ids)s。请先在本系统中建立它们。")
                % {"table": table, "ids": ", ".join(map(str, missing[:10]))},
                code="references_missing",
            )


def _users(rows: list[dict[str, Any]]) -> dict[int, int]:
    """old id → id here; users are matched by username, missing ones created (hash kept)."""
    mapping: dict[int, int] = {}
    for row in rows:
        user = User.objects.filter(username=row["username"]).first()
        if user is None:
            user = User(**{name: row[name] for name in USER_FIELDS if name != "date_joined"})
            user.date_joined = _datetime(row.get("date_joined")) or timezone.now()
            user.save()
        mapping[int(row["id"])] = user.pk
    return mapping


def _datetime(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _related(
    rows_by_model: dict[str, list[dict[str, Any]]], jurisdiction: Jurisdiction, user_map: dict[int, int]
) -> None:
    for label, rows in rows_by_model.items():
        try:
            model = apps.get_model(label)
        except LookupError as exc:
            raise InvalidInput(_("本系统没有 %(m)s，无法导入。") % {"m": label}, field="file") from exc
        objects = []
        for row in rows:
            values: dict[str, Any] = {}
            for f in model._meta.concrete_fields:
                if f.primary_key or f.attname not in row:
                    continue
                value = row[f.attname]
                if f.is_relation and f.related_model is Jurisdiction:
                    value = jurisdiction.pk
                elif f.is_relation and f.related_model is User and value is not None:
                    value = user_map.get(int(value), value)
                elif value is not None and not f.is_relation:
                    value = f.to_python(value)
                values[f.attname] = value
            objects.append(model(**values))
        created = model._default_manager.bulk_create(objects)
        # auto_now(_add) fields were stamped "now" by the insert: give them their exported values.
        stamped = [
            f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        for obj, row in zip(created, rows, strict=True):
            original = {f.attname: f.to_python(row[f.attname]) for f in stamped if row.get(f.attname) is not None}
            if original:
                model._default_manager.filter(pk=obj.pk).update(**original)
