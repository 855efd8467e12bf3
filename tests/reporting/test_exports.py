"""Exports: the xlsx and csv open and hold the same rows as the JSON; large exports as a job."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from tests.conftest import api, in_tenant, refused
from tests.reporting.conftest import STATISTICS

RANGE = "from=2026-05-01&to=2026-06-30"
EXPORTS = "/api/v1/statistics/exports/"


def test_xlsx_holds_the_json_rows_typed_with_totals_and_a_frozen_header(hefei_receptions: Any) -> None:
    client = api("340100", "340100-finance")
    data = client.get(f"{STATISTICS}?{RANGE}&group_by=level").json()
    response = client.get(f"{STATISTICS}?{RANGE}&group_by=level&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="statistics-level-2026-05-01-2026-06-30.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "合肥市" in sheet["A1"].value and "2026-05-01" in sheet["A1"].value
    header = [c.value for c in sheet[2]]
    assert header[:5] == ["接待级别", "接待批次", "接待人次", "陪同人次", "接待费用合计（元）"]
    assert "用餐费用（元）" in header and header[-2:] == ["人均费用（元）", "超标准事项"]
    assert sheet.freeze_panes == "A3"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert len(rows) == len(data["rows"]) + 1
    for json_row, cells in zip(data["rows"], rows, strict=False):
        assert cells[0] == f"{json_row['label']}（{json_row['key']}）"
        assert cells[1:4] == [json_row["receptions"], json_row["guests"], json_row["accompanying"]]
        assert isinstance(cells[1], int)
        assert Decimal(str(cells[4])) == Decimal(json_row["cost_total"])
    totals = rows[-1]
    assert totals[0] == "合计"
    assert totals[1:4] == [3, 9, 3]
    assert Decimal(str(totals[4])) == Decimal("1409.79")
    assert sheet.cell(row=sheet.max_row, column=5).number_format == "#,##0.00"


def test_csv_is_utf8_with_bom_and_matches_the_json(hefei_receptions: Any) -> None:
    client = api("340100", "340100-supervisor")
    data = client.get(f"{STATISTICS}?{RANGE}&group_by=purpose").json()
    response = client.get(f"{STATISTICS}?{RANGE}&group_by=purpose&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["来访事由", "接待批次", "接待人次"]
    assert lines[1][:5] == ["出席会议（attend_meeting）", "2", "6", "2", "340.29"]
    assert lines[2][:5] == ["考察调研（inspection_research）", "1", "3", "1", "1069.50"]
    assert lines[3][:5] == ["合计", "3", "9", "3", data["totals"]["cost_total"]]
    assert len(lines) == len(data["rows"]) + 2


def test_an_export_job_builds_the_file_with_progress(
    hefei_receptions: Any, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    client = api("340100", "340100-finance")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORTS, {"from": "2026-05-01", "to": "2026-06-30", "format": "xlsx"}, format="json")
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    assert response.json()["status"] == "pending"  # answered before the worker ran

    job = client.get(f"{EXPORTS}{job_id}/").json()
    assert (job["status"], job["progress"]) == ("done", 100)
    assert job["download"] == f"/api/v1/statistics/exports/{job_id}/download/"
    download = client.get(job["download"])
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames == ["统计", "明细"]
    detail = [[c.value for c in row] for row in book["明细"].iter_rows(min_row=2)]
    assert [row[0] for row in detail] == [hefei_receptions[t].pk for t in ("t1", "t2", "t3")]
    assert Decimal(str(detail[0][-2])) == Decimal("1069.50")  # the host's; the last column: the guests' own
    assert Decimal(str(detail[0][-1])) == Decimal("0.00")
    assert [j["id"] for j in client.get(EXPORTS).json()] == [job_id]

    from core.models import AuditEntry

    assert AuditEntry.objects.filter(chain="340100", action="reporting.export.created").count() == 1


def test_an_unfinished_job_cannot_be_downloaded_and_bad_input_is_400(tree: Any) -> None:
    from reporting.local.models import ExportJob
    from tests.conftest import user

    with in_tenant("340100"):
        job = ExportJob.objects.create(
            params={"from": "2026-01-01", "to": "2026-12-31", "group_by": "month"},
            file_format="csv",
            created_by=user("340100-finance"),
        )
    client = api("340100", "340100-finance")
    assert client.get(f"{EXPORTS}{job.pk}/download/").status_code == 409
    assert client.post(EXPORTS, {"format": "pdf"}, format="json").json().keys() - {"errors"} == {"format"}
    refused(client.post(EXPORTS, {"from": "2026-02-30"}, format="json"), 400, "invalid")
    # Another jurisdiction's member sees nothing of it.
    assert api("340200", "340200-finance").get(f"{EXPORTS}{job.pk}/").status_code == 404
    assert api("340100", "340100-drafter").get(f"{EXPORTS}{job.pk}/").status_code == 403
