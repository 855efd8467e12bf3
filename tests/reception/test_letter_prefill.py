"""A task opened from a letter takes its title, dates, the counterpart's unit and shows the
number of visitors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from reception.letter_prefill import task_initial, visit_dates
from reception.models import Letter
from tests.conftest import HOSTS, in_tenant, user
from tests.reception.factories import LetterFactory


def letter(text: str, received: dt.date = dt.date(2026, 4, 28), itinerary: str = "") -> Letter:
    return Letter(
        content=text, itinerary=itinerary, received_on=received, sending_unit="省发改委", purpose="inspection_research"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("拟于5月6日至7日赴合肥市调研。", (dt.date(2026, 5, 6), dt.date(2026, 5, 7))),
        ("定于5月30日至6月2日来访。", (dt.date(2026, 5, 30), dt.date(2026, 6, 2))),
        ("2027年1月5日-8日交流", (dt.date(2027, 1, 5), dt.date(2027, 1, 8))),
        ("5月6日来访", (dt.date(2026, 5, 6), dt.date(2026, 5, 6))),
        ("拟于2月3日来访", (dt.date(2027, 2, 3), dt.date(2027, 2, 3))),  # a month already past: next year
        ("近期来访", None),
        ("2月30日来访", None),
    ],
)
def test_visit_dates_are_read_from_the_letters_words(text, expected):
    assert visit_dates(letter(text)) == expected


def test_the_content_and_the_itinerary_are_read_together():
    found = visit_dates(letter("拟于5月6日至7日来访", itinerary="5月6日上午抵达，5月8日上午离开"))
    assert found == (dt.date(2026, 5, 6), dt.date(2026, 5, 8))


def test_initial_values_name_the_unit_and_purpose():
    initial = task_initial(letter("拟于5月6日至7日来访"), counterpart_unit="合肥市发改委")
    assert initial["title"] == "省发改委考察调研接待"
    assert (initial["start_date"], initial["end_date"], initial["counterpart_unit"]) == (
        dt.date(2026, 5, 6),
        dt.date(2026, 5, 7),
        "合肥市发改委",
    )


def test_the_new_task_page_carries_the_letters_data(tree):
    with in_tenant("340100"):
        registered = LetterFactory(number="皖发改函〔2026〕88号", people_count=6)
    client = Client(HTTP_HOST=HOSTS["340100"])
    client.force_login(user("340100-counterpart"))
    page = client.get(f"/reception/tasks/new/?letter={registered.pk}").content.decode()
    assert 'value="安徽省发展和改革委员会考察调研接待"' in page
    assert 'name="start_date" value="2026-05-06"' in page and 'name="end_date" value="2026-05-07"' in page
    assert 'name="counterpart_unit" value="对口单位"' in page  # the counterpart's own unit
    assert "来访 6 人" in page
    # an unknown or malformed letter gives the empty form, never an error
    for wanted in ("999999", "abc", ""):
        response = client.get(f"/reception/tasks/new/?letter={wanted}")
        assert response.status_code == 200 and 'data-testid="from-letter"' not in response.content.decode()


def test_another_jurisdictions_user_cannot_open_the_form(tree):
    client = Client(HTTP_HOST=HOSTS["340100"])
    client.force_login(user("340200-counterpart"))
    assert client.get("/reception/tasks/new/?letter=1").status_code == 403
