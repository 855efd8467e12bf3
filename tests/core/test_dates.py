"""DRF's date and date-time fields, as installed by core/dates.py, read only 2000–2100."""

from __future__ import annotations

import pytest
from rest_framework import serializers

OUT = ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"]


class Dates(serializers.Serializer):
    day = serializers.DateField()
    moment = serializers.DateTimeField()


@pytest.mark.parametrize("day", OUT)
def test_a_date_field_refuses_a_date_out_of_range(day: str) -> None:
    data = Dates(data={"day": day, "moment": "2026-05-06T09:00:00+08:00"})
    assert not data.is_valid()
    assert [error.code for error in data.errors["day"]] == ["date_out_of_range"]


@pytest.mark.parametrize("moment", [f"{day}T23:59:59+08:00" for day in OUT] + ["9999-12-31T23:59:59-12:00"])
def test_a_date_time_field_refuses_a_moment_out_of_range(moment: str) -> None:
    data = Dates(data={"day": "2026-05-06", "moment": moment})
    assert not data.is_valid()
    assert [error.code for error in data.errors["moment"]] == ["date_out_of_range"]


@pytest.mark.parametrize("day", ["2000-01-01", "2100-12-31"])
def test_the_edges_are_accepted(day: str) -> None:
    data = Dates(data={"day": day, "moment": f"{day}T12:00:00+08:00"})
    assert data.is_valid(), data.errors
