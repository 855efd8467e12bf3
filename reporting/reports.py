"""Direct reports up the tree (统计直报): submit a month's figures, review them, deadlines, reminders.

A report is built by the jurisdiction's own service from its own records (`reception.figures`)
and lands in the public schema as a new version; exactly one version per jurisdiction and period
is current. Submissions of one jurisdiction and period are serialised by a transaction-scoped
advisory lock (and the partial unique index on the current version backs it), so two concurrent
posts leave one current version. An accepted report is locked until the superior returns it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.http import site_url
from core.models import User
from core.notifications import notify
from reception.figures import counted_tasks, period_figures
from reception.selectors.rules import tasks_checks, with_plan
from reporting.models import Report, ReportDeadline, ReportStatus
from tenants.models import Jurisdiction, Membership, Role
from tenants.permissions import access_for
from tenants.schema import current_schema

REPORT_ROLES = frozenset({Role.ADMIN, Role.FINANCE})
REVIEW_ROLES = frozenset({Role.ADMIN})
DEADLINE_ROLES = frozenset({Role.ADMIN})
#: Reports are due on this day of the following month unless a superior sets another date.
DEFAULT_DUE_DAY = 5
REMIND_DAYS_BEFORE = 3
OVERDUE_DAYS_AFTER = 1
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_period(period: str | None, *, field: str = "period") -> tuple[date, date]:
    """The first and last day of a `YYYY-MM` period, or a 400 on `field`."""
    match = _PERIOD.match(period or "")
    if match is None or not 1900 <= int(match.group(1)) <= 9998:
        raise InvalidInput(gettext_lazy("统计期须为 YYYY-MM 格式，例如 2026-05。"), field=field, code="invalid_period")
    start = date(int(match.group(1)), int(match.group(2)), 1)
    return start, next_month(start) - timedelta(days=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def default_deadline(period: str) -> date:
    start, _end = parse_period(period)
    return next_month(start).replace(day=DEFAULT_DUE_DAY)


def deadlines_for(jurisdictions: Iterable[Jurisdiction], period: str) -> dict[str, date]:
    """Each jurisdiction's deadline for `period`: its nearest ancestor's setting, else the default
    (one query whatever the number)."""
    jurisdictions = list(jurisdictions)
    ancestors = {code for j in jurisdictions for code in j.ancestor_codes}
    settings = dict(
        ReportDeadline.objects.filter(period=period, jurisdiction__code__in=ancestors).values_list(
            "jurisdiction__code", "due_on"
        )
    )
    fallback = default_deadline(period)
    found: dict[str, date] = {}
    for j in jurisdictions:
        nearest = next((settings[c] for c in reversed(j.ancestor_codes) if c in settings), None)
        found[j.code] = nearest or fallback
    return found


def deadline_for(jurisdiction: Jurisdiction, period: str) -> date:
    return deadlines_for([jurisdiction], period)[jurisdiction.code]


def over_standard_count(*, jurisdiction: Jurisdiction, start: date, end: date) -> int:
    """Rule errors (over the standards) in the receptions held in the period (tenant schema)."""
    tasks = list(with_plan(counted_tasks(start, end)))
    return sum(len(checks.errors) for checks in tasks_checks(tasks, jurisdiction=jurisdiction).values())


def _require(actor: User | None, jurisdiction: Jurisdiction, roles: Iterable[str]) -> User:
    if actor is None or not access_for(actor, jurisdiction).can_write(roles):
        raise Forbidden(gettext_lazy("您在该辖区没有执行此操作的权限。"))
    return actor


def _lock(jurisdiction: Jurisdiction, period: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"reporting.report:{jurisdiction.code}:{period}"])


def locked_reason(report: Report) -> str:
    reviewer = report.reviewed_by.label if report.reviewed_by else ""
    day = timezone.localtime(report.reviewed_at).date().isoformat() if report.reviewed_at else ""
    return _(
        "%(period)s 的报表已于 %(day)s 由上级（%(reviewer)s）接收并锁定，不能重新上报；如需更正，请联系上级退回。"
    ) % {"period": report.period, "day": day, "reviewer": reviewer}


def _report_state(report: Report) -> dict[str, object]:
    return {"period": report.period, "version": report.version, "status": report.status, "on_time": report.on_time}


def _by_pk(people: Iterable[User]) -> list[User]:
    return sorted(people, key=lambda person: person.pk)


def _members(jurisdiction_id: int, roles: Iterable[str]) -> list[User]:
    rows = Membership.objects.filter(jurisdiction_id=jurisdiction_id, role__in=list(roles), user__is_active=True)
    return sorted({m.user for m in rows.select_related("user")}, key=lambda u: u.pk)


@transaction.atomic
def report_submit(*, actor: User, jurisdiction: Jurisdiction, period: str) -> Report:
    """Build the period's figures from this jurisdiction's records and submit them upward (admin or
    finance; in the jurisdiction's schema). A resubmission becomes the new current version."""
    if current_schema() != jurisdiction.schema_name:
        raise RuntimeError(f"report_submit for {jurisdiction.code} called in schema {current_schema()}")
    _require(actor, jurisdiction, REPORT_ROLES)
    start, end = parse_period(period)
    today = timezone.localdate()
    if start > today:
        raise InvalidInput(gettext_lazy("不能上报未来月份的报表。"), field="period", code="future_period")
    if jurisdiction.parent_id is None:
        raise InvalidInput(gettext_lazy("本辖区没有上级，无需上报。"), field="period", code="no_superior")
    _lock(jurisdiction, period)
    current = (
        Report.objects.select_for_update(of=("self",))
        .select_related("reviewed_by")
        .filter(jurisdiction=jurisdiction, period=period, is_current=True)
        .first()
    )
    if current is not None and current.status == ReportStatus.ACCEPTED:
        raise Conflict(locked_reason(current), code="report_locked")
    figures = period_figures(start, end).as_json()
    figures["over_standard"] = over_standard_count(jurisdiction=jurisdiction, start=start, end=end)
    last = Report.objects.filter(jurisdiction=jurisdiction, period=period).aggregate(v=Max("version"))["v"] or 0
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    report = Report.objects.create(
        jurisdiction=jurisdiction,
        period=period,
        version=last + 1,
        is_current=True,
        status=ReportStatus.SUBMITTED,
        figures=figures,
        on_time=today <= deadline_for(jurisdiction, period),
        submitted_by=actor,
    )
    audit_record(
        actor=actor,
        action="reporting.report.submitted",
        jurisdiction_code=jurisdiction.code,
        obj=report,
        before=_report_state(current) if current is not None else None,
        after={**_report_state(report), "figures": figures},
    )
    assert jurisdiction.parent_id is not None
    notify(
        recipients=_members(jurisdiction.parent_id, REVIEW_ROLES),
        event="reporting.report.submitted",
        subject=_("%(name)s 上报了 %(period)s 的统计报表") % {"name": jurisdiction.name, "period": period},
        body=_("%(name)s 上报了 %(period)s 的统计报表（第 %(version)s 版），请审核。")
        % {"name": jurisdiction.name, "period": period, "version": report.version},
        jurisdiction_code=jurisdiction.parent_code or "",
    )
    return report


@transaction.atomic
def report_review(*, actor: User, reviewer: Jurisdiction, report_id: int, accept: bool, comment: str = "") -> Report:
    """The direct superior's admin accepts a submitted report (it is then locked) or returns it
    with a comment (a submitted or accepted one: the subordinate may then resubmit)."""
    _require(actor, reviewer, REVIEW_ROLES)
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("jurisdiction")
        .filter(pk=report_id, jurisdiction__parent=reviewer)
        .first()
    )
    if report is None:
        raise NotFound(gettext_lazy("报表不存在。"))
    comment = (comment or "").strip()
    if len(comment) > 2000 or "\x00" in comment:
        raise InvalidInput(gettext_lazy("意见过长或含有非法字符。"), field="comment", code="invalid")
    if not report.is_current:
        raise Conflict(gettext_lazy("这不是该期的当前版本，已被新版本取代。"), code="not_current")
    if accept and report.status != ReportStatus.SUBMITTED:
        raise Conflict(
            _("报表当前状态为“%(status)s”，不能接收。") % {"status": ReportStatus(report.status).label},
            code="invalid_transition",
        )
    if not accept:
        if not comment:
            raise InvalidInput(gettext_lazy("退回时必须填写意见。"), field="comment", code="required")
        if report.status == ReportStatus.RETURNED:
            raise Conflict(gettext_lazy("报表已退回。"), code="invalid_transition")
    before = _report_state(report)
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    report.reviewed_by = actor
    report.reviewed_at = timezone.now()
    report.review_comment = comment
    report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    audit_record(
        actor=actor,
        action="reporting.report.accepted" if accept else "reporting.report.returned",
        jurisdiction_code=report.jurisdiction.code,
        obj=report,
        before=before,
        after=_report_state(report),
        comment=comment,
    )
    label = ReportStatus(report.status).label
    notify(
        recipients=_members(report.jurisdiction_id, REPORT_ROLES),
        event=f"reporting.report.{report.status}",
        subject=_("%(period)s 的统计报表%(status)s") % {"period": report.period, "status": label},
        body=_("上级%(status)s了 %(period)s 的统计报表。%(comment)s")
        % {"status": label, "period": report.period, "comment": comment},
        jurisdiction_code=report.jurisdiction.code,
    )
    return report


@transaction.atomic
def report_deadline_set(*, actor: User, jurisdiction: Jurisdiction, period: str, due_on: date) -> ReportDeadline:
    """A superior's deadline for its subtree's reports of a period (admin)."""
    _require(actor, jurisdiction, DEADLINE_ROLES)
    start, _end = parse_period(period)
    if due_on < start:
        raise InvalidInput(gettext_lazy("截止日期不能早于统计期开始。"), field="due_on", code="invalid")
    if due_on > next_month(next_month(next_month(start))):
        raise InvalidInput(gettext_lazy("截止日期不能晚于统计期结束后三个月。"), field="due_on", code="invalid")
    existing = ReportDeadline.objects.select_for_update().filter(jurisdiction=jurisdiction, period=period).first()
    before = {"period": period, "due_on": existing.due_on} if existing else None
    deadline, _created = ReportDeadline.objects.update_or_create(
        jurisdiction=jurisdiction, period=period, defaults={"due_on": due_on, "set_by": actor}
    )
    audit_record(
        actor=actor,
        action="reporting.deadline.set",
        jurisdiction_code=jurisdiction.code,
        obj=deadline,
        before=before,
        after={"period": period, "due_on": due_on},
    )
    return deadline


def reports_remind(*, today: date | None = None) -> int:
    """Remind each jurisdiction that has not reported a period (its admins and finance staff):
    three days before the deadline, and on the day after it was missed. Once per jurisdiction,
    period and kind. Returns the reminders sent (jurisdictions told)."""
    today = today or timezone.localdate()
    told = 0
    jurisdictions = list(Jurisdiction.objects.filter(status=Jurisdiction.Status.ACTIVE, parent__isnull=False))
    for period in (period_of(previous_month(today)), period_of(today)):
        deadlines = deadlines_for(jurisdictions, period)
        for kind, offset in (("reminder", -REMIND_DAYS_BEFORE), ("overdue", OVERDUE_DAYS_AFTER)):
            due = {j.pk: j for j in jurisdictions if deadlines[j.code] + timedelta(days=offset) == today}
            if due:
                told += _remind(kind=kind, period=period, due=due, deadlines=deadlines)
    return told


def _remind(*, kind: str, period: str, due: dict[int, Jurisdiction], deadlines: dict[str, date]) -> int:
    reported = set(
        Report.objects.filter(period=period, is_current=True, jurisdiction_id__in=list(due)).values_list(
            "jurisdiction_id", flat=True
        )
    )
    members = Membership.objects.filter(
        jurisdiction_id__in=[pk for pk in due if pk not in reported], role__in=REPORT_ROLES, user__is_active=True
    ).select_related("user")
    audience: dict[int, set[User]] = {}
    for m in members:
        audience.setdefault(m.jurisdiction_id, set()).add(m.user)
    for pk, people in audience.items():
        j = due[pk]
        values = {"name": j.name, "period": period, "day": deadlines[j.code].isoformat()}
        if kind == "overdue":
            subject = _("%(period)s 的统计报表已逾期，请尽快上报") % values
            body = _("%(name)s 未在截止日期 %(day)s 前上报 %(period)s 的统计报表，请尽快上报。") % values
        else:
            subject = _("请于 %(day)s 前上报 %(period)s 的统计报表") % values
            body = _("%(name)s 尚未上报 %(period)s 的统计报表，截止日期为 %(day)s。") % values
        with transaction.atomic():
            notify(
                recipients=_by_pk(people),
                event=f"reporting.report.{kind}",
                subject=subject,
                body=body + " " + site_url(j.host, reverse("reporting-reports", urlconf="config.urls_tenant")),
                jurisdiction_code=j.code,
                key=f"reporting.{kind}:{j.code}:{period}",
            )
    return len(audience)
