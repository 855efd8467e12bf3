"""Provider portal fixtures: three providers with staff logins and a task in progress in 合肥 (340100)
whose plan has a lunch at the restaurant, two nights at the hotel and a visit without provider."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache

from provider_portal.services import provider_add
from tenants.services import user_ensure
from tests.conftest import PASSWORD, api, in_tenant, user
from tests.reception.factories import GuestFactory, PlanItemFactory, TaskFactory, at

PUBLIC = "localhost"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _provider(name: str, kind: str, serves: list[Any], username: str, phone: str = "") -> Any:
    staff, _created = user_ensure(username=username, password=PASSWORD, display_name=name)
    provider, _created = provider_add(actor=None, name=name, kind=kind, serves=serves, staff_user=staff)
    if phone:
        provider.contact_phone = phone
        provider.save(update_fields=["contact_phone"])
    return provider


@pytest.fixture
def providers(tree: dict[str, Any]) -> dict[str, Any]:
    """hotel (serves 340100 and 340123), restaurant (340100), wuhu (340200), each with a staff login."""
    return {
        "hotel": _provider("稻香楼宾馆", "hotel", [tree["340100"], tree["340123"]], "p-hotel", "13900000001"),
        "restaurant": _provider("徽园餐厅", "restaurant", [tree["340100"]], "p-restaurant"),
        "wuhu": _provider("芜湖宾馆", "hotel", [tree["340200"]], "p-wuhu"),
    }


def make_task(code: str, providers: dict[str, Any], *, title: str = "省发改委调研接待") -> Any:
    """A task in progress with three items, all the host's: the working lunch (restaurant), lodging
    (hotel), a visit (no provider)."""
    with in_tenant(code):
        task = TaskFactory(title=title, status="in_progress", handler=user(f"{code}-handler"))
        GuestFactory(
            task=task, name="王明", unit="安徽省发展和改革委员会", post="副主任", grade="bureau", phone="13800000000"
        )
        GuestFactory(task=task, name="李华", unit="安徽省发展和改革委员会", post="处长")
        from reception.models import AccompanyingStaff

        AccompanyingStaff.objects.create(task=task, name="张三", unit="合肥市发改委", post="科长")
        PlanItemFactory(
            task=task,
            kind="meal",
            provider=providers.get("restaurant"),
            unit_price=Decimal("58.50"),
            quantity=3,
            guests_count=2,
            accompanying_count=1,
            venue="徽园餐厅二楼",
            working_meal=True,  # the reception's working meal: the host's
        )
        PlanItemFactory(
            task=task,
            kind="lodging",
            meal_type="",
            provider=providers.get("hotel"),
            unit_price=Decimal("380.00"),
            quantity=4,
            room_type="standard",
            starts_at=at(18),
            venue="稻香楼宾馆3号楼",
            menu="",
            payer="host",  # rooms the host books and pays (a meeting's, say): its spending
        )
        PlanItemFactory(
            task=task,
            kind="visit",
            meal_type="",
            provider=None,
            unit_price=Decimal("0"),
            quantity=1,
            starts_at=at(9, day=dt.date(2026, 5, 7)),
            venue="合肥高新区",
            menu="",
        )
        return task


@pytest.fixture
def task(providers: dict[str, Any]) -> Any:
    return make_task("340100", providers)


def staff_api(code: str, role: str) -> Any:
    return api(code, f"{code}-{role}")


def provider_api(username: str) -> Any:
    return api(None, username)


def cost_body(*amounts: str, method: str = "official_card", invoice: str = "No.00012345") -> dict[str, Any]:
    return {
        "invoice_number": invoice,
        "lines": [{"description": f"费用{i}", "amount": a, "payment_method": method} for i, a in enumerate(amounts, 1)],
    }


def party_link(task: Any, party: str = "visiting_unit", recipient: str = "contact") -> str:
    """The path of the evaluation link a party's recipient receives by message (see the messages
    tests for the link in the message itself)."""
    from reception.tokens import evaluation_token

    token = evaluation_token(schema="j340100", task_id=task.pk, party=party, recipient=recipient)
    return f"/evaluate/{token}/"
