"""The workplace (工作台): what each role has to do in a jurisdiction, then its shortcuts.

A registry, filled by the apps above from `AppConfig.ready()` (this app sits below them): a
`Panel` counts and lists one kind of pending work for the roles it names; a `Shortcut` is a link
to a page. The workplace shows the panels of the user's roles, most urgent first, and only the
shortcuts whose page would let the user in (`link_allowed` asks the page's own permission
declaration, so a link can never answer 403).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import Resolver404, resolve

from tenants.permissions import Access, allowed_roles

__all__ = [
    "Panel",
    "PanelRow",
    "Shortcut",
    "link_allowed",
    "pending_total",
    "register_panel",
    "register_shortcut",
    "workplace_panels",
    "workplace_shortcuts",
]


@dataclass(frozen=True)
class PanelRow:
    """One line of a to-do list: what, where to open it, and a short detail (dates, unit)."""

    label: str
    url: str
    detail: str = ""
    status: str = ""
    status_label: str = ""


@dataclass(frozen=True)
class Panel:
    """One kind of pending work. `rows(access)` runs in the jurisdiction's schema and returns
    (count, first rows); `roles` are the roles that must do it (oversight never counts)."""

    key: str
    title: Any
    roles: frozenset[str]
    rows: Callable[[Access, Any], tuple[int, list[PanelRow]]]
    more_url: str
    order: int = 100
    #: Shown when the jurisdiction has a parent / has children only (reports up, directives down).
    needs: Callable[[Access], bool] = field(default=lambda access: True)


@dataclass(frozen=True)
class Shortcut:
    title: Any
    url: str
    group: Any
    order: int = 100
    needs: Callable[[Access], bool] = field(default=lambda access: True)


_panels: list[Panel] = []
_shortcuts: list[Shortcut] = []


def register_panel(panel: Panel) -> None:
    if all(p.key != panel.key for p in _panels):
        _panels.append(panel)
        _panels.sort(key=lambda p: (p.order, p.key))


def register_shortcut(shortcut: Shortcut) -> None:
    if all(s.url != shortcut.url for s in _shortcuts):
        _shortcuts.append(shortcut)
        _shortcuts.sort(key=lambda s: (s.order, s.url))


@dataclass
class ShownPanel:
    key: str
    title: Any
    count: int
    rows: list[PanelRow]
    more_url: str


def workplace_panels(access: Access, user: Any, *, rows: bool = True) -> list[ShownPanel]:
    """The panels of the user's own roles here (in the current schema), in registry order."""
    shown = []
    for panel in _panels:
        if not access.has_any(panel.roles) or not panel.needs(access):
            continue
        count, first = panel.rows(access, user)
        shown.append(ShownPanel(panel.key, panel.title, count, first if rows else [], panel.more_url))
    return shown


def pending_total(access: Access, user: Any) -> int:
    """How much is waiting for this user here, over every panel of their roles."""
    return sum(p.count for p in workplace_panels(access, user, rows=False))


def link_allowed(request: HttpRequest, path: str, access: Access | None) -> bool:
    """Would a GET of `path` on this host let the request's user in? Asks the page's own
    `roles`/`roles_by_method`, as the permission mixin will."""
    if access is None:
        return False
    try:
        match = resolve(path.split("?")[0], getattr(request, "urlconf", None))
    except Resolver404:
        return False
    view = getattr(match.func, "view_class", None)
    if view is None:
        return True  # function views check for themselves and do not declare roles
    original = request.method
    request.method = "GET"
    try:
        return access.can_read(allowed_roles(view, request))
    finally:
        request.method = original


def workplace_shortcuts(request: HttpRequest, access: Access) -> list[tuple[Any, list[Shortcut]]]:
    """Shortcuts the user may open here, grouped, in registry order."""
    groups: dict[str, tuple[Any, list[Shortcut]]] = {}
    for shortcut in _shortcuts:
        if shortcut.needs(access) and link_allowed(request, shortcut.url, access):
            groups.setdefault(str(shortcut.group), (shortcut.group, []))[1].append(shortcut)
    return list(groups.values())


def roles_of(panels: Iterable[Panel]) -> frozenset[str]:
    return frozenset().union(*(p.roles for p in panels))
