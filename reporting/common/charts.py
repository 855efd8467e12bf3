"""Charts drawn on the server as inline SVG: no chart library, no CDN, readable without scripts.

Each chart carries a <title> and <desc> and every bar or slice its own <title> (a tooltip and
text for screen readers)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#2f6db5", "#e0803a", "#4a9d5b", "#b8494b", "#7a5ea8", "#888888")


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _nice_max(value: float) -> float:
    """A round axis maximum ≥ value (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def bar_chart(labels: Sequence[str], values: Sequence[Decimal], *, title: str, unit: str = "") -> SafeString:
    """Vertical bars, one per label, with a four-step value axis."""
    width, height, left, bottom, top = 640, 260, 70, 50, 20
    plot_w, plot_h = width - left - 10, height - bottom - top
    top_value = _nice_max(float(max(values, default=Decimal(0))))
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = max(4.0, slot * 0.6)
    parts = [
        f'<svg class="chart bar-chart" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title><desc>{escape(unit)}</desc>",
    ]
    for step in range(5):
        tick = top_value * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick:,.0f}</text>')
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_h = plot_h * float(value) / top_value
        x = left + slot * index + (slot - bar_w) / 2
        y = top + plot_h - bar_h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}：{_money(value)} {escape(unit)}</title></rect>"
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">'
            f"{escape(label[-7:])}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def pie_chart(parts: Sequence[tuple[str, Decimal]], *, title: str) -> SafeString:
    """Slices with a legend (label, amount, share); an empty circle when everything is zero."""
    size, radius, cx, cy = 320, 90, 110, 110
    shown = [(label, amount) for label, amount in parts if amount > 0]
    total = sum((amount for _l, amount in shown), Decimal(0))
    out = [
        f'<svg class="chart pie-chart" viewBox="0 0 {size + 120} {size - 80}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if not total:
        out.append(f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="#eee"/></svg>')
        return mark_safe("".join(out))  # noqa: S308
    angle = -math.pi / 2
    for index, (label, amount) in enumerate(shown):
        share = float(amount / total)
        color = PALETTE[index % len(PALETTE)]
        tip = f"<title>{escape(label)}：{_money(amount)}（{share * 100:.1f}%）</title>"
        if share >= 0.9999:
            out.append(f'<circle class="slice" cx="{cx}" cy="{cy}" r="{radius}" fill="{color}">{tip}</circle>')
        else:
            end = angle + 2 * math.pi * share
            x1, y1 = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
            x2, y2 = cx + radius * math.cos(end), cy + radius * math.sin(end)
            large = 1 if share > 0.5 else 0
            out.append(
                f'<path class="slice" d="M{cx},{cy} L{x1:.2f},{y1:.2f} A{radius},{radius} 0 {large} 1 '
                f'{x2:.2f},{y2:.2f} Z" fill="{color}" stroke="#fff">{tip}</path>'
            )
            angle = end
        y = 30 + index * 24
        out.append(f'<rect x="230" y="{y - 11}" width="12" height="12" fill="{color}"/>')
        out.append(
            f'<text x="248" y="{y}" font-size="12">{escape(label)} {_money(amount)}（{share * 100:.1f}%）</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308
