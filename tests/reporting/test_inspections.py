"""Supervision: inspections of subordinates with the five-area checklist, findings, follow-ups."""

from __future__ import annotations

from typing import Any

from core.models import AuditEntry
from tests.conftest import api, in_tenant, refused

INSPECTIONS = "/api/v1/inspections/"
AREAS = ["rules", "standards", "funds", "disclosure", "venues"]


def _open(code: str = "340100", username: str = "340100-supervisor", target: str = "340123") -> Any:
    return api(code, username).post(
        INSPECTIONS,
        {"subordinate_code": target, "title": "2026年度公务接待检查", "inspected_on": "2026-09-10"},
        format="json",
    )


def test_an_inspection_of_a_subordinate_goes_through_the_five_areas(tree: Any) -> None:
    response = _open()
    assert response.status_code == 201, response.content
    inspection = response.json()
    assert (inspection["subordinate_code"], inspection["subordinate_name"]) == ("340123", "肥西县")
    assert [i["area"] for i in inspection["items"]] == AREAS
    assert [i["area_label"] for i in inspection["items"]] == [
        "制度建设",
        "标准执行",
        "经费使用",
        "信息公开",
        "内部接待场所",
    ]
    assert {i["result"] for i in inspection["items"]} == {"not_checked"}

    client = api("340100", "340100-supervisor")
    base = f"{INSPECTIONS}{inspection['id']}/"
    # Closing with unchecked areas is refused, naming them.
    refusal = client.post(f"{base}close/", {}, format="json")
    assert refusal.status_code == 400
    assert [e["code"] for e in refusal.json()["errors"]] == ["area_not_checked"] * 5

    assert client.patch(f"{base}items/funds/", {"result": "issues"}, format="json").json().keys() - {"errors"} == {
        "finding"
    }
    found = client.patch(
        f"{base}items/funds/",
        {
            "result": "issues",
            "finding": "两次接待超标准用餐",
            "follow_up": "退回超标部分",
            "follow_up_due": "2026-10-31",
        },
        format="json",
    )
    assert found.status_code == 200
    assert found.json()["open_follow_ups"] == 1
    refused(client.patch(f"{base}items/funds/", {"finding": "x", "version": 1}, format="json"), 409, "stale_version")
    for area in ["rules", "standards", "disclosure", "venues"]:
        assert client.patch(f"{base}items/{area}/", {"result": "compliant"}, format="json").status_code == 200
    refused(client.patch(f"{base}items/colour/", {"result": "compliant"}, format="json"), 404, "not_found")

    closed = client.post(f"{base}close/", {"summary": "总体符合规定，经费使用问题限期整改"}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    refused(client.post(f"{base}close/", {}, format="json"), 409, "inspection_closed")
    # Once closed, only the follow-up's completion is recorded.
    refused(client.patch(f"{base}items/funds/", {"finding": "改写"}, format="json"), 409, "inspection_closed")
    done = client.patch(f"{base}items/funds/", {"resolved": True}, format="json")
    assert done.status_code == 200 and done.json()["open_follow_ups"] == 0

    # Kept in the superior's schema, readable by its finance; filtered by subordinate.
    assert [i["id"] for i in api("340100", "340100-finance").get(f"{INSPECTIONS}?subordinate=340123").json()] == [
        inspection["id"]
    ]
    assert api("340100", "340100-finance").get(f"{INSPECTIONS}?subordinate=340121").json() == []
    with in_tenant("340123"):
        from reporting.local.models import Inspection

        assert Inspection.objects.count() == 0
    actions = list(
        AuditEntry.objects.filter(chain="340100", action__startswith="reporting.inspection.").values_list(
            "action", flat=True
        )
    )
    assert actions.count("reporting.inspection.created") == 1
    assert actions.count("reporting.inspection.closed") == 1
    assert actions.count("reporting.inspection.item_updated") == 6


def test_the_subordinate_must_be_in_the_subtree(tree: Any) -> None:
    for target in ("340100", "340200", "340000", "999999"):
        response = _open(target=target)
        refused(response, 400, "not_subordinate")
        assert "subordinate_code" in response.json()
    assert _open(target="34012").json().keys() - {"errors"} == {"subordinate_code"}
    # The province may inspect a county at any depth.
    assert _open("340000", "340000-supervisor", "340123").status_code == 201


def test_who_may_inspect(tree: Any) -> None:
    refused(_open(username="340100-finance"), 403, "permission_denied")
    refused(_open(username="340100-drafter"), 403, "permission_denied")
    assert _open(username="340000-admin").status_code == 403  # oversight reads, never writes
    assert _open(username="340100-admin").status_code == 201
