"""Spreadsheet cells that never run: the one place every export (.xlsx and .csv) writes text.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
WPS and LibreOffice as a formula (`=HYPERLINK(...)` typed as a task title runs when finance opens
the file). Such text gets a leading `'` (OWASP's advice for CSV) and every text cell of a
workbook is typed as a string, so nothing a user typed is ever a formula. Numbers, dates and
money stay typed values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import TYPE_STRING, Cell
from openpyxl.worksheet.worksheet import Worksheet

#: What a spreadsheet program may read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """`text`, with a leading `'` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_value(value: Any) -> Any:
    """A cell value: text made safe; numbers, dates, money and empties unchanged."""
    if isinstance(value, str):
        return safe_text(value)
    return value


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append a row to `sheet` with every text cell typed as a string, never as a formula."""
    sheet.append([_cell(sheet, v) for v in values])


def _cell(sheet: Worksheet, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    cell = Cell(sheet, value=safe_text(value))
    cell.data_type = TYPE_STRING  # openpyxl would make "=…" a formula and "#N/A" an error
    return cell


def csv_text(value: Any) -> str:
    """A value as CSV text: money with two decimals, dates in ISO form, text made safe."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    return safe_text(str(value))


class CsvFile:
    """Rows written as UTF-8 CSV with a byte-order mark (so Excel reads the Chinese)."""

    def __init__(self) -> None:
        self._out = io.StringIO()
        self._writer = csv.writer(self._out)

    def row(self, values: Iterable[Any]) -> None:
        self._writer.writerow([csv_text(v) for v in values])

    def content(self) -> bytes:
        return ("\ufeff" + self._out.getvalue()).encode("utf-8")
