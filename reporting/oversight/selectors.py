"""Reads for superiors (监督): the subtree's completeness and totals for a period, the trend, a
child's reports, and a jurisdiction's own reports. Public-schema rows only, never the children's
schemas; each read is a constant number of queries whatever the size of the subtree."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, IntegerField, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from core.errors import NotFound
from reporting.models import Report
from reporting.reports.selectors import parse_period, period_of, previous_month
from tenants.models import Jurisdiction

ZERO = Decimal("0.00")
MISSING = "missing"


def _below(host: Jurisdiction) -> Q:
    return Q(path__startswith=host.path + ".")


def oversight_summary(*, host: Jurisdiction, period: str) -> dict[str, Any]:
    """Expected, reported and on-time counts over every jurisdiction below the host (any depth, not
    the host), the totals of their current reports, and one row each (two queries)."""
    parse_period(period)
    # Plain rows, not model instances: this read serves the whole subtree on every dashboard view.
    children = list(
        Jurisdiction.objects.filter(_below(host)).order_by("path").values_list("pk", "code", "name", "level", "path")
    )
    reports = {
        row[0]: row
        for row in Report.objects.filter(
            period=period, is_current=True, jurisdiction__path__startswith=host.path + "."
        ).values_list("jurisdiction_id", "id", "status", "figures", "on_time", "version", "submitted_at")
    }
    receptions = guests = accompanying = 0
    cost_total = guest_paid_total = ZERO
    rows = []
    host_depth = host.path.count(".")
    for pk, code, name, level, path in children:
        report = reports.get(pk)
        codes = path.split(".")
        row: dict[str, Any] = {
            "code": code,
            "name": name,
            "level": level,
            "parent_code": codes[-2] if len(codes) > 1 else None,
            "depth": len(codes) - 1 - host_depth,
            "status": MISSING,
            "on_time": None,
            "version": None,
            "report_id": None,
            "submitted_at": None,
            "figures": None,
        }
        if report is not None:
            _j, report_id, status, figures, on_time, version, submitted_at = report
            receptions += int(figures.get("receptions", 0))
            guests += int(figures.get("guests", 0))
            accompanying += int(figures.get("accompanying", 0))
            cost_total += Decimal(str(figures.get("cost_total", "0")))
            guest_paid_total += Decimal(str(figures.get("guest_paid_total", "0")))
            row.update(
                status=status,
                on_time=on_time,
                version=version,
                report_id=report_id,
                submitted_at=submitted_at,
                figures=figures,
            )
        rows.append(row)
    return {
        "period": period,
        "expected": len(children),
        "reported": len(reports),
        "on_time": sum(1 for r in reports.values() if r[4]),
        "totals": {
            "receptions": receptions,
            "guests": guests,
            "accompanying": accompanying,
            "cost_total": str(cost_total.quantize(ZERO)),
            "guest_paid_total": str(guest_paid_total.quantize(ZERO)),
        },
        "children": rows,
    }


def trend_periods(period: str, months: int) -> list[str]:
    start, _end = parse_period(period)
    periods = [period]
    for _i in range(months - 1):
        start = previous_month(start)
        periods.append(period_of(start))
    return list(reversed(periods))


def oversight_trend(*, host: Jurisdiction, period: str, months: int = 12) -> list[dict[str, Any]]:
    """Month by month up to `period`: reported and on-time counts and the totals (one query)."""
    periods = trend_periods(period, months)
    rows = (
        Report.objects.filter(period__in=periods, is_current=True, jurisdiction__path__startswith=host.path + ".")
        .values("period")
        .annotate(
            reported=Count("id"),
            on_time=Count("id", filter=Q(on_time=True)),
            receptions=Sum(Cast(KT("figures__receptions"), IntegerField())),
            guests=Sum(Cast(KT("figures__guests"), IntegerField())),
            cost_total=Sum(Cast(KT("figures__cost_total"), DecimalField(max_digits=20, decimal_places=2))),
        )
    )
    found: dict[str, dict[str, Any]] = {row["period"]: dict(row) for row in rows}
    trend = []
    previous_cost: Decimal | None = None
    for p in periods:
        row: dict[str, Any] = found.get(p, {})
        cost = (row.get("cost_total") or ZERO).quantize(ZERO)
        change = None
        if previous_cost is not None and previous_cost > 0:
            change = ((cost - previous_cost) / previous_cost * 100).quantize(Decimal("0.1"))
        trend.append(
            {
                "period": p,
                "reported": row.get("reported", 0),
                "on_time": row.get("on_time", 0),
                "receptions": row.get("receptions") or 0,
                "guests": row.get("guests") or 0,
                "cost_total": cost,
                "cost_change_percent": change,
            }
        )
        previous_cost = cost
    return trend


def subordinate(*, host: Jurisdiction, code: str) -> Jurisdiction:
    """A jurisdiction below the host (any depth), else 404."""
    found = Jurisdiction.objects.filter(_below(host), code=code).first()
    if found is None:
        raise NotFound(_("辖区不存在或不在本辖区的下级范围内。"))
    return found


def jurisdiction_reports(*, jurisdiction: Jurisdiction) -> QuerySet[Report]:
    """Every version of a jurisdiction's reports, newest period first, newest version first."""
    return (
        Report.objects.filter(jurisdiction=jurisdiction)
        .select_related("submitted_by", "reviewed_by", "jurisdiction")
        .order_by("-period", "-version")
    )


def subtree_report(*, host: Jurisdiction, report_id: int) -> Report:
    found = (
        Report.objects.filter(pk=report_id, jurisdiction__path__startswith=host.path + ".")
        .select_related("submitted_by", "reviewed_by", "jurisdiction")
        .first()
    )
    if found is None:
        raise NotFound(_("报表不存在。"))
    return found
