"""Meetings (会议): the meeting's settings, its roster imported from .xlsx, invitations and notices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.errors import InvalidInput
from core.models import User
from core.notifications import Recipient, notify
from reception.models import Guest, GuestStay, Meeting, MeetingNotice, NoticeKind, Task
from reception.models.common import TEXT_MAX
from reception.models.tasks import PLAN_ROLES
from reception.roster import MAX_BYTES, NotAWorkbook, Roster, RowError, WorkbookTooLarge, read_roster
from reception.selectors import ITINERARY_STATUSES
from reception.services.arrangements import clean_text, lock_arrangeable_task
from reception.services.common import check_version, require_roles
from reception.services.tasks import lock_editable_task, task_touch
from reception.tokens import itinerary_token, itinerary_url
from tenants.models import Jurisdiction

#: The audit action of each kind of notice sent.
NOTICE_SENT: dict[str, str] = {
    NoticeKind.INVITATION: "reception.meeting.invitation_sent",
    NoticeKind.NOTICE: "reception.meeting.notice_sent",
}
#: The notification event of each kind of message to the guests.
NOTICE_EVENTS: dict[str, str] = {
    NoticeKind.INVITATION: "reception.meeting.invitation",
    NoticeKind.NOTICE: "reception.meeting.notice",
}

# --- The meeting ----------------------------------------------------------------------------


@transaction.atomic
def meeting_save(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    venue: str = "",
    international: bool = False,
    version: int | None = None,
) -> Meeting:
    """Make the task a meeting, or change its venue and its international-practice switch."""
    task = lock_arrangeable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    meeting = Meeting.objects.select_for_update().filter(task=task).first()
    venue = clean_text(venue, field="venue", max_length=200, required=False)
    if meeting is None:
        meeting = Meeting.objects.create(task=task, venue=venue, international=international, created_by=actor)
        before = None
    else:
        check_version(meeting, version)
        before = {"venue": meeting.venue, "international": meeting.international}
        meeting.venue, meeting.international = venue, international
        meeting.version += 1
        meeting.save()
    audit_record(
        actor=actor,
        action="reception.meeting.saved",
        jurisdiction_code=jurisdiction.code,
        obj=task,
        before=before,
        after={"venue": meeting.venue, "international": meeting.international},
    )
    return meeting


# --- The roster -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterImport:
    guests: list[Guest]
    skipped: list[RowError]


def roster_import(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, content: bytes, skip_bad_rows: bool = False
) -> RosterImport:
    """Add the roster's guests (with phones, arrival and departure) to the task.

    A roster with a bad row imports nothing (400 listing every bad row: row, column, message)
    unless `skip_bad_rows`, which imports the good rows and lists the skipped ones. Guests are part
    of the plan: the drafter imports them while the task is a draft or returned. The file is read
    (within its limits: see reception/roster.py) before the task's row is locked.
    """
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=PLAN_ROLES)
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("文件不能超过 5 MB。"), field="file", code="too_large")
    try:
        roster = read_roster(content)
    except WorkbookTooLarge:
        raise InvalidInput(_("文件解压后过大，不是正常的来宾名单。"), field="file", code="too_large") from None
    except NotAWorkbook:
        raise InvalidInput(_("文件不是有效的 Excel（.xlsx）文件。"), field="file", code="not_xlsx") from None
    with transaction.atomic():
        task = lock_editable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
        roster.mark_known(task.guests.values_list("name", "unit"))
        return _roster_save(
            actor=actor, jurisdiction=jurisdiction, task=task, roster=roster, skip_bad_rows=skip_bad_rows
        )


def _roster_save(
    *, actor: User, jurisdiction: Jurisdiction, task: Task, roster: Roster, skip_bad_rows: bool
) -> RosterImport:
    header_errors = [error for error in roster.errors if error.code in ("missing_column", "too_many_rows")]
    if header_errors or (roster.errors and not skip_bad_rows) or not roster.good_rows:
        detail = _("名单有误，未导入任何来宾。") if roster.errors else _("名单中没有来宾。")
        errors = [error.as_dict() for error in roster.errors]
        raise InvalidInput(detail, code="roster_invalid", extra={"errors": errors})
    rows = roster.good_rows
    guests = Guest.objects.bulk_create(
        Guest(task=task, name=r.name, unit=r.unit, post=r.post, grade=r.grade, phone=r.phone) for r in rows
    )
    GuestStay.objects.bulk_create(
        GuestStay(guest=guest, arrives_at=row.arrival, departs_at=row.departure)
        for guest, row in zip(guests, rows, strict=True)
        if row.arrival or row.departure
    )
    audit_record(
        actor=actor,
        action="reception.roster.imported",
        jurisdiction_code=jurisdiction.code,
        obj=task,
        after={"imported": len(guests), "skipped_rows": sorted(roster.bad_rows), "guests": [g.pk for g in guests]},
    )
    task_touch(task)
    return RosterImport(guests=guests, skipped=roster.errors)


# --- Invitations and notices ------------------------------------------------------------------


def _default_invitation(*, jurisdiction: Jurisdiction, task: Task, meeting: Meeting | None) -> tuple[str, str]:
    venue = meeting.venue if meeting and meeting.venue else task.counterpart_unit
    subject = _("会议邀请：%(title)s") % {"title": task.title}
    body = _("诚邀您参加“%(title)s”，时间 %(start)s 至 %(end)s，地点 %(venue)s。") % {
        "title": task.title,
        "start": task.start_date.isoformat(),
        "end": task.end_date.isoformat(),
        "venue": venue,
    }
    return subject, body


@transaction.atomic
def notice_send(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    kind: str,
    subject: str = "",
    body: str = "",
) -> MeetingNotice:
    """Send an invitation or a notice to every guest with a phone (SMS, after commit).

    An invitation without a text gets one from the task; a notice needs its text. Once the plan is
    approved, the message carries the guests' itinerary link (the current schedule).
    """
    task = lock_arrangeable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    if kind not in NoticeKind.values:
        raise InvalidInput(gettext_lazy("类别无效。"), field="kind", code="invalid_choice")
    subject = clean_text(subject, field="subject", max_length=200, required=False)
    body = clean_text(body, field="body", max_length=TEXT_MAX, required=kind == NoticeKind.NOTICE)
    if kind == NoticeKind.INVITATION and not (subject and body):
        meeting = Meeting.objects.filter(task=task).first()
        default_subject, default_body = _default_invitation(jurisdiction=jurisdiction, task=task, meeting=meeting)
        subject, body = subject or default_subject, body or default_body
    subject = subject or _("会议通知：%(title)s") % {"title": task.title}
    text = body
    if task.status in ITINERARY_STATUSES:
        token = itinerary_token(schema=jurisdiction.schema_name, task_id=task.pk, generation=task.itinerary_generation)
        text = f"{body} {_('行程：')} {itinerary_url(jurisdiction, token)}"
    phones = list(task.guests.exclude(phone="").values_list("phone", flat=True))
    sent = notify(
        recipients=[Recipient(phone=phone) for phone in phones],
        event=NOTICE_EVENTS[kind],
        subject=subject,
        body=text,
        jurisdiction_code=jurisdiction.code,
        task_id=task.pk,
        channels=("sms",),
    )
    notice = MeetingNotice.objects.create(
        task=task, kind=kind, subject=subject, body=body, recipients=len(sent), sent_by=actor
    )
    audit_record(
        actor=actor,
        action=NOTICE_SENT[kind],
        jurisdiction_code=jurisdiction.code,
        obj=task,
        after={"notice": notice.pk, "subject": subject, "recipients": len(sent)},
    )
    return notice


def notice_fields(notice: MeetingNotice) -> dict[str, Any]:
    return {"kind": notice.kind, "subject": notice.subject, "recipients": notice.recipients}
