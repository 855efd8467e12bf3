"""Celery tasks of reports up the tree (beat: the monthly reminders)."""

from __future__ import annotations

from datetime import date

from celery import shared_task


@shared_task(name="reporting.report_reminders")
def report_reminders(today: str | None = None) -> int:
    """Remind jurisdictions that have not reported, 3 days before their deadline (daily, beat)."""
    from reporting.reports.services import reports_remind

    return reports_remind(today=date.fromisoformat(today) if today else None)
