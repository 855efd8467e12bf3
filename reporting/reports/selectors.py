"""Reads of reports up the tree: periods (`YYYY-MM`), deadlines, a report's lock."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import InvalidInput
from reception.figures import counted_tasks
from reception.selectors.rules import tasks_checks, with_plan
from reporting.models import Report, ReportDeadline
from tenants.models import Jurisdiction

#: Reports are due on this day of the following month unless a superior sets another date.
DEFAULT_DUE_DAY = 5
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


def locked_reason(report: Report) -> str:
    reviewer = report.reviewed_by.label if report.reviewed_by else ""
    day = timezone.localtime(report.reviewed_at).date().isoformat() if report.reviewed_at else ""
    return _(
        "%(period)s 的报表已于 %(day)s 由上级（%(reviewer)s）接收并锁定，不能重新上报；如需更正，请联系上级退回。"
    ) % {"period": report.period, "day": day, "reviewer": reviewer}
