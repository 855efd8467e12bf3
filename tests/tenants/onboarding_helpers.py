"""Helpers for the onboarding tests: a valid application, applying and approving through the API."""

from __future__ import annotations

from typing import Any

from tests.conftest import api

APPLY = "/api/v1/onboarding/applications/"
STRONG = "Qiyuan-pilot-2026!"


def application(**overrides: Any) -> dict[str, Any]:
    """A valid application: 庐江县 (340124) under 合肥市 (340100)."""
    data = {
        "name": "庐江县",
        "code": "340124",
        "level": "county",
        "parent_code": "340100",
        "contact_name": "王主任",
        "contact_phone": "13800000000",
        "contact_email": "wang@example.cn",
        "admin_username": "lujiang-admin",
        "admin_password": STRONG,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def apply(**overrides: Any) -> Any:
    return api().post(APPLY, application(**overrides), format="json")


def applied(**overrides: Any) -> tuple[int, str]:
    response = apply(**overrides)
    assert response.status_code == 201, response.json()
    body = response.json()
    return body["id"], body["tracking_token"]


def status_of(application_id: int, token: str) -> dict[str, Any]:
    response = api().get(f"{APPLY}{application_id}/", {"tracking_token": token})
    assert response.status_code == 200, response.content
    return response.json()


def approve(application_id: int, username: str = "340000-admin") -> Any:
    return api(username=username).post(f"{APPLY}{application_id}/approve/")
