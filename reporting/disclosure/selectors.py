"""Reads of disclosure: the year's public figures and the chronicle (大事记) with its files."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.errors import NotFound
from core.spreadsheets import CsvFile, append_row
from reception.figures import period_figures
from reporting.local.models import ChronicleEntry

CHRONICLE_FIELDS = ("date", "title", "body")


def disclosure(*, year: int) -> dict[str, Any]:
    """The figures a jurisdiction publishes for a year: its own receptions held that year. The
    spending is the host's; what guests paid themselves is shown apart."""
    figures = period_figures(date(year, 1, 1), date(year, 12, 31))
    return {
        "year": year,
        "cost_total": str(figures.cost_total),
        "guest_paid_total": str(figures.guest_paid_total),
        "receptions": figures.receptions,
        "guests": figures.guests,
    }


def chronicle_entries(*, year: int | None = None) -> QuerySet[ChronicleEntry]:
    entries = ChronicleEntry.objects.order_by("-date", "-id")
    if year is not None:
        entries = entries.filter(date__year=year)
    return entries


def chronicle_entry(entry_id: int) -> ChronicleEntry:
    entry = ChronicleEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("大事记条目不存在。"))
    return entry


def chronicle_table(entries: QuerySet[ChronicleEntry]) -> tuple[list[str], list[list[Any]]]:
    header = [_("日期"), _("标题"), _("内容"), _("来源")]
    rows = [
        [e.date, e.title, e.body, _("由接待任务生成") if e.generated else _("人工录入")]
        for e in entries.order_by("date", "id")
    ]
    return header, rows


def chronicle_xlsx(entries: QuerySet[ChronicleEntry], *, title: str) -> bytes:
    header, rows = chronicle_table(entries)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("大事记")
    append_row(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    for (cell,) in sheet.iter_rows(min_row=3, min_col=1, max_col=1):
        cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A3"
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def chronicle_csv(entries: QuerySet[ChronicleEntry]) -> bytes:
    header, rows = chronicle_table(entries)
    out = CsvFile()
    out.row(header)
    for row in rows:
        out.row(row)
    return out.content()
