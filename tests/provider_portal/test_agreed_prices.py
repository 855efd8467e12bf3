"""Agreed prices (协议价) with what they price and when: set by the jurisdiction's admin on its
designated list, read by the rules, shown to the tenant and to the provider."""

from __future__ import annotations

from typing import Any

import pytest

from provider_portal.models import AgreedPrice
from tests.conftest import api, error_codes
from tests.provider_portal.conftest import provider_api, staff_api

pytestmark = pytest.mark.django_db

PROVIDERS = "/api/v1/providers/"


def put_prices(provider: Any, prices: list[dict[str, Any]]) -> Any:
    return staff_api("340100", "admin").put(f"{PROVIDERS}{provider.pk}/", {"agreed_prices": prices}, format="json")


def test_prices_say_what_they_price_and_when(providers: dict[str, Any]) -> None:
    hotel = providers["hotel"]
    response = put_prices(
        hotel,
        [
            {"item": "标准间", "unit": "间·晚", "price": "380.00", "effective_until": "2026-06-30"},
            {"item": "标准间", "unit": "间·晚", "price": "400.00", "effective_from": "2026-07-01"},
            {"item": "行政套房", "unit": "间·晚", "price": "600", "room_type": "suite"},
        ],
    )
    assert response.status_code == 200, response.content
    assert [
        (p["item"], p["kind"], p["room_type"], p["price"], p["effective_from"], p["effective_until"])
        for p in response.json()["agreed_prices"]
    ] == [
        ("标准间", "lodging", "standard", "380.00", None, "2026-06-30"),
        ("标准间", "lodging", "standard", "400.00", "2026-07-01", None),
        ("行政套房", "lodging", "suite", "600.00", None, None),
    ]


@pytest.mark.parametrize(
    ("prices", "code"),
    [
        (
            [
                {"item": "标准间", "unit": "间·晚", "price": "380", "effective_until": "2026-06-30"},
                {"item": "标准间", "unit": "间·晚", "price": "400", "effective_from": "2026-06-30"},
            ],
            "duplicate_price",
        ),
        (
            [
                {
                    "item": "标准间",
                    "unit": "间·晚",
                    "price": "1",
                    "effective_from": "2026-07-01",
                    "effective_until": "2026-06-01",
                }
            ],
            "invalid_period",
        ),
        (
            [{"item": "早餐", "unit": "人·餐", "price": "1", "kind": "lodging", "meal_type": "breakfast"}],
            "invalid_price",
        ),
        ([{"item": "套间", "unit": "间", "price": "1", "kind": "vehicle", "room_type": "suite"}], "invalid_price"),
        ([{"item": "标准间", "unit": "间·晚", "price": "1", "kind": "boat"}], "invalid_choice"),
    ],
)
def test_overlapping_or_inconsistent_prices_are_400_and_change_nothing(
    providers: dict[str, Any], prices: list[dict[str, Any]], code: str
) -> None:
    before = list(AgreedPrice.objects.values_list("pk", "price"))
    response = put_prices(providers["hotel"], prices)
    assert response.status_code == 400
    assert code in {c for _f, c in error_codes(response)}
    assert list(AgreedPrice.objects.values_list("pk", "price")) == before


def test_the_provider_sees_its_prices_in_every_jurisdiction_and_no_one_elses(
    providers: dict[str, Any], tree: Any
) -> None:
    put_prices(providers["hotel"], [{"item": "标准间", "unit": "间·晚", "price": "380.00"}])
    api("340123", "340123-admin").put(
        f"{PROVIDERS}{providers['hotel'].pk}/",
        {"agreed_prices": [{"item": "标准间", "unit": "间·晚", "price": "320.00"}]},
        format="json",
    )
    rows = provider_api("p-hotel").get("/api/v1/provider/prices/").json()
    assert [(r["jurisdiction_code"], [p["price"] for p in r["agreed_prices"]]) for r in rows] == [
        ("340100", ["380.00"]),
        ("340123", ["320.00"]),
    ]
    assert provider_api("p-restaurant").get("/api/v1/provider/prices/").json() == [
        {"jurisdiction_code": "340100", "jurisdiction_name": "合肥市", "agreed_prices": []}
    ]
    assert staff_api("340100", "admin").get("/api/v1/provider/prices/", HTTP_HOST="hefei.localhost").status_code in (
        403,
        404,
    )


def test_the_pages_show_what_each_price_applies_to_and_when(providers: dict[str, Any], client: Any) -> None:
    from tests.provider_portal.test_pages import page_client

    put_prices(
        providers["hotel"],
        [{"item": "普通套间", "unit": "间·晚", "price": "580.00", "effective_from": "2026-01-01"}],
    )
    tenant = page_client("340100", "340100-drafter").get("/providers/").content.decode()
    assert "住宿·普通套间" in tenant and "2026-01-01 – …" in tenant
    client.force_login(__import__("tests.conftest", fromlist=["user"]).user("p-hotel"))
    portal = client.get("/provider/", HTTP_HOST="localhost").content.decode()
    assert 'data-testid="provider-prices"' in portal and "580.00" in portal and "合肥市" in portal
