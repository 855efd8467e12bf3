"""The reception list (接待清单) and the reimbursement bundle as PDFs.

reportlab with the built-in CID font STSong-Light (Chinese without font files). The official
layout: title, letter number, tables of guests, accompanying staff and activities, the total in
figures and in Chinese capitals, signature lines.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from provider_portal.orders.models import Order, PaymentMethod
from reception.models import ListStatus, Payer, Purpose
from reception.money import amount_in_words
from reception.seating_pdf import FONT, _font
from reception.selectors.settlement import ListView

WIDTH = A4[0] - 36 * mm


def _styles() -> dict[str, ParagraphStyle]:
    _font()
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, alignment=TA_CENTER),
        "sub": ParagraphStyle("sub", fontName=FONT, fontSize=10, leading=14, alignment=TA_CENTER),
        "mark": ParagraphStyle(
            "mark", fontName=FONT, fontSize=12, leading=16, alignment=TA_CENTER, textColor=colors.HexColor("#c92a2a")
        ),
        "h": ParagraphStyle("h", fontName=FONT, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
        "p": ParagraphStyle("p", fontName=FONT, fontSize=10, leading=14),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK"),
    }


def _table(header: list[str], rows: list[list[Any]], widths: list[float], *, total_row: bool = False) -> Table:
    table = Table([header, *rows], colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
    ]
    if total_row:
        style.append(("FONT", (0, -1), (-1, -1), FONT, 10))
    table.setStyle(TableStyle(style))
    return table


def _people(view: ListView, styles: dict[str, ParagraphStyle], people: list[Any]) -> Table:
    rows = [[str(i), p.name, Paragraph(escape(p.unit), styles["cell"]), p.post] for i, p in enumerate(people, start=1)]
    if not rows:
        rows = [["", _("（无）"), "", ""]]
    return _table(
        [_("序号"), _("姓名"), _("单位"), _("职务")], rows, [WIDTH * 0.08, WIDTH * 0.17, WIDTH * 0.5, WIDTH * 0.25]
    )


def _list_story(view: ListView, styles: dict[str, ParagraphStyle], jurisdiction_name: str) -> list[Any]:
    rl = view.reception_list
    task = view.task
    story: list[Any] = [
        Paragraph(_("公务接待清单"), styles["title"]),
        Paragraph(
            _("来函单位：%(unit)s　　公函编号：%(number)s")
            % {"unit": escape(rl.sending_unit), "number": escape(rl.letter_number)},
            styles["sub"],
        ),
        Paragraph(
            _("接待任务：%(title)s　　接待日期：%(start)s 至 %(end)s　　对口接待单位：%(counterpart)s")
            % {
                "title": escape(task.title),
                "start": task.start_date.isoformat(),
                "end": task.end_date.isoformat(),
                "counterpart": escape(task.counterpart_unit),
            },
            styles["sub"],
        ),
    ]
    if jurisdiction_name:
        story.insert(1, Paragraph(escape(jurisdiction_name), styles["sub"]))
    if rl.status != ListStatus.APPROVED:
        # A draft or returned list must never pass for the signed-off one.
        story.insert(
            1,
            Paragraph(
                _("【%(status)s · 未经审核，不作报销凭证】") % {"status": ListStatus(rl.status).label}, styles["mark"]
            ),
        )
        if rl.status == ListStatus.RETURNED and rl.return_comment:
            story.insert(
                2, Paragraph(_("退回意见：%(comment)s") % {"comment": escape(rl.return_comment)}, styles["mark"])
            )
    story += [
        Paragraph(_("一、接待对象（%(n)s人）") % {"n": len(view.guests)}, styles["h"]),
        _people(view, styles, view.guests),
        Paragraph(_("二、陪同人员（%(n)s人）") % {"n": len(view.accompanying)}, styles["h"]),
        _people(view, styles, view.accompanying),
        Paragraph(_("三、接待活动及费用"), styles["h"]),
    ]
    rows: list[list[Any]] = [
        [
            str(i),
            Paragraph(
                escape(line.activity) + (escape(str(_("（来宾自理）"))) if line.payer == Payer.GUEST else ""),
                styles["cell"],
            ),
            timezone.localtime(line.starts_at).strftime("%m-%d %H:%M"),
            Paragraph(escape(line.venue), styles["cell"]),
            Paragraph(escape(line.provider_name), styles["cell"]),
            f"{line.cost:,.2f}",
        ]
        for i, line in enumerate(view.lines, start=1)
    ]
    rows.append(["", _("来宾自理"), "", "", "", f"{rl.guest_paid_total:,.2f}"])
    rows.append(["", _("合计（接待单位支出）"), "", "", "", f"{rl.total:,.2f}"])
    items = _table(
        [_("序号"), _("项目"), _("时间"), _("地点"), _("服务单位"), _("金额（元）")],
        rows,
        [WIDTH * 0.07, WIDTH * 0.2, WIDTH * 0.14, WIDTH * 0.25, WIDTH * 0.19, WIDTH * 0.15],
        total_row=True,
    )
    items.setStyle(TableStyle([("ALIGN", (-1, 1), (-1, -1), "RIGHT")]))
    story += [
        items,
        Spacer(1, 6),
        Paragraph(
            _("接待单位支出合计：人民币 %(figures)s 元（大写：%(words)s）；来宾自理 %(guests)s 元，不计入接待费")
            % {
                "figures": f"{rl.total:,.2f}",
                "words": amount_in_words(rl.total),
                "guests": f"{rl.guest_paid_total:,.2f}",
            },
            styles["p"],
        ),
        Paragraph(
            _("状态：%(status)s　　编制时间：%(at)s")
            % {
                "status": ListStatus(rl.status).label,
                "at": timezone.localtime(rl.drafted_at).strftime("%Y-%m-%d %H:%M"),
            },
            styles["p"],
        ),
        Spacer(1, 18),
    ]
    approved = timezone.localtime(rl.approved_at).strftime("%Y-%m-%d") if rl.approved_at else "____年__月__日"
    signatures = Table(
        [
            [_("经办人（签字）："), "", _("审核人（签字）："), ""],
            [_("单位负责人（签字）："), "", _("日期："), approved],
        ],
        colWidths=[WIDTH * 0.22, WIDTH * 0.28, WIDTH * 0.2, WIDTH * 0.3],
        rowHeights=[28, 28],
    )
    signatures.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("LINEBELOW", (1, 0), (1, -1), 0.5, colors.black),
                ("LINEBELOW", (3, 0), (3, 0), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    story.append(signatures)
    return story


def _build(story: list[Any], title: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
    )
    document.build(story)
    return buffer.getvalue()


def reception_list_pdf(view: ListView, *, jurisdiction_name: str = "") -> bytes:
    return _build(_list_story(view, _styles(), jurisdiction_name), _("公务接待清单"))


def reimbursement_bundle_pdf(view: ListView, invoices: list[Order], *, jurisdiction_name: str = "") -> bytes:
    """The letter's details, the list, and the invoices' summary (报销凭证汇总)."""
    styles = _styles()
    letter = view.task.letter
    story: list[Any] = [
        Paragraph(_("公务接待报销单据"), styles["title"]),
        Paragraph(_("一、来函"), styles["h"]),
        _table(
            [_("项目"), _("内容")],
            [
                [_("公函编号"), Paragraph(escape(letter.number), styles["cell"])],
                [_("来函单位"), Paragraph(escape(letter.sending_unit), styles["cell"])],
                [_("事由"), str(Purpose(letter.purpose).label)],
                [_("收函日期"), letter.received_on.isoformat()],
                [_("人数"), str(letter.people_count)],
                [_("内容"), Paragraph(escape(letter.content[:1500]), styles["cell"])],
            ],
            [WIDTH * 0.2, WIDTH * 0.8],
        ),
        PageBreak(),
        *_list_story(view, styles, jurisdiction_name),
        PageBreak(),
        Paragraph(_("三、发票汇总"), styles["h"]),
    ]
    methods = dict(PaymentMethod.choices)
    rows: list[list[Any]] = []
    # The host reimburses its own spending only: invoices of items the guests paid are left out.
    guest_orders = {line.order_id for line in view.lines if line.payer == Payer.GUEST and line.order_id}
    guest_paid = [order for order in invoices if order.pk in guest_orders]
    invoices = [order for order in invoices if order.pk not in guest_orders]
    total = sum((order.cost_amount or Decimal("0.00") for order in invoices), Decimal("0.00"))
    for i, order in enumerate(invoices, start=1):
        cost = order.cost
        for line in cost.lines.all():
            rows.append(
                [
                    str(i),
                    Paragraph(escape(order.provider.name), styles["cell"]),
                    cost.invoice_number,
                    Paragraph(escape(line.description), styles["cell"]),
                    str(methods.get(line.payment_method, line.payment_method)),
                    f"{line.amount:,.2f}",
                ]
            )
    rows.append(["", _("合计"), "", "", "", f"{total:,.2f}"])
    story.append(
        _table(
            [_("序号"), _("服务单位"), _("发票号码"), _("摘要"), _("支付方式"), _("金额（元）")],
            rows,
            [WIDTH * 0.07, WIDTH * 0.22, WIDTH * 0.17, WIDTH * 0.26, WIDTH * 0.13, WIDTH * 0.15],
            total_row=True,
        )
    )
    story.append(Spacer(1, 6))
    story.append(
        Paragraph(
            _("发票合计：人民币 %(figures)s 元（大写：%(words)s）")
            % {"figures": f"{total:,.2f}", "words": amount_in_words(total)},
            styles["p"],
        )
    )
    if guest_paid:
        amount = sum((order.cost_amount or Decimal("0.00") for order in guest_paid), Decimal("0.00"))
        story.append(
            Paragraph(
                _("另有来宾自理费用 %(n)s 笔，计 %(amount)s 元，不在本单据报销。")
                % {"n": len(guest_paid), "amount": f"{amount:,.2f}"},
                styles["p"],
            )
        )
    return _build(story, _("公务接待报销单据"))
