"""The yearly (or monthly) statistics report as a PDF, ready to print: a cover, the totals, tables
by month, level, purpose (and jurisdiction for a superior), a bar chart of the cost by month and a
pie of the cost by kind (reportlab's own graphics; CID font STSong-Light, no font files)."""

from __future__ import annotations

import calendar
import io
from datetime import date
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reporting.statistics.exports import kind_label
from reporting.statistics.selectors import KINDS, GroupBy, Row, Statistics, load_held, statistics
from tenants.models import Jurisdiction

FONT = "STSong-Light"
PALETTE = [colors.HexColor(c) for c in ("#2f6db5", "#e0803a", "#4a9d5b", "#b8494b", "#7a5ea8", "#888888")]
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    return {
        "cover": ParagraphStyle("cover", fontName=font, fontSize=26, leading=36, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=14, leading=22, alignment=TA_CENTER),
        "h1": ParagraphStyle("h1", fontName=font, fontSize=16, leading=24, spaceBefore=6, spaceAfter=6),
        "body": ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16),
    }


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def period_range(year: int, month: int | None) -> tuple[date, date]:
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _table(stats: Statistics, title: str) -> Table:
    header = [
        title,
        _("批次"),
        _("人次"),
        _("陪同"),
        _("费用合计（元）"),
        _("来宾自理（元）"),
        _("人均（元）"),
        _("超标准"),
    ]
    body = [
        [
            row.label,
            row.receptions,
            row.guests,
            row.accompanying,
            _money(row.cost_total),
            _money(row.guest_paid_total),
            _money(row.average_per_guest),
            row.over_standard,
        ]
        for row in stats.rows
    ]
    totals = stats.totals
    body.append(
        [
            _("合计"),
            totals.receptions,
            totals.guests,
            totals.accompanying,
            _money(totals.cost_total),
            _money(totals.guest_paid_total),
            _money(totals.average_per_guest),
            totals.over_standard,
        ]
    )
    table = Table([header, *body], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f3f3f3")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def month_bar_chart(rows: list[Row], *, year: int) -> Drawing:
    """Cost by month, twelve bars (yuan)."""
    by_month = {row.key: row.cost_total for row in rows}
    keys = [f"{year}-{m:02d}" for m in range(1, 13)]
    values = [float(by_month.get(key, 0)) for key in keys]
    drawing = Drawing(170 * mm, 80 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 18 * mm, 12 * mm, 145 * mm, 58 * mm
    chart.data = [values]
    chart.categoryAxis.categoryNames = [_("%(m)s月") % {"m": m} for m in range(1, 13)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = PALETTE[0]
    drawing.add(chart)
    drawing.add(String(18 * mm, 74 * mm, _("各月接待费用（元）"), fontName=FONT, fontSize=11))
    return drawing


def kind_pie(totals: Row) -> Drawing:
    """Cost by kind (meal, lodging, vehicle, meeting, visit)."""
    drawing = Drawing(170 * mm, 75 * mm)
    drawing.add(String(18 * mm, 69 * mm, _("费用构成"), fontName=FONT, fontSize=11))
    parts = [(kind_label(kind), totals.cost_by_kind.get(kind, Decimal(0))) for kind in KINDS]
    parts = [(label, amount) for label, amount in parts if amount > 0]
    if not parts:
        drawing.add(String(18 * mm, 40 * mm, _("本期无接待费用。"), fontName=FONT, fontSize=10))
        return drawing
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 25 * mm, 8 * mm, 55 * mm, 55 * mm
    pie.data = [float(amount) for _label, amount in parts]
    pie.labels = None
    for n in range(len(parts)):
        pie.slices[n].fillColor = PALETTE[n % len(PALETTE)]
        pie.slices[n].strokeColor = colors.white
    drawing.add(pie)
    total = sum((amount for _label, amount in parts), Decimal(0))
    for n, (label, amount) in enumerate(parts):
        y = 55 * mm - n * 8 * mm
        drawing.add(Rect(95 * mm, y, 4 * mm, 4 * mm, fillColor=PALETTE[n % len(PALETTE)], strokeColor=None))
        share = amount * 100 / total
        drawing.add(
            String(101 * mm, y + 0.5 * mm, f"{label} {_money(amount)} （{share:.1f}%）", fontName=FONT, fontSize=9)
        )
    return drawing


def report_pdf(*, jurisdiction: Jurisdiction, year: int, month: int | None = None) -> bytes:
    """The report of a year (or of one month of it)."""
    start, end = period_range(year, month)
    held = load_held(start, end)  # own data loaded once, grouped four ways
    by_month, by_level, by_purpose, by_jurisdiction = (
        statistics(jurisdiction=jurisdiction, start=start, end=end, group_by=group, held=held)
        for group in (GroupBy.MONTH, GroupBy.LEVEL, GroupBy.PURPOSE, GroupBy.JURISDICTION)
    )
    styles = _styles()
    period = (
        _("%(year)s年度") % {"year": year}
        if month is None
        else _("%(year)s年%(month)s月") % {"year": year, "month": month}
    )
    totals = by_month.totals
    subtree = by_month.scope == "subtree"
    story: list[Any] = [
        Spacer(1, 60 * mm),
        Paragraph(escape(jurisdiction.name), styles["cover"]),
        Spacer(1, 8 * mm),
        Paragraph(_("%(period)s公务接待统计报告") % {"period": period}, styles["cover"]),
        Spacer(1, 20 * mm),
        Paragraph(_("统计区间：%(start)s 至 %(end)s") % {"start": start, "end": end}, styles["subtitle"]),
        Paragraph(
            _("含下级辖区上报数据") if subtree else _("本级数据"),
            styles["subtitle"],
        ),
        Paragraph(_("生成时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, styles["subtitle"]),
        PageBreak(),
        Paragraph(_("一、总体情况"), styles["h1"]),
        Paragraph(
            _(
                "%(period)s共接待 %(receptions)s 批次、%(guests)s 人次，陪同 %(accompanying)s 人次，"
                "接待费用合计 %(total)s 元，人均 %(average)s 元（另有来宾自理 %(guest_paid)s 元，不计入接待费用）；"
                "超标准事项 %(over)s 项。"
            )
            % {
                "period": period,
                "receptions": totals.receptions,
                "guests": totals.guests,
                "accompanying": totals.accompanying,
                "total": _money(totals.cost_total),
                "average": _money(totals.average_per_guest),
                "guest_paid": _money(totals.guest_paid_total),
                "over": totals.over_standard,
            },
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        month_bar_chart(by_month.rows, year=year),
        kind_pie(totals),
        Paragraph(_("二、分月统计"), styles["h1"]),
        _table(by_month, _("月份")),
        Paragraph(_("三、按接待级别（本级）"), styles["h1"]),
        _table(by_level, _("接待级别")),
        Paragraph(_("四、按来访事由（本级）"), styles["h1"]),
        _table(by_purpose, _("来访事由")),
    ]
    if by_jurisdiction.scope == "subtree":
        story += [Paragraph(_("五、按辖区（下级据上报数据）"), styles["h1"]), _table(by_jurisdiction, _("辖区"))]

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{jurisdiction.name} · {period} · {doc.page}")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("%(name)s%(period)s公务接待统计报告") % {"name": jurisdiction.name, "period": period},
        author=jurisdiction.name,
    )
    doc.build(story, onLaterPages=footer)
    return out.getvalue()
