"""`reporting` keeps one package per flow, each in the layout `reception` uses (services, selectors,
api, views, tasks), so that a newcomer who knows one flow knows them all: no flat module creeps
back beside them. Read from the file tree (no imports run)."""

from __future__ import annotations

from pathlib import Path

REPORTING = Path(__file__).resolve().parents[2] / "reporting"

#: The flows, and the modules a flow may have besides the common five.
FLOWS = {
    "directives": {"materialise"},
    "reports": set(),
    "oversight": set(),
    "statistics": {"exports", "pdf"},
    "supervision": {"digest"},
    "disclosure": set(),
    "common": {"charts", "pages"},
}
LAYOUT = {"__init__", "services", "selectors", "api", "views", "tasks"}
#: Top-level modules: the app's wiring (URL confs, registry hooks, demo data) and its models.
TOP_LEVEL = {"__init__", "apps", "models", "urls", "api_urls", "oversight_urls", "workplace", "demo"}


def test_reporting_is_one_package_per_flow() -> None:
    assert {p.stem for p in REPORTING.glob("*.py")} == TOP_LEVEL
    packages = {p.parent.name for p in REPORTING.glob("*/__init__.py")}
    assert packages == set(FLOWS) | {"local", "migrations"}
    for flow, extra in FLOWS.items():
        modules = {p.stem for p in (REPORTING / flow).glob("*.py")}
        assert modules <= LAYOUT | extra, (flow, sorted(modules - LAYOUT - extra))
