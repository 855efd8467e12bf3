"""Signed links that need no login: the intake tracking link, the guest itinerary link and the
evaluation links (each issued to one recipient of one party, expiring).

Both carry the schema, so a link of one jurisdiction never opens another's rows (ids repeat
across schemas). The itinerary link also carries the task's link generation: bumping it
revokes every link issued before, and it expires after RECEPTION_ITINERARY_DAYS.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def evaluation_max_age() -> timedelta:
    return timedelta(days=getattr(settings, "RECEPTION_EVALUATION_LINK_DAYS", 30))


#: The letter's contact (the visiting unit); a counterpart user is "user:<id>"; staff see previews.
CONTACT_RECIPIENT = "contact"
PREVIEW_RECIPIENT = "preview"


@dataclass(frozen=True)
class EvaluationClaim:
    task_id: int
    party: str
    recipient: str  # CONTACT_RECIPIENT, "user:<id>" or PREVIEW_RECIPIENT
    expired: bool

    @property
    def preview(self) -> bool:
        return self.recipient == PREVIEW_RECIPIENT

    @property
    def user_id(self) -> int | None:
        kind, _sep, value = self.recipient.partition(":")
        return int(value) if kind == "user" and value.isdigit() else None


def evaluation_token(*, schema: str, task_id: int, party: str, recipient: str) -> str:
    """A party's link, issued to one recipient, valid RECEPTION_EVALUATION_LINK_DAYS days."""
    return signing.dumps({"s": schema, "t": task_id, "p": party, "r": recipient}, salt=EVALUATION_SALT, compress=False)


def evaluation_claim(*, schema: str, token: str) -> EvaluationClaim | None:
    """What a genuine evaluation link of this schema says (expired or not); None if tampered."""
    expired = False
    data = _load(token, EVALUATION_SALT, evaluation_max_age())
    if data is None:
        data = _load(token, EVALUATION_SALT, None)
        expired = True
    if data is None or data.get("s") != schema:
        return None
    task_id, party, recipient = data.get("t"), data.get("p"), data.get("r")
    if not isinstance(task_id, int) or not isinstance(party, str) or not isinstance(recipient, str):
        return None
    return EvaluationClaim(task_id, party, recipient, expired)


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
