"""Inline SVG charts for the HTML report: no library, no script, every text escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from sync.domain.money import Cents, eur, percent

WIDTH, HEIGHT = 760, 290
LEFT, RIGHT, TOP, BOTTOM = 76, 64, 40, 64
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
TICKS = 4
MAX_PARTNER_BARS = 25


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    colour: str
    values: Sequence[Cents]


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^k at or above ``value`` (1 for nothing)."""
    if value <= 0:
        return 1.0
    scale = 1.0
    while scale * 10 <= value:
        scale *= 10
    while scale > value:
        scale /= 10
    return next(step * scale for step in (1, 2, 2.5, 5, 10) if step * scale >= value)


def _text(x: float, y: float, content: str, extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" {extra}>{escape(content)}</text>'


def _svg(title: str, height: int, body: list[str]) -> str:
    label = escape(title)
    return (f'<svg viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" role="img" aria-label="{label}">'
            f'<title>{label}</title>' + "".join(body) + "</svg>")


def _whole_eur(cents: float) -> str:
    return f"{cents / 100:,.0f}"


def _y(value: float, top: float) -> float:
    return TOP + PLOT_H - value / top * PLOT_H


def _left_axis(top: float) -> list[str]:
    parts = []
    for tick in range(TICKS + 1):
        value = top * tick / TICKS
        y = _y(value, top)
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y:.1f}" y2="{y:.1f}" '
                     'class="grid"/>')
        parts.append(_text(LEFT - 6, y + 4, _whole_eur(value), 'text-anchor="end"'))
    parts.append(_text(LEFT - 6, TOP - 12, "EUR", 'text-anchor="end"'))
    return parts


def _month_labels(labels: Sequence[str]) -> list[str]:
    slot = PLOT_W / max(len(labels), 1)
    parts = []
    for index, label in enumerate(labels):
        x, y = LEFT + slot * (index + 0.5), TOP + PLOT_H + 14
        parts.append(_text(x, y, label,
                           f'text-anchor="end" transform="rotate(-40 {x:.1f} {y:.1f})"'))
    return parts


def _legend(entries: Sequence[tuple[str, str, str]]) -> list[str]:
    """(name, colour, "box" or "line") from the left, above the plot."""
    parts, x = [], float(LEFT)
    for name, colour, shape in entries:
        if shape == "box":
            parts.append(f'<rect x="{x:.1f}" y="8" width="12" height="12" fill="{colour}"/>')
        else:
            parts.append(f'<line x1="{x:.1f}" x2="{x + 12:.1f}" y1="14" y2="14" '
                         f'stroke="{colour}" stroke-width="2" class="{shape}"/>')
        parts.append(_text(x + 16, 19, name))
        x += 24 + 7 * len(name)
    return parts


def _bars(labels: Sequence[str], series: Sequence[Series], top: float) -> list[str]:
    slot = PLOT_W / max(len(labels), 1)
    width = slot * 0.7 / max(len(series), 1)
    parts = []
    for number, item in enumerate(series):
        for index, value in enumerate(item.values):
            x = LEFT + slot * index + slot * 0.15 + width * number
            y = _y(max(value, 0), top)
            tip = f"{item.name} {labels[index]}: {eur(value)} EUR"
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                         f'height="{TOP + PLOT_H - y:.1f}" fill="{item.colour}">'
                         f'<title>{escape(tip)}</title></rect>')
    return parts


def grouped_bars(title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """Bars by month, one per series side by side."""
    top = nice_ceiling(max((max(item.values, default=0) for item in series), default=0))
    body = [*_left_axis(top), *_bars(labels, series, top), *_month_labels(labels),
            *_legend([(item.name, item.colour, "box") for item in series])]
    return _svg(title, HEIGHT, body)


def _share_axis(top: Decimal) -> list[str]:
    parts = []
    for tick in range(TICKS + 1):
        value = top * tick / TICKS
        y = _y(float(value), float(top))
        parts.append(_text(LEFT + PLOT_W + 6, y + 4, f"{value * 100:.0f}%"))
    return parts


def _share_line(shares: Sequence[Decimal | None], top: Decimal) -> list[str]:
    slot = PLOT_W / max(len(shares), 1)
    points = [(LEFT + slot * (index + 0.5), _y(float(share), float(top)), share)
              for index, share in enumerate(shares) if share is not None]
    if not points:
        return []
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
    dots = [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="share">'
            f'<title>{escape(f"share {share * 100:.2f}%")}</title></circle>'
            for x, y, share in points]
    return [f'<polyline points="{path}" class="share"/>', *dots]


def mrr_share_chart(labels: Sequence[str], partner_mrr: Sequence[Cents],
                    shares: Sequence[Decimal | None], target: Decimal) -> str:
    """Partner-sourced MRR (bars, left axis) and its share of MRR (line, right axis)
    against the target share (dashed)."""
    top = nice_ceiling(max(partner_mrr, default=0))
    highest = max([target, *(share for share in shares if share is not None)])
    share_top = Decimal(str(nice_ceiling(float(highest) * 1.15)))
    target_y = _y(float(target), float(share_top))
    target_label = f"target {percent(target.normalize())}"
    body = [
        *_left_axis(top), *_share_axis(share_top),
        *_bars(labels, [Series("partner-sourced MRR", "#4e79a7", partner_mrr)], top),
        f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{target_y:.1f}" y2="{target_y:.1f}" '
        'class="target"/>',
        *_share_line(shares, share_top), *_month_labels(labels),
        *_legend([("partner-sourced MRR", "#4e79a7", "box"), ("share of MRR", "#e15759", "share"),
                  (target_label, "#59a14f", "target")]),
    ]
    return _svg("Partner-sourced MRR and its share of MRR", HEIGHT, body)


def partner_bars(rows: Sequence[tuple[str, Cents, Cents]]) -> str:
    """Horizontal bars per partner: (label, paid, not yet paid), largest first."""
    shown = list(rows[:MAX_PARTNER_BARS])
    label_w, row_h, value_w = 270, 22, 120
    plot_w = WIDTH - label_w - value_w
    top = nice_ceiling(max((paid + unpaid for _, paid, unpaid in shown), default=0))
    body = _legend([("paid", "#59a14f", "box"), ("not paid yet", "#f28e2b", "box")])
    for index, (label, paid, unpaid) in enumerate(shown):
        y = TOP + index * row_h
        short = label if len(label) <= 40 else label[:39] + "…"
        body.append(_text(label_w - 8, y + 15, short, 'text-anchor="end"'))
        x = float(label_w)
        for amount, colour, what in ((paid, "#59a14f", "paid"), (unpaid, "#f28e2b", "not paid")):
            width = max(amount, 0) / top * plot_w
            tip = f"{label}: {what} {eur(amount)} EUR"
            body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="16" '
                        f'fill="{colour}"><title>{escape(tip)}</title></rect>')
            x += width
        body.append(_text(x + 6, y + 15, f"{eur(paid + unpaid)} EUR"))
    if len(rows) > len(shown):
        body.append(_text(label_w, TOP + len(shown) * row_h + 16,
                          f"top {len(shown)} of {len(rows)} partners"))
    return _svg("Payouts by partner", TOP + (len(shown) + 1) * row_h + 10, body)
