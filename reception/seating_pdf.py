"""The seating chart as a PDF (reportlab, built-in CID font STSong-Light: Chinese without font files).

Drawn as the audience (or someone at the door) sees it: a podium's front row lowest, seat 0 on the
left; banquet tables with the main table at the top, the chief host at the top of each table
facing the reader, his right hand on the reader's left.
"""

from __future__ import annotations

import io
import math
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from reception.models import Layout, Side
from reception.selectors.meetings import seating_chart

FONT = "STSong-Light"
MARGIN = 36
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _fit(pdf: canvas.Canvas, text: str, x: float, y: float, width: float, size: float) -> None:
    """Centred text, shrunk to fit `width`."""
    while size > 4 and pdfmetrics.stringWidth(text, FONT, size) > width:
        size -= 0.5
    pdf.setFont(FONT, size)
    pdf.drawCentredString(x, y, text)


def _header(pdf: canvas.Canvas, *, title: str, chart: Any, width: float, height: float) -> float:
    pdf.setFont(_font(), 16)
    layout = _("主席台座次图") if chart.layout == Layout.PODIUM else _("宴会桌次座次图")
    pdf.drawString(MARGIN, height - MARGIN - 4, f"{title} · {layout}")
    side = _("以左为上（国内惯例）") if chart.side == Side.LEFT else _("以右为上")
    pdf.setFont(FONT, 9)
    printed = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    pdf.drawString(MARGIN, height - MARGIN - 20, _("%(side)s · 打印时间 %(at)s") % {"side": side, "at": printed})
    return height - MARGIN - 36


def _podium(pdf: canvas.Canvas, chart: Any, top: float, width: float) -> None:
    groups = chart.groups
    widest = max((len(seats) for _row, seats in groups), default=1)
    usable = width - 2 * MARGIN
    box = min(usable / widest, 90)
    row_height = min((top - MARGIN - 40) / max(len(groups), 1), 48)
    pdf.setFont(FONT, 10)
    pdf.drawCentredString(width / 2, top - 4, _("（后排）"))
    for position, (row, seats) in enumerate(reversed(groups)):
        y = top - 20 - (position + 1) * row_height
        left = (width - box * len(seats)) / 2
        for seat in seats:
            x = left + seat["index"] * box
            pdf.rect(x + 2, y, box - 4, row_height - 6)
            _fit(pdf, seat["name"], x + box / 2, y + row_height / 2 - 2, box - 8, 11)
            pdf.setFont(FONT, 6)
            pdf.drawString(x + 4, y + 3, f"{row}-{seat['rank']}")
    pdf.setFont(FONT, 10)
    pdf.drawCentredString(width / 2, MARGIN, _("台下（观众方向）"))


def _banquet(pdf: canvas.Canvas, chart: Any, top: float, width: float) -> None:
    tables = chart.tables
    xs = [t.x for t in tables] or [0]
    ys = [t.y for t in tables] or [0]
    columns, rows = max(xs) - min(xs) + 1, max(ys) + 1
    cell = min((width - 2 * MARGIN) / columns, (top - MARGIN - 20) / rows)
    radius = cell * 0.28
    place = {t.number: t for t in tables}
    size = chart.group_size
    for table_number, seats in chart.groups:
        table = place.get(table_number)
        if table is None:
            continue
        cx = MARGIN + (table.x - min(xs) + 0.5) * cell
        cy = top - (table.y + 0.5) * cell
        pdf.circle(cx, cy, radius)
        _fit(pdf, _("第 %(n)s 桌") % {"n": table_number} if table_number > 1 else _("主桌"), cx, cy - 3, radius, 10)
        for seat in seats:
            angle = math.radians(90 + seat["index"] * 360 / size)
            sx, sy = cx + math.cos(angle) * radius * 1.45, cy + math.sin(angle) * radius * 1.45
            label = seat["name"] or ""
            if "role" in seat:
                label = (_("主陪") if seat["role"] == "chief_host" else _("副主陪")) + (f" {label}" if label else "")
            else:
                label = f"{seat['rank']}. {label}"
            _fit(pdf, label, sx, sy - 3, cell * 0.34, 8)
    pdf.setFont(FONT, 10)
    pdf.drawCentredString(width / 2, MARGIN - 12, _("门（主陪面门而坐）"))


def seating_pdf(*, title: str, chart: Any) -> bytes:
    """The chart (a `ChartView`) on one landscape A4 page."""
    out = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(out, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(title)
    top = _header(pdf, title=title, chart=chart, width=width, height=height)
    if chart.layout == Layout.PODIUM:
        _podium(pdf, chart, top, width)
    else:
        _banquet(pdf, chart, top, width)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def seating_pdf_response(task: Any, layout: str) -> HttpResponse:
    """The task's chart of `layout` (saved, else a preview from its guests) as an inline PDF."""
    chart = seating_chart(task, layout)
    response = HttpResponse(seating_pdf(title=task.title, chart=chart), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="seating-{task.pk}-{layout}.pdf"'
    return response
