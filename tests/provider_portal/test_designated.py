"""The designated list (定点名单) with agreed prices: `GET providers/`, its admin's API and page."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import AuditEntry
from provider_portal.models import AgreedPrice, ProviderServiceArea
from provider_portal.services import provider_add
from tests.conftest import api, refused, refused_page, unchanged
from tests.provider_portal.conftest import staff_api

pytestmark = pytest.mark.django_db
PROVIDERS = "/api/v1/providers/"


@pytest.fixture
def fleet(tree: dict[str, Any]) -> Any:
    provider, _created = provider_add(actor=None, name="合肥公务车队", kind="fleet", serves=[])
    return provider


def test_providers_lists_only_those_serving_this_jurisdiction(providers: dict[str, Any]) -> None:
    rows = staff_api("340100", "counterpart").get(PROVIDERS).json()
    assert [(r["name"], r["kind"], r["agreed_prices"]) for r in rows] == [
        ("徽园餐厅", "restaurant", []),
        ("稻香楼宾馆", "hotel", []),
    ]
    assert {r["id"] for r in rows} == {providers["hotel"].pk, providers["restaurant"].pk}
    assert [r["name"] for r in staff_api("340200", "drafter").get(PROVIDERS).json()] == ["芜湖宾馆"]


def test_admin_designates_with_agreed_prices(providers: dict[str, Any], fleet: Any) -> None:
    admin = staff_api("340100", "admin")
    assert [r["name"] for r in admin.get(f"{PROVIDERS}catalogue/").json()] == ["合肥公务车队", "芜湖宾馆"]
    body = {
        "provider": fleet.pk,
        "agreed_prices": [
            {"item": "中巴车", "unit": "辆·天", "price": "800.00"},
            {"item": "轿车", "unit": "辆·天", "price": "350.50"},
        ],
    }
    created = admin.post(PROVIDERS, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["id"] == fleet.pk
    # What they price defaults from the fleet's kind; no dates: in force until changed.
    always = {"kind": "vehicle", "room_type": "", "meal_type": "", "effective_from": None, "effective_until": None}
    assert created.json()["agreed_prices"] == [
        {"item": "中巴车", "unit": "辆·天", "price": "800.00", **always},
        {"item": "轿车", "unit": "辆·天", "price": "350.50", **always},
    ]
    assert fleet.pk in {r["id"] for r in staff_api("340100", "drafter").get(PROVIDERS).json()}
    entry = AuditEntry.objects.filter(chain="340100", action="provider_portal.provider.designated").latest("sequence")
    assert entry.actor_username == "340100-admin"

    changed = admin.put(
        f"{PROVIDERS}{fleet.pk}/", {"agreed_prices": [{"item": "轿车", "unit": "辆·天", "price": "330"}]}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["agreed_prices"] == [{"item": "轿车", "unit": "辆·天", "price": "330.00", **always}]
    assert AuditEntry.objects.filter(chain="340100", action="provider_portal.provider.prices_changed").exists()

    assert admin.delete(f"{PROVIDERS}{fleet.pk}/").status_code == 204
    assert not ProviderServiceArea.objects.filter(provider=fleet).exists()
    with unchanged():
        refused(admin.delete(f"{PROVIDERS}{fleet.pk}/"), 404, "not_found")
    assert AuditEntry.objects.filter(chain="340100", action="provider_portal.provider.undesignated").exists()


@pytest.mark.parametrize(
    "prices",
    [
        [{"item": "轿车", "unit": "辆", "price": "-1"}],
        [{"item": "轿车", "unit": "辆", "price": "1.234"}],
        [{"item": "", "unit": "辆", "price": "1"}],
        [{"item": "轿车", "unit": "辆", "price": "1"}, {"item": "轿车", "unit": "天", "price": "2"}],
        "not a list",
    ],
)
def test_bad_prices_are_400_and_change_nothing(fleet: Any, prices: Any) -> None:
    response = staff_api("340100", "admin").post(
        PROVIDERS, {"provider": fleet.pk, "agreed_prices": prices}, format="json"
    )
    assert response.status_code == 400
    assert "agreed_prices" in response.json()
    assert not ProviderServiceArea.objects.filter(provider=fleet).exists()
    assert not AgreedPrice.objects.exists()


def test_unknown_provider_is_400(tree: Any) -> None:
    response = staff_api("340100", "admin").post(PROVIDERS, {"provider": 999999}, format="json")
    assert response.status_code == 400 and "provider" in response.json()


@pytest.mark.parametrize("role", ["drafter", "handler", "finance", "reviewer", "supervisor", "counterpart"])
def test_only_the_admin_manages_the_list(fleet: Any, providers: dict[str, Any], role: str) -> None:
    client = staff_api("340100", role)
    with unchanged():
        refused(client.post(PROVIDERS, {"provider": fleet.pk}, format="json"), 403, "permission_denied")
    with unchanged():
        refused(client.delete(f"{PROVIDERS}{providers['hotel'].pk}/"), 403, "permission_denied")
    assert client.get(f"{PROVIDERS}catalogue/").status_code == 403


def test_oversight_and_other_admins_cannot_manage(fleet: Any, providers: dict[str, Any]) -> None:
    for username in ("340000-admin", "340200-admin"):
        client = api("340100", username)
        refused(client.post(PROVIDERS, {"provider": fleet.pk}, format="json"), 403, "permission_denied")
        refused(client.delete(f"{PROVIDERS}{providers['hotel'].pk}/"), 403, "permission_denied")
    assert ProviderServiceArea.objects.filter(provider=providers["hotel"]).count() == 2
    assert api("340100", "340000-admin").get(PROVIDERS).status_code == 200  # read-only oversight


def test_designated_page_lists_and_the_admin_adds(providers: dict[str, Any], fleet: Any, client: Any) -> None:
    from tests.provider_portal.test_pages import page_client

    drafter = page_client("340100", "340100-drafter")
    page = drafter.get("/providers/")
    assert page.status_code == 200
    assert "稻香楼宾馆" in page.content.decode() and "加入定点名单" not in page.content.decode()
    refused_page(drafter.post("/providers/", {"provider": fleet.pk}), 403, "forbidden")
    admin = page_client("340100", "340100-admin")
    assert "合肥公务车队" in admin.get("/providers/").content.decode()
    response = admin.post("/providers/", {"provider": fleet.pk, "prices": "轿车, 辆·天, 350.00\n中巴车，辆·天，800"})
    assert response.status_code == 303
    assert list(AgreedPrice.objects.filter(area__provider=fleet).values_list("item", "price")) == [
        ("轿车", __import__("decimal").Decimal("350.00")),
        ("中巴车", __import__("decimal").Decimal("800.00")),
    ]
    before = list(AgreedPrice.objects.filter(area__provider=fleet).values())
    bad = admin.post("/providers/", {"provider": fleet.pk, "prices": "轿车 350"}, follow=True)
    refused_page(bad, 200, "invalid_price")
    assert list(AgreedPrice.objects.filter(area__provider=fleet).values()) == before
    assert admin.post("/providers/", {"provider": fleet.pk, "action": "remove"}).status_code == 303
    assert not ProviderServiceArea.objects.filter(provider=fleet).exists()
    assert page_client("340100", "340200-admin").get("/providers/").status_code == 403
