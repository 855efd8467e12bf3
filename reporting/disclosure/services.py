"""Writes of the chronicle (大事记): generate from the year's tasks, create, update, delete;
each in one transaction with one audit entry."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, NotFound
from core.models import User
from reception.models import Purpose, Task, TaskStatus
from reporting.disclosure.selectors import CHRONICLE_FIELDS
from reporting.local.models import ChronicleEntry
from tenants.models import Jurisdiction


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
