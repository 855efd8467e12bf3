"""The layering, read from the source with `ast` (no imports run):

- imports point down only: core ← tenants ← provider_portal ← reception ← reporting ← config;
- no app imports another app's private names (`_store`);
- no app writes another app's models (`OtherModel.objects.create/update/...`): it calls the
  owner's services instead.

`KNOWN` lists what is still to be moved; the test fails on anything new, and on an entry that
no longer occurs (so the list only shrinks).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("core", "tenants", "provider_portal", "reception", "reporting", "config")
WRITES = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "delete", "bulk_update"}

#: (kind, file, detail) still to be removed.
KNOWN: set[tuple[str, str, str]] = set()


def _app(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in LAYERS else None


def _sources() -> Iterator[tuple[str, Path]]:
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            yield app, path


def _chain_root_and_write(call: ast.Call) -> tuple[str, str] | None:
    """`Name.objects....<write>(...)` → (Name, write)."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in WRITES:
        return None
    node: ast.AST = func.value
    saw_objects = False
    while True:
        if isinstance(node, ast.Attribute):
            saw_objects = saw_objects or node.attr == "objects"
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            return (node.id, func.attr) if saw_objects else None
        else:
            return None


def findings() -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for app, path in _sources():
        relative = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        foreign_models: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules, names = [node.module], [(a.name, a.asname or a.name) for a in node.names]
            elif isinstance(node, ast.Import):
                modules, names = [a.name for a in node.names], []
            else:
                continue
            for module in modules:
                other = _app(module)
                if other is None or other == app:
                    continue
                if LAYERS.index(other) > LAYERS.index(app):
                    found.add(("upward", relative, module))
                for name, local in names:
                    if name.startswith("_"):
                        found.add(("private", relative, f"{module}.{name}"))
                    if ".models" in f"{module}." and "migrations" not in relative:
                        foreign_models[local] = f"{other}.models.{name}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                hit = _chain_root_and_write(node)
                if hit and hit[0] in foreign_models:
                    found.add(("model-write", relative, f"{foreign_models[hit[0]]}.{hit[1]}"))
    return found


def test_no_new_upward_import_private_import_or_cross_app_model_write():
    new = findings() - KNOWN
    assert not new, "layering broken:\n" + "\n".join(
        f"  {kind:12} {where}: {what}" for kind, where, what in sorted(new)
    )


def test_the_known_list_only_shrinks():
    gone = KNOWN - findings()
    assert not gone, "remove from KNOWN, they are fixed:\n" + "\n".join(map(str, sorted(gone)))


def test_the_detector_sees_each_kind(tmp_path, monkeypatch):
    """The checks themselves catch what they are for (on a throwaway tree)."""
    for app in LAYERS:
        (tmp_path / app).mkdir()
    (tmp_path / "core" / "bad.py").write_text("from reception.models import Task\n")
    (tmp_path / "reporting" / "bad.py").write_text(
        "from reception.models import Task\nfrom reception.services import _secret\n"
        "def f():\n    Task.objects.filter(pk=1).update(title='x')\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert findings() == {
        ("upward", "core/bad.py", "reception.models"),
        ("private", "reporting/bad.py", "reception.services._secret"),
        ("model-write", "reporting/bad.py", "reception.models.Task.update"),
    }
