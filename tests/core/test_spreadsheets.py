"""The one helper every export writes cells through: text that a spreadsheet would run as a
formula gets a leading `'` and is typed as a string; numbers, dates and money stay typed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from core.spreadsheets import CsvFile, append_row, safe_text

ATTACKS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1", "=1"]


@pytest.mark.parametrize("text", ATTACKS)
def test_text_a_spreadsheet_would_run_gets_a_quote(text: str) -> None:
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["合肥市", "a=b", "1-2", "", "'already"])
def test_plain_text_is_unchanged(text: str) -> None:
    assert safe_text(text) == text


def test_xlsx_cells_are_text_never_formulas_and_numbers_stay_numbers() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    append_row(sheet, [*ATTACKS, "#N/A", -5, Decimal("-12.50"), 3.5, dt.date(2026, 5, 6), None])
    out = io.BytesIO()
    book.save(out)

    read = load_workbook(io.BytesIO(out.getvalue())).active
    cells = list(read[1])
    texts = cells[: len(ATTACKS)]
    # XML turns a carriage return into a line feed: the quote is what matters.
    assert [c.value for c in texts] == ["'" + text.replace("\r", "\n") for text in ATTACKS]
    assert {c.data_type for c in texts} == {"s"}
    assert (cells[len(ATTACKS)].value, cells[len(ATTACKS)].data_type) == ("#N/A", "s")
    numbers = cells[len(ATTACKS) + 1 :]
    assert [c.value for c in numbers[:3]] == [-5, -12.5, 3.5]
    assert {c.data_type for c in numbers[:3]} == {"n"}
    assert numbers[3].value == dt.datetime(2026, 5, 6)


def test_csv_quotes_formulas_and_keeps_numbers_plain() -> None:
    out = CsvFile()
    out.row([*ATTACKS, -5, Decimal("-12.5"), dt.date(2026, 5, 6), None])
    content = out.content()
    assert content.startswith(b"\xef\xbb\xbf")
    (line,) = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert line[: len(ATTACKS)] == ["'" + text for text in ATTACKS]
    assert line[len(ATTACKS) :] == ["-5", "-12.50", "2026-05-06", ""]


ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "tenants", "provider_portal", "reception", "reporting")
#: Fixed text only (the roster template's headers and example row).
OWN_CELLS = {"reception/roster.py"}


def test_no_exporter_writes_cells_around_the_helper() -> None:
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            text = path.read_text()
            if name == "core/spreadsheets.py" or name in OWN_CELLS:
                continue
            writes_csv = "csv.writer" in text or "DictWriter" in text
            builds_workbook = re.search(r"\bWorkbook\(", text) is not None and "append_row" not in text
            if writes_csv or builds_workbook:
                offenders.append(name)
    assert offenders == []
