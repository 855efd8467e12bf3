"""What a new task takes from its letter: a title, the visit's dates (read from the letter's
words, e.g. 拟于5月6日至7日), the counterpart unit (the signed-in counterpart's own) and the
number of visitors. Only suggestions for the form: the drafter checks them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _

from reception.models import Letter

# 5月6日至7日 / 5月6日至5月8日 / 2026年5月6日-8日 / 5月6日
_DATES = re.compile(
    r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]"
    r"(?:\s*(?:至|到|—|–|-|~)\s*(?:(?P<m2>\d{1,2})月)?(?P<d2>\d{1,2})[日号])?"
)


def visit_dates(letter: Letter) -> tuple[dt.date, dt.date] | None:
    """From the first to the last day named in the letter's content and itinerary, in the year it
    was received (or the next, for a month already past), or None."""
    days: list[dt.date] = []
    received = letter.received_on
    for text in (letter.content, letter.itinerary):
        for match in _DATES.finditer(text or ""):
            month, day = int(match["m"]), int(match["d"])
            year = int(match["y"]) if match["y"] else received.year + (1 if month < received.month else 0)
            end_month = int(match["m2"]) if match["m2"] else month
            try:
                days.append(dt.date(year, month, day))
                if match["d2"]:
                    days.append(dt.date(year + (1 if end_month < month else 0), end_month, int(match["d2"])))
            except ValueError:
                continue
    return (min(days), max(days)) if days else None


def task_initial(letter: Letter, *, counterpart_unit: str = "") -> dict[str, Any]:
    """The TaskForm's initial values for a task opened from `letter`."""
    initial: dict[str, Any] = {
        "letter": letter.pk,
        "title": _("%(unit)s%(purpose)s接待") % {"unit": letter.sending_unit, "purpose": letter.get_purpose_display()},
    }
    if counterpart_unit:
        initial["counterpart_unit"] = counterpart_unit
    dates = visit_dates(letter)
    if dates:
        initial["start_date"], initial["end_date"] = dates
    return initial
