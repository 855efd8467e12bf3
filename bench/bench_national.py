"""The national migration: one new migration deployed by `migrate_schemas --fast` to every schema
of the national database (`bench/national.py build`), when that database exists.

Runs `bench/national.py migrate` in a subprocess (it configures Django for the `_national`
database) and reads the figure it logs; the probe migration lives only in that process and is
undone by SQL afterwards. Without a national database the line is skipped, saying so."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bench.common import Context, Result

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 300.0
_FIGURE = re.compile(
    r"--fast, one new migration \(column \+ index\): (\d+) of (\d+) schemas changed in ([\d.]+) s "
    r"\(([\d.]+) schemas/s, (\d+) connections\), load average ([\d.]+)"
)


def _national_database() -> str | None:
    """The national database's name when it exists and holds jurisdictions."""
    from django.db import connection

    current = str(connection.settings_dict["NAME"])
    name = current.removesuffix("_bench") + "_national"  # as bench/national.py names it
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            return None
    return name


def run(ctx: Context) -> list[Result]:
    name = _national_database()
    if name is None:
        print("    national migration: skipped (no national database; see bench/national.py build)")
        return []
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "national.py"), "migrate", "--connections", "8"],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=3600,
    )
    found = _FIGURE.search(result.stdout)
    if result.returncode != 0 or found is None:
        raise RuntimeError(f"bench/national.py migrate failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    changed, total, seconds, rate, connections, load = found.groups()
    return [
        Result(
            f"national migration, --fast ({total} schemas)",
            float(seconds),
            "s",
            target=f"≤ {TARGET_SECONDS:.0f} s",
            note=f"{changed} changed, {rate} schemas/s, {connections} connections, load {load}; {name}",
            ok=float(seconds) <= TARGET_SECONDS and changed == total,
        )
    ]
