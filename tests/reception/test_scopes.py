"""A counterpart user sees the tasks, letters and guests of their own unit only: lists, details,
pages and every route that names a task or a letter (reception/scopes.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from reception.models import LetterStatus
from tests.conftest import HOSTS, api, in_tenant, user
from tests.reception.factories import GuestFactory, LetterFactory, TaskFactory

pytestmark = pytest.mark.django_db

OWN_UNIT = "对口单位"  # the unit of 340100-counterpart in the test tree
OTHER_UNIT = "市教育局"


@pytest.fixture
def units(tree: dict[str, Any]) -> dict[str, Any]:
    with in_tenant("340100"):
        own = TaskFactory(title="本单位的接待", counterpart_unit=OWN_UNIT)
        other = TaskFactory(
            title="别的单位的接待", counterpart_unit=OTHER_UNIT, letter__created_by=user("340100-drafter")
        )
        GuestFactory(task=own, name="本单位客人", unit="省发改委")
        GuestFactory(task=other, name="别单位客人", unit="省教育厅")
        visitor_letter = LetterFactory(number="来访待登记-1", status=LetterStatus.SUBMITTED_BY_VISITOR)
        own_letter = LetterFactory(number="本单位登记-1", created_by=user("340100-counterpart"))
        other_letter = LetterFactory(number="别人登记-1", created_by=user("340100-drafter"))
    return {
        "own": own,
        "other": other,
        "visitor_letter": visitor_letter,
        "own_letter": own_letter,
        "other_letter": other_letter,
    }


def _titles(response: Any) -> set[str]:
    return {row["title"] for row in response.json()["results"]}


def _numbers(response: Any) -> set[str]:
    return {row["number"] for row in response.json()["results"]}


def test_api_lists_show_a_counterpart_their_unit_only(units: dict[str, Any]) -> None:
    counterpart = api("340100", "340100-counterpart")
    assert _titles(counterpart.get("/api/v1/tasks/")) == {"本单位的接待"}
    assert _numbers(counterpart.get("/api/v1/letters/")) == {
        units["own"].letter.number,
        "来访待登记-1",
        "本单位登记-1",
    }
    guests = counterpart.get("/api/v1/guests/").json()["results"]
    assert {g["name"] for g in guests} == {"本单位客人"}
    assert {g["name"] for g in counterpart.get("/api/v1/guests/?q=客人").json()["results"]} == {"本单位客人"}
    # every other role sees the whole jurisdiction
    drafter = api("340100", "340100-drafter")
    assert {"本单位的接待", "别的单位的接待"} <= _titles(drafter.get("/api/v1/tasks/"))
    assert "别人登记-1" in _numbers(drafter.get("/api/v1/letters/"))
    assert {"本单位客人", "别单位客人"} <= {g["name"] for g in drafter.get("/api/v1/guests/").json()["results"]}


def test_details_of_another_unit_are_not_found(units: dict[str, Any]) -> None:
    counterpart = api("340100", "340100-counterpart")
    assert counterpart.get(f"/api/v1/tasks/{units['own'].pk}/").status_code == 200
    assert counterpart.get(f"/api/v1/tasks/{units['other'].pk}/").status_code == 404
    assert counterpart.get(f"/api/v1/letters/{units['own_letter'].pk}/").status_code == 200
    assert counterpart.get(f"/api/v1/letters/{units['other_letter'].pk}/").status_code == 404
    assert counterpart.get(f"/api/v1/letters/{units['other'].letter.pk}/").status_code == 404


def test_a_counterpart_who_also_holds_a_staff_role_sees_everything(units: dict[str, Any]) -> None:
    from tenants.models import Membership

    Membership.objects.create(user=user("340100-counterpart"), jurisdiction=_hefei(), role="drafter")
    counterpart = api("340100", "340100-counterpart")
    assert counterpart.get(f"/api/v1/tasks/{units['other'].pk}/").status_code == 200


def _hefei() -> Any:
    from tenants.models import Jurisdiction

    return Jurisdiction.objects.get(code="340100")


def test_pages_show_a_counterpart_their_unit_only(units: dict[str, Any]) -> None:
    browser = Client(HTTP_HOST=HOSTS["340100"])
    browser.force_login(user("340100-counterpart"))
    tasks = browser.get("/reception/").content.decode()
    assert "本单位的接待" in tasks and "别的单位的接待" not in tasks
    letters = browser.get("/reception/letters/").content.decode()
    assert "本单位登记-1" in letters and "别人登记-1" not in letters
    guests = browser.get("/reception/guests/").content.decode()
    assert "本单位客人" in guests and "别单位客人" not in guests
    assert browser.get(f"/reception/tasks/{units['own'].pk}/").status_code == 200
    assert browser.get(f"/reception/tasks/{units['other'].pk}/").status_code == 404
    assert browser.get(f"/reception/letters/{units['other_letter'].pk}/").status_code == 404


def test_suggestions_list_similar_tasks_of_the_unit_only(units: dict[str, Any]) -> None:
    with in_tenant("340100"):
        TaskFactory(title="本单位的旧接待", counterpart_unit=OWN_UNIT)
    counterpart = api("340100", "340100-counterpart")
    similar = counterpart.get(f"/api/v1/tasks/{units['own'].pk}/suggestions/").json()["similar_tasks"]
    assert {t["title"] for t in similar} == {"本单位的旧接待"}
    drafter = api("340100", "340100-drafter")
    everyone = drafter.get(f"/api/v1/tasks/{units['own'].pk}/suggestions/").json()["similar_tasks"]
    assert "别的单位的接待" in {t["title"] for t in everyone}


# --- Every route that names a task or a letter ------------------------------------------------


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


VALUES = {"part": "guests", "action": "submit", "decision": "approve"}


def _concrete(route: str, task_id: int, letter_id: int) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(2)
        return str({"task_id": task_id, "letter_id": letter_id}.get(name) or VALUES.get(name) or 1)

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route).lstrip("^").rstrip("$")


def test_every_route_naming_another_units_task_or_letter_refuses_a_counterpart(units: dict[str, Any]) -> None:
    """Generated from the tenant URL conf: GET and POST on each route with `task_id` or
    `letter_id`, for the other unit's task and letter: never a 2xx or 3xx, never a 5xx."""
    routes = [r for r in _walk(get_resolver("config.urls_tenant").url_patterns) if "task_id>" in r or "letter_id>" in r]
    assert len(routes) > 40
    page = Client(HTTP_HOST=HOSTS["340100"])
    page.force_login(user("340100-counterpart"))
    rest = api("340100", "340100-counterpart")
    wrong: list[tuple[str, str, int]] = []
    for route in routes:
        path = _concrete(route, units["other"].pk, units["other_letter"].pk)
        for method in ("get", "post"):
            client = rest if path.startswith("/api/") else page
            response = getattr(client, method)(path)
            if not 400 <= response.status_code < 500:
                wrong.append((method.upper(), path, response.status_code))
    assert wrong == []
