"""Audit actions and notification events are names you can grep: every action a service records
and every event it notifies is written out whole (`"reception.task.submitted"`) where it is
recorded or sent, or in a table of such names beside it, never composed from parts
(`f"reception.task.{done}"`), so that searching for an action in the audit log or an event in
the outbox finds the code that wrote it. Read from the source with `ast` (no imports run)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "tenants", "provider_portal", "reception", "reporting")
RECORDERS = {"audit_record", "audit_record_many"}
#: The keyword that names a notification's event (`notify`, `notify_address` and their wrappers).
EVENT_KEYWORD = "event"
#: The start of a namespaced name: `<app>.<object>.` (`reception.schedule.`).
NAMESPACED = re.compile(r"^(" + "|".join(APPS) + r")\.[a-z_]+\.$")


def _composed(node: ast.AST) -> bool:
    """An f-string, a `+` of strings or a `%`/`.format` of one: a name built from parts."""
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    if isinstance(node, ast.IfExp):
        return _composed(node.body) or _composed(node.orelse)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _assigned(function: ast.AST, name: str) -> list[ast.AST]:
    values: list[ast.AST] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    values.append(node.value)
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    for element, value in zip(target.elts, node.value.elts, strict=False):
                        if isinstance(element, ast.Name) and element.id == name:
                            values.append(value)
    return values


def composed_actions() -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path == ROOT / "core" / "audit.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef):
                    continue
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call):
                        continue
                    callee = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
                    if callee not in RECORDERS:
                        continue
                    for keyword in call.keywords:
                        if keyword.arg != "action":
                            continue
                        value = keyword.value
                        values = _assigned(function, value.id) if isinstance(value, ast.Name) else [value]
                        if any(_composed(v) for v in values):
                            found.append(f"{path.relative_to(ROOT)}:{call.lineno}: {ast.unparse(value)}")
    return found


def _sources() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8")))
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _namespaced_prefix(node: ast.AST) -> bool:
    """An f-string or a `+` that starts with `<app>.<object>.` and adds the rest: a composed name."""
    if isinstance(node, ast.JoinedStr) and len(node.values) > 1:
        first = node.values[0]
        return isinstance(first, ast.Constant) and bool(NAMESPACED.match(str(first.value)))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = node.left
        return isinstance(left, ast.Constant) and isinstance(left.value, str) and bool(NAMESPACED.match(left.value))
    return False


def composed_names(sources: list[tuple[Path, ast.Module]]) -> list[str]:
    """Events composed from parts (the `event=` of a call, or a local it was assigned from), and
    any namespaced name built from parts anywhere (`f"reception.schedule.{action}"` returned by
    a serializer is the same name, not greppable either)."""
    found = []
    for path, tree in sources:
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call):
                    continue
                for keyword in call.keywords:
                    if keyword.arg != EVENT_KEYWORD:
                        continue
                    value = keyword.value
                    values = _assigned(function, value.id) if isinstance(value, ast.Name) else [value]
                    if any(_composed(v) for v in values):
                        found.append(f"{where}:{call.lineno}: event={ast.unparse(value)}")
        for node in ast.walk(tree):
            if _namespaced_prefix(node):
                found.append(f"{where}:{getattr(node, 'lineno', 0)}: {ast.unparse(node)}")
    return sorted(set(found))


def test_no_audit_action_is_composed_from_parts() -> None:
    assert composed_actions() == []


def test_no_event_or_namespaced_name_is_composed_from_parts() -> None:
    assert composed_names(_sources()) == []


def test_the_check_finds_a_composed_event(tmp_path: Path) -> None:
    """The check itself: an event composed in the call, through a local, or a namespaced name
    composed anywhere is caught; whole names, a table lookup and other f-strings are not."""
    path = tmp_path / "sample.py"
    source = (
        "def a(kind):\n    notify(recipients=[], event=f'reception.meeting.{kind}')\n"
        "def b(action):\n    name = 'reception.schedule.' + action\n    notify(recipients=[], event=name)\n"
        "def c(change):\n    return f'reception.schedule.{change.action}'\n"
        "def d(kind):\n    notify(recipients=[], event=EVENTS[kind], key=f'order-withdrawn:{kind}')\n"
        "def e():\n    notify(recipients=[], event='reception.meeting.notice')\n"
    )
    path.write_text(source, encoding="utf-8")
    lines = [line.split(":")[1] for line in composed_names([(path, ast.parse(source))])]
    assert sorted(set(lines), key=int) == ["2", "4", "5", "7"]


def test_the_check_finds_a_composed_action(tmp_path: Path) -> None:
    """The check itself: both shapes it must catch are caught."""
    source = (
        "def a(done):\n    audit_record(actor=None, action=f'reception.task.{done}')\n"
        "def b(done):\n    name = 'reception.task.' + done\n    audit_record(actor=None, action=name)\n"
        "def c():\n    audit_record(actor=None, action='reception.task.submitted')\n"
    )
    tree = ast.parse(source)
    flagged = []
    for function in tree.body:
        assert isinstance(function, ast.FunctionDef)
        call = next(
            n for n in ast.walk(function) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "audit_record"
        )
        value = call.keywords[1].value
        values = _assigned(function, value.id) if isinstance(value, ast.Name) else [value]
        flagged.append(any(_composed(v) for v in values))
    assert flagged == [True, True, False]


def test_every_task_transition_has_its_audit_action() -> None:
    from reception.models import TRANSITIONS
    from reception.models.tasks import TASK_ACTIONS

    dones = {t.done for t in TRANSITIONS.values()} | {d for t in TRANSITIONS.values() for _s, (_t, d) in t.detours}
    assert dones == set(TASK_ACTIONS)
    assert all(action == f"reception.task.{done}" for done, action in TASK_ACTIONS.items())
