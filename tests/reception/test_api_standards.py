"""GET standards/ and standards/current/, POST standards/ (admin)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import api, error_fields, refused
from tests.reception.conftest import snapshot

pytestmark = pytest.mark.django_db
URL = "/api/v1/standards/"


def test_current_standard_has_the_defaults(tree):
    current = api("340100", "340100-counterpart").get(URL + "current/").json()
    assert (current["version"], current["accompany_small_group_limit"], current["accompany_ratio"]) == (1, 3, 3)
    assert {"level": "provincial_ministerial", "meal_type": "dinner", "amount": "110.00"} in current["meal_ceilings"]
    assert {"level": "other", "meal_type": "breakfast", "amount": "20.00"} in current["meal_ceilings"]
    assert len(current["meal_ceilings"]) == 15
    assert current["suite_grades"] == ["provincial_ministerial"]
    assert current["working_meals_per_reception"] == 1 and current["meal_warning_percent"] == 90


def test_the_admin_publishes_a_new_version(tree):
    today = timezone.localdate().isoformat()
    body = {
        "effective_from": today,
        "meal_ceilings": [{"level": "division", "meal_type": "dinner", "amount": "65.00"}],
        "banned_menu_words": ["白酒", "鱼翅"],
        "note": "县处级晚餐下调",
    }
    response = api("340100", "340100-admin").post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["version"], created["effective_from"], created["banned_menu_words"]) == (2, today, ["白酒", "鱼翅"])
    assert {"level": "division", "meal_type": "dinner", "amount": "65.00"} in created["meal_ceilings"]
    assert {"level": "division", "meal_type": "lunch", "amount": "70.00"} in created["meal_ceilings"]  # kept
    versions = api("340100", "340000-supervisor").get(URL).json()
    assert [v["version"] for v in versions] == [2, 1]
    assert api("340100", "340100-drafter").get(URL + "current/").json()["version"] == 2


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"effective_from": "2000-01-01"}, "effective_from", "effective_in_past"),
        ({"effective_from": "soon"}, "effective_from", "invalid"),
        ({"accompany_ratio": 0}, "accompany_ratio", "invalid"),
        ({"accompany_ratio": "three"}, "accompany_ratio", "invalid"),
        ({"meal_warning_percent": 150}, "meal_warning_percent", "invalid"),
        ({"meal_ceilings": [{"level": "bureau", "meal_type": "lunch", "amount": "-5"}]}, "meal_ceilings", "min_value"),
        (
            {"meal_ceilings": [{"level": "emperor", "meal_type": "lunch", "amount": "5"}]},
            "meal_ceilings",
            "invalid_choice",
        ),
        ({"suite_grades": ["bureau", "king"]}, "suite_grades", "invalid_choice"),
        ({"banned_menu_words": ["x" * 51]}, "banned_menu_words", "max_length"),
        ({"banned_menu_words": ["鱼\x00翅"]}, "banned_menu_words", "null_characters_not_allowed"),
        ({"banned_activity_words": "旅游"}, "banned_activity_words", "not_a_list"),
    ],
)
def test_bad_input_is_400_and_publishes_nothing(tree, change, field, code):
    before = snapshot()
    body = {"effective_from": timezone.localdate().isoformat(), **change}
    response = api("340100", "340100-admin").post(URL, body, format="json")
    refused(response, 400, code)
    assert error_fields(response) == [field]
    assert snapshot() == before


@pytest.mark.parametrize("username", ["340100-drafter", "340100-reviewer", "340000-admin", "340200-admin"])
def test_only_the_tenant_admin_publishes(tree, username):
    before = snapshot()
    body = {"effective_from": timezone.localdate().isoformat()}
    refused(api("340100", username).post(URL, body, format="json"), 403, "permission_denied")
    assert snapshot() == before


def test_reading_standards(tree):
    assert api("340100", "340200-admin").get(URL).status_code == 403
    assert api("340100", "340000-admin").get(URL + "current/").status_code == 200
    assert api("340100").get(URL).status_code == 401
