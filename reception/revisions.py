"""A plan as data, and what changed between two of them (the revisions' field-level changes).

A snapshot is `{"item": {id: {field: value}}, "guest": {...}, "staff": {...}}` with JSON values
(decimals as strings, times in ISO 8601 with their offset), so it is kept as it is in a revision.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from reception.models import ITEM_FIELDS, Task

#: The parts of a plan an amendment changes, with the fields compared (`provider` as its id).
PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "item": ("items", ITEM_FIELDS),
    "guest": ("guests", ("name", "unit", "post", "grade", "phone")),
    "staff": ("accompanying", ("name", "unit", "post")),
}
Snapshot = dict[str, dict[str, dict[str, Any]]]


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


def _values(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _json(getattr(obj, "provider_id" if name == "provider" else name)) for name in fields}


def plan_snapshot(task: Task) -> Snapshot:
    """The task's plan now (three queries; reuses prefetched parts)."""
    return {
        part: {str(obj.pk): _values(obj, fields) for obj in getattr(task, related).all()}
        for part, (related, fields) in PARTS.items()
    }


def _change(part: str, key: str, field: str | None, before: Any, after: Any, change: str) -> dict[str, Any]:
    pk = int(key)
    return {
        "part": part,
        "id": pk,
        "item": pk if part == "item" else None,
        "change": change,
        "field": field,
        "before": before,
        "after": after,
    }


def plan_changes(before: Snapshot, after: Snapshot) -> list[dict[str, Any]]:
    """Field-level changes from `before` to `after`: changed fields one by one; an added or
    deleted object as one change with the whole object (`field` null)."""
    changes: list[dict[str, Any]] = []
    for part, (_related, fields) in PARTS.items():
        old, new = before.get(part, {}), after.get(part, {})
        for key in sorted(set(old) | set(new), key=int):
            if key not in new:
                changes.append(_change(part, key, None, old[key], None, "deleted"))
            elif key not in old:
                changes.append(_change(part, key, None, None, new[key], "added"))
            else:
                changes.extend(
                    _change(part, key, name, old[key].get(name), new[key].get(name), "changed")
                    for name in fields
                    if old[key].get(name) != new[key].get(name)
                )
    return changes
