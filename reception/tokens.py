"""Signed links that need no login: the intake tracking link and the guest itinerary link.

Both carry the schema, so a link of one jurisdiction never opens another's rows (ids repeat
across schemas). The itinerary link also carries the task's link generation: bumping it
revokes every link issued before, and it expires after RECEPTION_ITINERARY_DAYS.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing

INTAKE_SALT = "reception.intake"
ITINERARY_SALT = "reception.itinerary"
EVALUATION_SALT = "reception.evaluation"


def itinerary_max_age() -> timedelta:
    return timedelta(days=getattr(settings, "RECEPTION_ITINERARY_DAYS", 30))


def intake_token(*, schema: str, letter_id: int) -> str:
    return signing.dumps({"s": schema, "l": letter_id}, salt=INTAKE_SALT, compress=False)


def intake_letter_id(*, schema: str, token: str) -> int | None:
    data = _load(token, INTAKE_SALT, None)
    if data is None or data.get("s") != schema or not isinstance(data.get("l"), int):
        return None
    return int(data["l"])


def itinerary_token(*, schema: str, task_id: int, generation: int) -> str:
    return signing.dumps({"s": schema, "t": task_id, "g": generation}, salt=ITINERARY_SALT, compress=False)


def itinerary_claim(*, schema: str, token: str) -> tuple[int, int] | None:
    """(task id, generation) of a valid, unexpired link of this schema; None otherwise."""
    data = _load(token, ITINERARY_SALT, itinerary_max_age())
    if data is None or data.get("s") != schema:
        return None
    task_id, generation = data.get("t"), data.get("g")
    if not isinstance(task_id, int) or not isinstance(generation, int):
        return None
    return task_id, generation


def evaluation_token(*, schema: str, task_id: int, party: str) -> str:
    """One link per task and party (the visiting unit, the counterpart): the same every time."""
    return signing.dumps({"s": schema, "t": task_id, "p": party}, salt=EVALUATION_SALT, compress=False)


def evaluation_claim(*, schema: str, token: str) -> tuple[int, str] | None:
    """(task id, party) of a genuine evaluation link of this schema; None for a tampered one."""
    data = _load(token, EVALUATION_SALT, None)
    if data is None or data.get("s") != schema:
        return None
    task_id, party = data.get("t"), data.get("p")
    if not isinstance(task_id, int) or not isinstance(party, str):
        return None
    return task_id, party


def _load(token: str, salt: str, max_age: timedelta | None) -> dict[str, Any] | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError):
        return None
    return data if isinstance(data, dict) else None


def itinerary_url(jurisdiction: Any, token: str) -> str:
    """The absolute address of a guests' itinerary link, for a message sent without a request."""
    from django.urls import reverse

    from core.http import site_url

    return site_url(jurisdiction.host, reverse("reception-itinerary", urlconf="config.urls_tenant", args=[token]))
