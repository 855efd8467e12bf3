"""Annual disclosure figures and the chronicle (generated, edited, exported)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from openpyxl import load_workbook

from core.models import AuditEntry
from tests.conftest import api, refused

DISCLOSURE = "/api/v1/disclosure/"
CHRONICLE = "/api/v1/chronicle/"


def test_disclosure_of_a_year(hefei_receptions: Any) -> None:
    response = api("340100", "340100-supervisor").get(f"{DISCLOSURE}?year=2026")
    assert response.status_code == 200
    # T1–T3 (1,409.79; 9 人次) and the completed July reception (50.00 × 9 = 450.00; 9 人次).
    assert response.json() == {
        "year": 2026,
        "cost_total": "1859.79",
        "guest_paid_total": "0.00",
        "receptions": 4,
        "guests": 18,
    }
    assert api("340100", "340100-finance").get(f"{DISCLOSURE}?year=2025").json() == {
        "year": 2025,
        "cost_total": "0.00",
        "guest_paid_total": "0.00",
        "receptions": 0,
        "guests": 0,
    }
    assert api("340100", "340100-finance").get(f"{DISCLOSURE}?year=twenty").status_code == 400


def test_the_chronicle_is_generated_from_settled_receptions_once(hefei_receptions: Any) -> None:
    client = api("340100", "340100-admin")
    response = client.post(f"{CHRONICLE}generate/", {"year": 2026}, format="json")
    assert response.status_code == 200, response.content
    generated = response.json()
    # Only the settled ones (T2, T3), oldest first; T1 is completed, not settled.
    assert [e["task"] for e in generated] == [hefei_receptions["t2"].pk, hefei_receptions["t3"].pk]
    assert generated[0]["date"] == "2026-05-31"
    assert generated[0]["title"].startswith("接待安徽省发展和改革委员会：")
    assert "一行 2 人来访（出席会议）" in generated[0]["body"]
    assert client.post(f"{CHRONICLE}generate/", {"year": 2026}, format="json").json() == []
    assert AuditEntry.objects.filter(chain="340100", action="reporting.chronicle.generated").count() == 2


def test_entries_are_added_edited_deleted_and_audited(tree: Any) -> None:
    client = api("340100", "340100-admin")
    created = client.post(
        CHRONICLE, {"date": "2026-03-01", "title": "修订接待管理办法", "body": "印发新办法"}, format="json"
    )
    assert created.status_code == 201
    entry = created.json()
    url = f"{CHRONICLE}{entry['id']}/"
    edited = client.patch(url, {"title": "修订《公务接待管理办法》", "version": 1}, format="json")
    assert edited.status_code == 200
    assert (edited.json()["title"], edited.json()["version"]) == ("修订《公务接待管理办法》", 2)
    refused(client.patch(url, {"title": "旧版本", "version": 1}, format="json"), 409, "stale_version")
    refused(client.patch(url, {"date": "2026-02-30"}, format="json"), 400, "invalid")
    assert client.post(CHRONICLE, {"title": "无日期"}, format="json").json().keys() - {"errors"} == {"date"}
    refused(api("340100", "340100-finance").patch(url, {"title": "x"}, format="json"), 403, "permission_denied")
    assert api("340100", "340100-finance").get(url).json()["title"] == "修订《公务接待管理办法》"
    refused(client.delete(f"{url}?version=1"), 409, "stale_version")
    assert client.delete(f"{url}?version=2").status_code == 204
    assert client.get(url).status_code == 404
    actions = AuditEntry.objects.filter(chain="340100", action__startswith="reporting.chronicle.")
    assert sorted(actions.values_list("action", flat=True)) == [
        "reporting.chronicle.created",
        "reporting.chronicle.deleted",
        "reporting.chronicle.updated",
    ]


def test_the_chronicle_exports(hefei_receptions: Any) -> None:
    client = api("340100", "340100-admin")
    client.post(f"{CHRONICLE}generate/", {"year": 2026}, format="json")
    client.post(CHRONICLE, {"date": "2026-01-15", "title": "年度接待工作会议"}, format="json")
    client.post(CHRONICLE, {"date": "2025-12-20", "title": "上一年"}, format="json")
    listed = client.get(f"{CHRONICLE}?year=2026").json()
    assert [e["date"] for e in listed] == ["2026-06-15", "2026-05-31", "2026-01-15"]

    sheet = load_workbook(io.BytesIO(client.get(f"{CHRONICLE}?year=2026&format=xlsx").content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert [r[0].date() for r in rows] == [dt.date(2026, 1, 15), dt.date(2026, 5, 31), dt.date(2026, 6, 15)]
    assert rows[0][1:] == ["年度接待工作会议", None, "人工录入"]
    assert sheet["A1"].value == "合肥市公务接待大事记（2026年）"

    response = client.get(f"{CHRONICLE}?year=2026&format=csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == ["日期", "标题", "内容", "来源"]
    assert [line[0] for line in lines[1:]] == ["2026-01-15", "2026-05-31", "2026-06-15"]
