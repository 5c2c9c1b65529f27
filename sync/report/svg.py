"""Inline SVG charts for the HTML report: no library, no script, every text escaped.

Each chart is drawn in a 960-unit-wide viewBox and stretched to the page's width by
CSS, so an 11-unit label reads as 11 px on a 60rem page."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from sync.domain.money import Cents, grouped_eur, percent

WIDTH, HEIGHT = 960, 300
LEFT, RIGHT, TOP, BOTTOM = 76, 64, 40, 64
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_TICKS = 5
MAX_PARTNER_BARS = 25
NARROW, WIDE = frozenset("ijlt.,:;'|!()[]fr -"), frozenset("mwMW@%")
LABEL_MAX = 64  # characters of a partner label before it is shortened (full in its title)


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    colour: str
    values: Sequence[Cents]


@dataclass(frozen=True, slots=True)
class Axis:
    top: float
    step: float

    @property
    def ticks(self) -> list[float]:
        return [self.step * index for index in range(round(self.top / self.step) + 1)]


def nice_axis(value: float, max_ticks: int = MAX_TICKS) -> Axis:
    """Ticks every 1, 2, 2.5 or 5 x 10^k, the smallest step that needs at most
    ``max_ticks`` intervals, and the first tick at or above ``value`` as the top:
    data peaking at 2,506 gets 0-3,000 by 1,000, at 2,495 0-2,500 by 500."""
    if value <= 0:
        return Axis(100.0, 25.0)
    scale = 10.0 ** math.floor(math.log10(value / max_ticks))
    step = next(s * scale for s in (1, 2, 2.5, 5, 10, 20) if value / (s * scale) <= max_ticks)
    return Axis(math.ceil(value / step - 1e-9) * step, step)


def text_width(content: str) -> float:
    """About how wide ``content`` is in an 11px sans-serif font (no script measures it):
    a little more than Chromium measures for DejaVu Sans, so nothing is cut."""
    return sum(3.9 if char in NARROW else 10.6 if char in WIDE
               else 8.5 if char.isupper() else 7.0 for char in content)


def _text(x: float, y: float, content: str, extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" {extra}>{escape(content)}</text>'


def _svg(title: str, height: float, body: list[str]) -> str:
    label = escape(title)
    return (f'<svg viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{label}">'
            f'<title>{label}</title>' + "".join(body) + "</svg>")


def _axis_eur(cents: float, axis: Axis) -> str:
    """An axis label in EUR: whole euros unless the ticks are cents apart."""
    places = 0 if axis.step % 100 == 0 else 2
    return f"{cents / 100:,.{places}f}"


def _y(value: float, top: float) -> float:
    return TOP + PLOT_H - value / top * PLOT_H


def _left_axis(axis: Axis) -> list[str]:
    parts = []
    for value in axis.ticks:
        y = _y(value, axis.top)
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y:.1f}" y2="{y:.1f}" '
                     'class="grid"/>')
        parts.append(_text(LEFT - 6, y + 4, _axis_eur(value, axis), 'text-anchor="end"'))
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


def _legend(entries: Sequence[tuple[str, str, str]], left: float = LEFT) -> list[str]:
    """(name, colour, "box" or "line") from the left, above the plot."""
    parts, x = [], float(left)
    for name, colour, shape in entries:
        if shape == "box":
            parts.append(f'<rect x="{x:.1f}" y="8" width="12" height="12" fill="{colour}"/>')
        else:
            parts.append(f'<line x1="{x:.1f}" x2="{x + 12:.1f}" y1="14" y2="14" '
                         f'stroke="{colour}" stroke-width="2" class="{shape}"/>')
        parts.append(_text(x + 16, 19, name))
        x += 32 + text_width(name)
    return parts


def _bars(labels: Sequence[str], series: Sequence[Series], top: float) -> list[str]:
    slot = PLOT_W / max(len(labels), 1)
    width = slot * 0.7 / max(len(series), 1)
    parts = []
    for number, item in enumerate(series):
        for index, value in enumerate(item.values):
            x = LEFT + slot * index + slot * 0.15 + width * number
            y = _y(max(value, 0), top)
            tip = f"{item.name} {labels[index]}: {grouped_eur(value)} EUR"
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                         f'height="{TOP + PLOT_H - y:.1f}" fill="{item.colour}">'
                         f'<title>{escape(tip)}</title></rect>')
    return parts


def grouped_bars(title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """Bars by month, one per series side by side."""
    axis = nice_axis(max((max(item.values, default=0) for item in series), default=0))
    body = [*_left_axis(axis), *_bars(labels, series, axis.top), *_month_labels(labels),
            *_legend([(item.name, item.colour, "box") for item in series])]
    return _svg(title, HEIGHT, body)


def _share_axis(axis: Axis) -> list[str]:
    return [_text(LEFT + PLOT_W + 6, _y(value, axis.top) + 4, f"{value:g}%")
            for value in axis.ticks]


def _share_line(shares: Sequence[Decimal | None], top: float) -> list[str]:
    slot = PLOT_W / max(len(shares), 1)
    points = [(LEFT + slot * (index + 0.5), _y(float(share) * 100, top), share)
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
    """Partner-sourced MRR (bars, left axis) and its share of MRR (line, right axis, in
    percent) against the target share (dashed)."""
    axis = nice_axis(max(partner_mrr, default=0))
    highest = max([target, *(share for share in shares if share is not None)])
    share_axis = nice_axis(min(float(highest) * 110, 100.0))  # a little room above
    target_y = _y(float(target) * 100, share_axis.top)
    target_label = f"target {percent(target.normalize())}"
    body = [
        *_left_axis(axis), *_share_axis(share_axis),
        *_bars(labels, [Series("partner-sourced MRR", "#4e79a7", partner_mrr)], axis.top),
        f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{target_y:.1f}" y2="{target_y:.1f}" '
        'class="target"/>',
        *_share_line(shares, share_axis.top), *_month_labels(labels),
        *_legend([("partner-sourced MRR", "#4e79a7", "box"), ("share of MRR", "#e15759", "share"),
                  (target_label, "#59a14f", "target")]),
    ]
    return _svg("Partner-sourced MRR and its share of MRR", HEIGHT, body)


def _shortened(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[:LABEL_MAX - 1] + "…"


def stacked_partner_bars(rows: Sequence[tuple[str, Sequence[Cents]]],
                         segments: Sequence[tuple[str, str]]) -> str:
    """Horizontal bars per partner, largest first: (label, one amount per segment), with
    ``segments`` as (name, colour) in the same order."""
    shown = list(rows[:MAX_PARTNER_BARS])
    row_h, value_w = 22, 130
    longest = max((text_width(_shortened(label)) for label, _ in shown), default=60.0)
    label_w = min(16 + longest, WIDTH / 2)
    plot_w = WIDTH - label_w - value_w
    axis = nice_axis(max((sum(amounts) for _, amounts in shown), default=0))
    body = _legend([(name, colour, "box") for name, colour in segments], left=8)
    for index, (label, amounts) in enumerate(shown):
        y = TOP + index * row_h
        body.append(_text(label_w - 8, y + 15, _shortened(label), 'text-anchor="end"')
                    .replace("</text>", f"<title>{escape(label)}</title></text>"))
        x = label_w
        for amount, (name, colour) in zip(amounts, segments, strict=True):
            width = max(amount, 0) / axis.top * plot_w
            if width == 0:
                continue
            tip = f"{label}: {name} {grouped_eur(amount)} EUR"
            body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="16" '
                        f'fill="{colour}"><title>{escape(tip)}</title></rect>')
            x += width
        body.append(_text(x + 6, y + 15, f"{grouped_eur(sum(amounts))} EUR"))
    if len(rows) > len(shown):
        body.append(_text(label_w, TOP + len(shown) * row_h + 16,
                          f"top {len(shown)} of {len(rows)} partners"))
    return _svg("Payouts by partner", TOP + (len(shown) + 1) * row_h + 10, body)
