"""Who may read and write every reporting endpoint: admin, finance and supervisor of the
jurisdiction; ancestors' admins and supervisors read (never write); nobody else, and never a
county over its city, another jurisdiction's user, a drafter, a counterpart or a provider."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import api

READS = [
    "/api/v1/statistics/?group_by=month",
    "/api/v1/statistics/?group_by=jurisdiction&format=xlsx",
    "/api/v1/statistics/?group_by=provider&format=csv",
    "/api/v1/statistics/?format=csv",
    "/api/v1/statistics/report.pdf?year=2026",
    "/api/v1/statistics/exports/",
    "/api/v1/warnings/",
    "/api/v1/reception-budgets/",
    "/api/v1/disclosure/?year=2026",
    "/api/v1/chronicle/",
    "/api/v1/inspections/",
]
WRITES = [
    ("/api/v1/statistics/exports/", {"format": "csv"}),
    ("/api/v1/reception-budgets/", {"year": 2026, "amount": "1.00"}),
    ("/api/v1/chronicle/", {"date": "2026-01-01", "title": "x"}),
    ("/api/v1/chronicle/generate/", {"year": 2026}),
    ("/api/v1/inspections/", {"subordinate_code": "340123", "title": "x", "inspected_on": "2026-01-01"}),
]


@pytest.fixture
def provider_user(tree: Any) -> str:
    from provider_portal.services import provider_add
    from tenants.services import user_ensure

    staff, _created = user_ensure(username="hotel-staff", password="Hotel-pass-2026!")
    provider_add(actor=None, name="稻香楼宾馆", kind="hotel", serves=[tree["340100"]], staff_user=staff)
    return "hotel-staff"


@pytest.mark.parametrize("url", READS)
def test_reads(tree: Any, provider_user: str, url: str) -> None:
    for username in ("340100-admin", "340100-finance", "340100-supervisor", "340000-admin", "340000-supervisor"):
        assert api("340100", username).get(url).status_code == 200, (username, url)
    for username in (
        "340100-drafter",
        "340100-reviewer",
        "340100-handler",
        "340100-counterpart",
        "340000-finance",  # finance above is not oversight
        "340000-drafter",
        "340123-admin",  # a county cannot read its city
        "340123-supervisor",
        "340200-admin",  # another city
        "340200-supervisor",
        provider_user,
    ):
        assert api("340100", username).get(url).status_code == 403, (username, url)
    assert api("340100").get(url).status_code == 401


@pytest.mark.parametrize(("url", "body"), WRITES)
def test_oversight_never_writes_and_strangers_get_403(tree: Any, provider_user: str, url: str, body: Any) -> None:
    for username in (
        "340000-admin",
        "340000-supervisor",
        "340200-admin",
        "340123-admin",
        "340100-drafter",
        provider_user,
    ):
        assert api("340100", username).post(url, body, format="json").status_code == 403, (username, url)


def test_a_county_cannot_read_its_citys_statistics_but_the_city_reads_its_countys(tree: Any) -> None:
    assert api("340100", "340123-admin").get("/api/v1/statistics/").status_code == 403
    assert api("340123", "340100-supervisor").get("/api/v1/statistics/").status_code == 200
    assert api("340123", "340100-finance").get("/api/v1/statistics/").status_code == 403


def test_objects_of_another_jurisdiction_are_404(tree: Any) -> None:
    created = api("340100", "340100-admin").post(
        "/api/v1/chronicle/", {"date": "2026-01-01", "title": "合肥条目"}, format="json"
    )
    entry = created.json()["id"]
    inspection = (
        api("340100", "340100-admin")
        .post(
            "/api/v1/inspections/",
            {"subordinate_code": "340123", "title": "x", "inspected_on": "2026-01-01"},
            format="json",
        )
        .json()["id"]
    )
    # 芜湖's own members, on their own host, cannot reach 合肥's rows: they are not in their schema.
    assert api("340200", "340200-admin").get(f"/api/v1/chronicle/{entry}/").status_code == 404
    assert (
        api("340200", "340200-admin").patch(f"/api/v1/chronicle/{entry}/", {"title": "y"}, format="json").status_code
        == 404
    )
    assert api("340200", "340200-admin").get(f"/api/v1/inspections/{inspection}/").status_code == 404
    # …and on 合肥's host they are refused before any lookup.
    assert api("340100", "340200-admin").get(f"/api/v1/chronicle/{entry}/").status_code == 403
    assert api("340100", "340200-admin").get(f"/api/v1/inspections/{inspection}/").status_code == 403


def test_the_public_host_has_none_of_it(tree: Any) -> None:
    assert api(None, "340100-admin").get("/api/v1/statistics/").status_code == 404
