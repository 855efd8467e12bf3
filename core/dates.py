"""Dates a person could mean: every date and date-time the API reads lies in 2000–2100.

Year 1 or 9999 is never a reception, a report or a deadline, and at the edges of Python's range
arithmetic overflows (a 500) or the database refuses it. DRF's `DateField` and `DateTimeField`
read every date of every serializer, model serializers included, so the range is checked there,
once, for the whole API (`install()`, called when the core app is ready): a date outside it is a
400 on its field with the code `date_out_of_range`. Query parameters read by hand use
`check_date()`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
DATE_OUT_OF_RANGE = "date_out_of_range"


def in_range(value: dt.date) -> bool:
    """Whether a date (or date-time) falls within EARLIEST_YEAR–LATEST_YEAR."""
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR


def out_of_range_message() -> str:
    return _("日期应在 %(first)s 年至 %(last)s 年之间。") % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}


def check_date(value: dt.date) -> dt.date:
    """`value`, or a DRF ValidationError with the code `date_out_of_range`."""
    if not in_range(value):
        raise serializers.ValidationError(out_of_range_message(), code=DATE_OUT_OF_RANGE)
    return value


def _bounded(read: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    @functools.wraps(read)
    def to_internal_value(field: Any, data: Any) -> Any:
        try:
            value = read(field, data)
        except OverflowError:  # 9999-12-31T23:59 in a time zone ahead of UTC
            raise serializers.ValidationError(out_of_range_message(), code=DATE_OUT_OF_RANGE) from None
        except serializers.ValidationError as exc:
            if exc.get_codes() == ["overflow"]:  # DRF's own name for the same, past year 9999
                raise serializers.ValidationError(out_of_range_message(), code=DATE_OUT_OF_RANGE) from None
            raise
        return value if value is None else check_date(value)

    to_internal_value.date_range_checked = True  # type: ignore[attr-defined]
    return to_internal_value


def install() -> None:
    """Check the range in DRF's date and date-time fields (idempotent)."""
    for field_class in (serializers.DateField, serializers.DateTimeField):
        read = field_class.to_internal_value
        if not getattr(read, "date_range_checked", False):
            field_class.to_internal_value = _bounded(read)  # type: ignore[method-assign,assignment]
