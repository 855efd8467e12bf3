"""The standards the new rules read: lodging ceilings and the budget warning share as tenant
settings, the banned lists edited by the tenant, and a superior's stricter standard still winning
over a later local version."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from reception.models import Standard, SuperiorStandard
from tests.conftest import api, error_codes, in_tenant, refused
from tests.reception.conftest import snapshot

pytestmark = pytest.mark.django_db

STANDARDS = "/api/v1/standards/"


def today() -> str:
    return timezone.localdate().isoformat()


def publish(code: str, body: dict[str, Any]) -> Any:
    return api(code, f"{code}-admin").post(STANDARDS, {"effective_from": today(), **body}, format="json")


def current(code: str = "340100") -> dict[str, Any]:
    return api(code, f"{code}-drafter").get(f"{STANDARDS}current/").json()


def test_lodging_ceilings_and_the_budget_warning_share_have_the_regulations_defaults(tree: Any) -> None:
    standard = current()
    assert {row["level"]: row["amount"] for row in standard["lodging_ceilings"]} == {
        "provincial_ministerial": "800.00",
        "bureau": "480.00",
        "division": "350.00",
        "section": "350.00",
        "other": "350.00",
    }
    assert standard["annual_budget_warning_percent"] == 80
    assert {"茅台", "五粮液", "啤酒", "香烟", "中华", "鱼翅", "燕窝"} <= set(standard["banned_menu_words"])
    assert "游览" in standard["banned_activity_words"]


def test_a_tenant_sets_its_own_lodging_ceilings_and_lists(tree: Any) -> None:
    response = publish(
        "340100",
        {
            "lodging_ceilings": [{"level": "bureau", "amount": "450.00"}],
            "annual_budget_warning_percent": 75,
            "banned_menu_words": ["白酒", "槟榔"],
        },
    )
    assert response.status_code == 201, response.content
    standard = current()
    assert {r["level"]: r["amount"] for r in standard["lodging_ceilings"]}["bureau"] == "450.00"
    assert standard["annual_budget_warning_percent"] == 75
    assert standard["banned_menu_words"] == ["白酒", "槟榔"]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"lodging_ceilings": [{"level": "mayor", "amount": "1"}]}, "lodging_ceilings", "invalid_choice"),
        ({"lodging_ceilings": [{"level": "bureau", "amount": "-1"}]}, "lodging_ceilings", "min_value"),
        ({"annual_budget_warning_percent": 0}, "annual_budget_warning_percent", "invalid"),
        ({"annual_budget_warning_percent": 101}, "annual_budget_warning_percent", "invalid"),
    ],
)
def test_bad_standards_are_400_and_change_nothing(tree: Any, body: dict[str, Any], field: str, code: str) -> None:
    before = snapshot()
    response = publish("340100", body)
    refused(response, 400, code)
    assert field in {f.split(".")[0] for f, _c in error_codes(response)}
    assert snapshot() == before


def test_a_superiors_stricter_standard_still_wins(tree: Any, django_capture_on_commit_callbacks: Any) -> None:
    assert (
        publish(
            "340000",
            {
                "meal_ceilings": [{"level": "bureau", "meal_type": "lunch", "amount": "85.00"}],
                "lodging_ceilings": [{"level": "bureau", "amount": "450.00"}],
                "banned_menu_words": [*current("340000")["banned_menu_words"], "槟榔"],
            },
        ).status_code
        == 201
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = api("340000", "340000-admin").post(
            "/api/v1/directives/", {"kind": "standard", "title": "执行省接待标准", "targets": ["340100"]}, format="json"
        )
    assert sent.status_code == 201, sent.content
    standard = current()
    assert {r["level"]: r["amount"] for r in standard["lodging_ceilings"]}["bureau"] == "450.00"
    assert "槟榔" in standard["banned_menu_words"]
    with in_tenant("340100"):
        assert SuperiorStandard.objects.get(sender_code="340000").sender_name == "安徽省"
        versions = Standard.objects.count()

    # 合肥 edits its lists: dropping the province's word, or raising its ceilings, is refused.
    words = [w for w in standard["banned_menu_words"] if w != "槟榔"]
    for body, field in (
        ({"banned_menu_words": words}, "banned_menu_words"),
        ({"lodging_ceilings": [{"level": "bureau", "amount": "480.00"}]}, "lodging_ceilings"),
        ({"meal_ceilings": [{"level": "bureau", "meal_type": "lunch", "amount": "90.00"}]}, "meal_ceilings"),
        ({"suite_grades": ["provincial_ministerial", "bureau"]}, "suite_grades"),
    ):
        refusal = publish("340100", body)
        refused(refusal, 400, "looser_than_superior")
        assert (field, "looser_than_superior") in error_codes(refusal)
    with in_tenant("340100"):
        assert Standard.objects.count() == versions
    # Stricter is always allowed, and adding its own words too.
    stricter = publish(
        "340100",
        {
            "lodging_ceilings": [{"level": "bureau", "amount": "420.00"}],
            "banned_menu_words": [*standard["banned_menu_words"], "冬虫夏草"],
        },
    )
    assert stricter.status_code == 201, stricter.content


def test_the_standards_page_shows_lodging_ceilings_and_the_superiors(tree: Any, client: Any) -> None:
    from tests.provider_portal.test_pages import page_client

    page = page_client("340100", "340100-admin").get("/reception/standards/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="lodging-ceilings"' in body and "480.00" in body
    assert 'name="lodging_bureau"' in body and 'name="annual_budget_warning_percent"' in body
