"""Annual disclosure (信息公开: the year's reception spending, receptions and 人次) and the chronicle
(大事记): dated entries, generated from settled receptions or written by hand, editable, exportable."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.audit import audit_record
from core.errors import Conflict, NotFound
from core.models import User
from core.spreadsheets import CsvFile, append_row
from reception.figures import period_figures
from reception.models import Purpose, Task, TaskStatus
from reporting.local.models import ChronicleEntry
from tenants.models import Jurisdiction

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


# --- The chronicle ------------------------------------------------------------------------


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


def _snapshot(entry: ChronicleEntry) -> dict[str, Any]:
    return {"date": entry.date.isoformat(), "title": entry.title, "body": entry.body, "task": entry.task_id}


def _audit(actor: User | None, jurisdiction: Jurisdiction, action: str, entry: ChronicleEntry, **kwargs: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        jurisdiction_code=jurisdiction.code,
        object_type="reporting.chronicle",
        object_id=entry.pk,
        **kwargs,
    )


def _generated_text(task: Task, guests: int) -> tuple[str, str]:
    letter = task.letter
    title = _("接待%(unit)s：%(title)s") % {"unit": letter.sending_unit, "title": task.title}
    body = _("%(start)s至%(end)s，%(unit)s一行 %(guests)s 人来访（%(purpose)s），对口接待单位：%(counterpart)s。") % {
        "start": task.start_date.strftime("%m月%d日"),
        "end": task.end_date.strftime("%m月%d日"),
        "unit": letter.sending_unit,
        "guests": guests,
        "purpose": Purpose(letter.purpose).label if letter.purpose in Purpose.values else letter.purpose,
        "counterpart": task.counterpart_unit,
    }
    return title[:200], body


def chronicle_generate(*, actor: User, jurisdiction: Jurisdiction, year: int) -> list[ChronicleEntry]:
    """An entry for each settled reception of the year that has none yet; safe to repeat."""
    with transaction.atomic():
        have = ChronicleEntry.objects.filter(task_id__isnull=False).values_list("task_id", flat=True)
        tasks = (
            Task.objects.filter(status=TaskStatus.SETTLED, start_date__year=year)
            .exclude(pk__in=list(have))
            .select_related("letter")
            .annotate(guest_count=Count("guests"))
            .order_by("start_date", "id")
        )
        created = []
        for task in tasks:
            title, body = _generated_text(task, task.guest_count)  # type: ignore[attr-defined]
            entry = ChronicleEntry.objects.create(
                date=task.start_date, title=title, body=body, task_id=task.pk, generated=True, created_by=actor
            )
            _audit(actor, jurisdiction, "reporting.chronicle.generated", entry, after=_snapshot(entry))
            created.append(entry)
    return created


def chronicle_create(
    *, actor: User, jurisdiction: Jurisdiction, date: date, title: str, body: str = ""
) -> ChronicleEntry:
    with transaction.atomic():
        entry = ChronicleEntry.objects.create(date=date, title=title, body=body, created_by=actor)
        _audit(actor, jurisdiction, "reporting.chronicle.created", entry, after=_snapshot(entry))
    return entry


def _locked(entry_id: int, version: int | None) -> ChronicleEntry:
    entry = ChronicleEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("大事记条目不存在。"))
    if version is not None and version != entry.version:
        raise Conflict(_("该条目已被他人修改，请刷新后重试。"), code="stale_version")
    return entry


def chronicle_update(
    *, actor: User, jurisdiction: Jurisdiction, entry_id: int, changes: dict[str, Any], version: int | None = None
) -> ChronicleEntry:
    with transaction.atomic():
        entry = _locked(entry_id, version)
        before = _snapshot(entry)
        for name in CHRONICLE_FIELDS:
            if name in changes:
                setattr(entry, name, changes[name])
        if _snapshot(entry) == before:
            return entry
        entry.version += 1
        entry.save()
        _audit(actor, jurisdiction, "reporting.chronicle.updated", entry, before=before, after=_snapshot(entry))
    return entry


def chronicle_delete(*, actor: User, jurisdiction: Jurisdiction, entry_id: int, version: int | None = None) -> None:
    with transaction.atomic():
        entry = _locked(entry_id, version)
        _audit(actor, jurisdiction, "reporting.chronicle.deleted", entry, before=_snapshot(entry))
        entry.delete()


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
