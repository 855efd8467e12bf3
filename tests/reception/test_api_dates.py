"""Every date and date-time the API reads lies in 2000–2100: year 1 and 9999 (accepted before,
or a 500 where arithmetic overflowed) are a 400 `date_out_of_range` on the field, and change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import api, error_codes, refused
from tests.reception.arrangements import full_snapshot
from tests.reception.conftest import snapshot, task_url
from tests.reception.test_api_schedule import add


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_task_dated_year_1_or_9999_is_refused(draft: Any, day: str) -> None:
    before = snapshot()
    response = api("340100", "340100-drafter").patch(task_url(draft), {"start_date": day, "version": 1}, format="json")
    refused(response, 400, "date_out_of_range")
    assert error_codes(response) == {("start_date", "date_out_of_range")}
    assert snapshot() == before


@pytest.mark.django_db
def test_a_schedule_entry_in_year_9999_is_refused(meeting_task: Any) -> None:
    before = full_snapshot()
    response = add(meeting_task, starts_at="9999-12-31T23:00:00+08:00", ends_at="9999-12-31T23:30:00+08:00")
    assert response.status_code == 400
    assert error_codes(response) == {("starts_at", "date_out_of_range"), ("ends_at", "date_out_of_range")}
    assert full_snapshot() == before


@pytest.mark.django_db
def test_statistics_and_the_chronicle_refuse_dates_out_of_range(tree: Any) -> None:
    client = api("340100", "340100-admin")
    statistics = client.get("/api/v1/statistics/?from=0001-01-01&to=2026-12-31")
    assert statistics.status_code == 400
    assert error_codes(statistics) == {("from", "date_out_of_range")}
    chronicle = client.post("/api/v1/chronicle/", {"date": "9999-12-31", "title": "远未来"}, format="json")
    refused(chronicle, 400, "date_out_of_range")
    assert error_codes(chronicle) == {("date", "date_out_of_range")}
    assert client.get("/api/v1/chronicle/?year=2026").json() == []
