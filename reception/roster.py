"""Reading a meeting roster (.xlsx) row by row: every bad cell reported with its row, column and a
Chinese message. No database: the service decides what to import.

Columns are found by their header (first row), in Chinese or English, in any order:
姓名/name, 单位/unit, 职务/post, 级别/grade (a label such as 厅局级 or a code such as bureau),
手机号/phone, 抵达时间/arrival, 离开时间/departure (dates or date-times, cells or text).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from reception.models.common import ReceptionLevel

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
#: Every row read counts, empty ones too (a sheet of five million empty rows is a few KB zipped).
MAX_ROWS_READ = 2 * MAX_ROWS
#: Columns read per row: the roster has seven; more are ignored, never expanded.
MAX_COLUMNS = 50
#: The workbook's parts, uncompressed (the zip's own sizes, which bound what is read).
MAX_UNCOMPRESSED = 10 * 1024 * 1024
MAX_PARTS = 500
#: Tags (`<`) in all parts together: a 5,000-row roster has about 210,000, so no file accepted
#: costs more to parse than the largest roster.
MAX_TAGS = 400_000
#: What a damaged or hostile workbook raises while it is read (entities: defusedxml).
UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    RuntimeError,  # an encrypted part
    NotImplementedError,  # an unknown compression
    ParseError,
    DefusedXmlException,
    KeyError,
    OSError,
    EOFError,
    ValueError,
    TypeError,
    IndexError,
)
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d", "%Y/%m/%d")

#: Field → (header names accepted, the Chinese header, required, longest text).
COLUMNS: dict[str, tuple[frozenset[str], str, bool, int]] = {
    "name": (frozenset({"姓名", "name"}), "姓名", True, 50),
    "unit": (frozenset({"单位", "工作单位", "unit"}), "单位", True, 200),
    "post": (frozenset({"职务", "post"}), "职务", True, 100),
    "grade": (frozenset({"级别", "grade"}), "级别", True, 30),
    "phone": (frozenset({"手机号", "手机", "电话", "联系电话", "phone"}), "手机号", False, 30),
    "arrival": (frozenset({"抵达时间", "到达时间", "报到时间", "arrival"}), "抵达时间", False, 40),
    "departure": (frozenset({"离开时间", "离会时间", "返程时间", "departure"}), "离开时间", False, 40),
}


def grade_codes() -> dict[str, str]:
    """Each grade's code and its label in every language (casefolded) → the code. Built per read:
    the labels are lazy translations, and a table built at import would hold only the language
    active then (the Chinese template was refused under English, and the reverse)."""
    table = {code.casefold(): code for code in ReceptionLevel.values}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            table.update({str(label).casefold(): code for code, label in ReceptionLevel.choices})
    return table


class NotAWorkbook(ValueError):
    """The file is not a readable .xlsx workbook."""


class WorkbookTooLarge(Exception):
    """The workbook expands past MAX_UNCOMPRESSED (a decompression bomb, or just too big)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class RosterRow:
    row: int
    name: str
    unit: str
    post: str
    grade: str
    phone: str = ""
    arrival: datetime | None = None
    departure: datetime | None = None


@dataclass
class Roster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def bad_rows(self) -> set[int]:
        return {error.row for error in self.errors}

    @property
    def good_rows(self) -> list[RosterRow]:
        bad = self.bad_rows
        return [row for row in self.rows if row.row not in bad]

    def mark_known(self, known: Collection[tuple[str, str]]) -> None:
        """Rows whose (name, unit) is already a guest of the task are duplicates (read apart from
        the file, so the task's lock is not held while the file is parsed)."""
        known = set(known)
        already = {row.row for row in self.rows if (row.name, row.unit) in known}
        if not already:
            return
        kept = [error for error in self.errors if not (error.row in already and error.code == "duplicate")]
        added = [RowError(number, "姓名", "duplicate", _("该来宾已在名单中。")) for number in sorted(already)]
        self.errors = sorted(kept + added, key=lambda error: error.row)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed as a number
    return str(value).strip()


def _when(value: Any) -> datetime | None:
    """A cell as an aware datetime (a date alone is that day at 00:00); ValueError if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = _text(value)
        for pattern in DATETIME_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
    if not 2000 <= moment.year <= 2100:
        raise ValueError(value)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _check_zip(content: bytes) -> None:
    """Refuse a workbook whose parts expand past the limits: their sizes before any is
    decompressed (the zip's sizes bound what is read), then their tags, counted in C."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNCOMPRESSED:
                raise WorkbookTooLarge
            if sum(archive.read(part).count(b"<") for part in parts) > MAX_TAGS:
                raise WorkbookTooLarge
    except UNREADABLE as exc:
        raise NotAWorkbook from exc


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only sheet that does not look for its size when opened: openpyxl's own reads a sheet
    without a `<dimension>` element to its end first. `_rows` always bounds rows and columns."""

    def _get_size(self) -> None:
        return None


class _FirstSheetReader(ExcelReader):
    """openpyxl's reader (read-only, values only) for the first worksheet alone."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                self.wb._sheets.append(_UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings))
                return


def _open(content: bytes) -> Any:
    if not content.startswith(b"PK\x03\x04"):
        raise NotAWorkbook
    _check_zip(content)
    try:
        reader = _FirstSheetReader(io.BytesIO(content), read_only=True, data_only=True)
        reader.read()
        return reader.wb.worksheets[0]
    except UNREADABLE as exc:
        raise NotAWorkbook from exc


def _rows(sheet: Any) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows (the first MAX_COLUMNS cells of each, gaps filled with empty rows), at most
    MAX_ROWS_READ + 1 of them; a damaged or hostile sheet raises NotAWorkbook."""
    rows = sheet.iter_rows(max_row=MAX_ROWS_READ + 1, max_col=MAX_COLUMNS, values_only=True)
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except UNREADABLE as exc:
            raise NotAWorkbook from exc
        yield cells


def _header(cells: tuple[Any, ...]) -> dict[str, int]:
    names = [_text(cell).lower() for cell in cells]
    found: dict[str, int] = {}
    for name, (accepted, _label, _required, _longest) in COLUMNS.items():
        for position, header in enumerate(names):
            if header in accepted:
                found[name] = position
                break
    return found


def read_roster(content: bytes) -> Roster:
    """Every row of the first sheet after the header, duplicates within the file marked.

    NotAWorkbook when the file cannot be read safely, WorkbookTooLarge when it expands too far.
    """
    sheet = _open(content)
    roster = Roster()
    rows = _rows(sheet)
    header_row = next(rows, None)
    columns = _header(header_row or ())
    missing = [COLUMNS[name][1] for name, spec in COLUMNS.items() if spec[2] and name not in columns]
    if missing:
        for label in missing:
            roster.errors.append(RowError(1, label, "missing_column", _("缺少“%(column)s”列。") % {"column": label}))
        return roster
    seen: dict[tuple[str, str], int] = {}
    grades = grade_codes()
    count = 0
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS_READ:
            message = _("表格最多 %(n)s 行（含空行），请删除多余的空行。") % {"n": MAX_ROWS_READ}
            roster.errors.append(RowError(number, "", "too_many_rows", message))
            break
        if all(_text(cell) == "" for cell in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            roster.errors.append(RowError(number, "", "too_many_rows", _("名单最多 %(n)s 行。") % {"n": MAX_ROWS}))
            break
        row = _row(number, cells, columns, roster.errors, grades)
        if row is None:
            continue
        key = (row.name, row.unit)
        if key in seen:
            roster.errors.append(
                RowError(number, "姓名", "duplicate", _("与第 %(row)s 行重复（同名同单位）。") % {"row": seen[key]})
            )
        else:
            seen[key] = number
        roster.rows.append(row)
    return roster


def _row(
    number: int, cells: tuple[Any, ...], columns: dict[str, int], errors: list[RowError], grades: dict[str, str]
) -> RosterRow | None:
    values: dict[str, Any] = {}
    count = len(errors)

    def fail(name: str, code: str, message: str) -> None:
        errors.append(RowError(number, COLUMNS[name][1], code, message))

    for name, position in columns.items():
        _accepted, label, required, longest = COLUMNS[name]
        raw = cells[position] if position < len(cells) else None
        if name in ("arrival", "departure"):
            try:
                values[name] = _when(raw)
            except (ValueError, OverflowError):
                fail(
                    name,
                    "invalid_datetime",
                    _("“%(column)s”不是有效的日期时间（如 2026-05-06 09:30）。") % {"column": label},
                )
            continue
        text = _text(raw)
        if required and not text:
            fail(name, "required", _("“%(column)s”不能为空。") % {"column": label})
        elif len(text) > longest or "\x00" in text:
            fail(name, "too_long", _("“%(column)s”过长（最多 %(n)s 字）。") % {"column": label, "n": longest})
        elif name == "grade" and text.casefold() not in grades:
            fail(name, "invalid_grade", _("级别应为省部级、厅局级、县处级、乡科级或其他。"))
        elif name == "phone" and text and not PHONE.match(text):
            fail(name, "invalid_phone", _("手机号格式不正确。"))
        values[name] = grades.get(text.casefold(), text) if name == "grade" else text
    arrival, departure = values.get("arrival"), values.get("departure")
    if arrival and departure and departure < arrival:
        fail("departure", "departure_before_arrival", _("离开时间不能早于抵达时间。"))
    if len(errors) > count:
        return None
    return RosterRow(number, **values)


def template_workbook() -> bytes:
    """An empty roster with the expected headers, one example row, and the grade column offering
    the grade labels in the active language (a list to pick from); any language's labels are read."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "来宾名单"
    sheet.append([spec[1] for spec in COLUMNS.values()])
    division = str(ReceptionLevel.DIVISION.label)
    sheet.append(["张三", "安徽省财政厅", "处长", division, "13800000000", "2026-05-06 09:30", "2026-05-07 17:00"])
    labels = ",".join(str(label) for label in ReceptionLevel.labels)
    grade_column = get_column_letter(list(COLUMNS).index("grade") + 1)
    choices = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True, errorStyle="warning")
    choices.add(f"{grade_column}2:{grade_column}{MAX_ROWS + 1}")
    sheet.add_data_validation(choices)
    for position in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(position)].width = 18
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
