"""Statistics as files: .xlsx (openpyxl: typed cells, header, totals row, frozen header, Chinese
titles) and .csv (UTF-8 with a BOM, so Excel opens it), built from the same JSON as the API.

The detail lines of a large export are read here; the job itself is in `services.py`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.spreadsheets import CsvFile, append_row
from reception.figures import ZERO, counted_tasks, task_costs
from reception.models import Guest, ItemKind, Payer
from reporting.statistics.selectors import KINDS, GroupBy, group_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
MONEY_FORMAT = "#,##0.00"
#: Detail lines are read (and progress recorded) this many receptions at a time.
DETAIL_CHUNK = 500


def kind_label(kind: str) -> str:
    return str(ItemKind(kind).label) if kind in ItemKind.values else kind


def columns(group_by: str) -> list[tuple[str, str]]:
    """(field, Chinese title) of a statistics row, in file order."""
    return [
        ("key", group_label(group_by)),
        ("receptions", _("接待批次")),
        ("guests", _("接待人次")),
        ("accompanying", _("陪同人次")),
        ("cost_total", _("接待费用合计（元）")),
        *((f"cost_{kind}", _("%(kind)s费用（元）") % {"kind": kind_label(kind)}) for kind in KINDS),
        ("guest_paid_total", _("来宾自理（元，不计入接待费用）")),
        ("average_per_guest", _("人均费用（元）")),
        ("over_standard", _("超标准事项")),
    ]


def _cell(field: str, row: dict[str, Any]) -> Any:
    """A typed value: ints stay ints, money becomes Decimal (exact), absent averages stay empty."""
    if field.startswith("cost_") and field != "cost_total":
        return Decimal(row["cost_by_kind"][field[5:]])
    value = row.get(field)
    if field in ("cost_total", "average_per_guest", "guest_paid_total"):
        return None if value is None else Decimal(value)
    return value


def table(data: dict[str, Any]) -> tuple[list[str], list[list[Any]], list[Any]]:
    """Header, rows and the totals row of a statistics answer, as typed values."""
    cols = columns(data["group_by"])
    header = [title for _f, title in cols]
    body = []
    for row in data["rows"]:
        values = [_cell(f, row) for f, _t in cols]
        if row.get("label") and row["label"] != row["key"]:
            values[0] = f"{row['label']}（{row['key']}）"
        body.append(values)
    totals = [totals_label(data["group_by"])] + [_cell(f, data["totals"]) for f, _t in cols[1:]]
    return header, body, totals


def totals_label(group_by: str) -> str:
    """By provider a reception served by several providers is in each of their rows: the totals
    count it once, so only the costs are the sum of the rows (say so where people add up)."""
    if group_by == GroupBy.PROVIDER:
        return _("合计（批次、人次按接待去重，不是各行之和；费用为各行之和）")
    return _("合计")


def _title(data: dict[str, Any], jurisdiction_name: str) -> str:
    return _("%(name)s公务接待统计（%(start)s 至 %(end)s）") % {
        "name": jurisdiction_name,
        "start": data["from"],
        "end": data["to"],
    }


def _money_columns(data: dict[str, Any]) -> set[int]:
    cols = columns(data["group_by"])
    return {
        n
        for n, (f, _t) in enumerate(cols, start=1)
        if f.startswith("cost_") or f in ("average_per_guest", "guest_paid_total")
    }


def xlsx_bytes(data: dict[str, Any], *, jurisdiction_name: str = "", detail: list[list[Any]] | None = None) -> bytes:
    """The workbook: a title line, the header (frozen, bold), the rows, a bold totals row."""
    header, body, totals = table(data)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("统计")
    append_row(sheet, [_title(data, jurisdiction_name)])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for values in body:
        append_row(sheet, values)
    append_row(sheet, totals)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    money = _money_columns(data)
    for column in money:
        for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
            cell.number_format = MONEY_FORMAT
    sheet.freeze_panes = "A3"
    for n, title in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = max(12, len(title) * 2 + 2)
    if detail is not None:
        _detail_sheet(book, detail)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def detail_header() -> list[str]:
    return [
        _("任务编号"),
        _("任务名称"),
        _("开始日期"),
        _("接待级别"),
        _("对口接待单位"),
        _("接待人次"),
        *(_("%(kind)s费用（元）") % {"kind": kind_label(kind)} for kind in KINDS),
        _("费用合计（元）"),
        _("来宾自理（元，不计入接待费用）"),
    ]


def _detail_sheet(book: Workbook, detail: list[list[Any]]) -> None:
    sheet = book.create_sheet(_("明细"))
    append_row(sheet, detail_header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in detail:
        append_row(sheet, values)
    for column in range(7, 7 + len(KINDS) + 2):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = MONEY_FORMAT
    sheet.freeze_panes = "A2"


def csv_bytes(data: dict[str, Any], *, detail: list[list[Any]] | None = None) -> bytes:
    """UTF-8 with a byte-order mark; the header, the rows, the totals row (and the detail)."""
    header, body, totals = table(data)
    out = CsvFile()
    out.row(header)
    for values in [*body, totals]:
        out.row(values)
    if detail is not None:
        out.row([])
        out.row(detail_header())
        for values in detail:
            out.row(values)
    return out.content()


def file_bytes(data: dict[str, Any], file_format: str, **kwargs: Any) -> bytes:
    if file_format == "xlsx":
        return xlsx_bytes(data, **kwargs)
    kwargs.pop("jurisdiction_name", None)
    return csv_bytes(data, **kwargs)


def filename(data: dict[str, Any], file_format: str) -> str:
    return f"statistics-{data['group_by']}-{data['from']}-{data['to']}.{file_format}"


def detail_lines(start: date, end: date, progress: Callable[[int, int], None] | None = None) -> Iterator[list[Any]]:
    """One line per reception held in range, in chunks (a query per chunk for guests and costs)."""
    from django.db.models import Count

    tasks = list(
        counted_tasks(start, end)
        .order_by("start_date", "id")
        .values_list("id", "title", "start_date", "level", "counterpart_unit")
    )
    total = len(tasks)
    for offset in range(0, total, DETAIL_CHUNK):
        chunk = tasks[offset : offset + DETAIL_CHUNK]
        ids = [t[0] for t in chunk]
        guests = dict(
            Guest.objects.filter(task_id__in=ids).values("task_id").annotate(n=Count("pk")).values_list("task_id", "n")
        )
        costs = task_costs(ids)
        guest_paid = task_costs(ids, payer=Payer.GUEST)
        for pk, title, day, level, unit in chunk:
            by_kind = costs.get(pk, {})
            amounts = [by_kind.get(kind, ZERO) for kind in KINDS]
            own = sum(guest_paid.get(pk, {}).values(), ZERO)
            yield [pk, title, day, level, unit, guests.get(pk, 0), *amounts, sum(amounts, ZERO), own]
        if progress is not None:
            progress(min(offset + DETAIL_CHUNK, total), total)
