"""The statistics report PDF opens, and its text holds the year and the totals."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from tests.conftest import api

REPORT = "/api/v1/statistics/report.pdf"


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_yearly_report_holds_the_year_and_the_totals(hefei_receptions: Any, subtree_reports: Any) -> None:
    response = api("340100", "340100-finance").get(f"{REPORT}?year=2026")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _text(response.content)
    assert "2026" in text
    assert "合肥市" in text
    # Own: 4 receptions (T1–T3 and the completed July one), 18 guests, 1,859.79 yuan;
    # with 肥西's reports (3 / 8 / 600.50) and 长丰's July (5 / 5 / 55.00): 12 / 31 / 2,515.29.
    assert "2,515.29" in text
    assert "12" in text and "31" in text
    assert "肥西县" in text  # the table by jurisdiction
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2
    assert reader.metadata is not None and "2026" in (reader.metadata.title or "")


def test_a_monthly_report(hefei_receptions: Any) -> None:
    response = api("340100", "340100-admin").get(f"{REPORT}?year=2026&month=6")
    text = _text(response.content)
    assert "2026年6月" in text
    assert "99.99" in text


def test_bad_year_or_month_is_400(tree: Any) -> None:
    client = api("340100", "340100-admin")
    assert client.get(f"{REPORT}?year=26").json().keys() - {"errors"} == {"year"}
    assert client.get(f"{REPORT}?year=2026&month=13").json().keys() - {"errors"} == {"month"}
    assert api("340100", "340100-drafter").get(f"{REPORT}?year=2026").status_code == 403
