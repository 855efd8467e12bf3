"""PostgreSQL client tools for the benchmarks that build data fast (template DDL replayed under
many names). The product itself needs none of them: export and import use COPY through the
application's own connection."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from glob import glob

from django.db import connection

from tenants.transfer import server_major


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else None


def pg_tool(name: str = "pg_dump") -> str:
    """A client tool at least as new as the server (PG_BIN_DIR, the server's own version, PATH,
    any other installed version), or a RuntimeError naming what was found."""
    major = server_major()
    candidates = [os.path.join(os.environ["PG_BIN_DIR"], name)] if os.environ.get("PG_BIN_DIR") else []
    candidates.append(f"/usr/lib/postgresql/{major}/bin/{name}")
    if found := shutil.which(name):
        candidates.append(found)
    candidates.extend(sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True))
    seen = []
    for path in dict.fromkeys(candidates):
        if os.path.isfile(path) and os.access(path, os.X_OK):
            seen.append(path)
            tool_major = _tool_major(path)
            if tool_major is not None and tool_major >= major:
                return path
    raise RuntimeError(f"no {name} for PostgreSQL {major} (found: {', '.join(seen) or 'none'}); set PG_BIN_DIR")


def pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = {**os.environ, "PGDATABASE": s["NAME"], "PGUSER": s.get("USER") or "postgres"}
    if s.get("HOST"):
        env["PGHOST"] = s["HOST"]
    if s.get("PORT"):
        env["PGPORT"] = str(s["PORT"])
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


_META_LINE = re.compile(r"^\\(?:un)?restrict\s+\S+\s*$")
_SESSION_LINE = re.compile(r"^(?:SET\s+\w+\s*=|SELECT pg_catalog\.set_config\()")


def executable(sql: str) -> str:
    """A plain dump without psql meta-commands (`\\restrict`) and without session settings."""
    return "\n".join(line for line in sql.splitlines() if not _META_LINE.match(line) and not _SESSION_LINE.match(line))
