"""The report as ONE self-contained HTML page: inline CSS and SVG, no script, no
external resource. Every value that comes from data is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from sync.domain.money import eur, percent
from sync.domain.months import month_label
from sync.ledger import Finding
from sync.report.data import ReportData, kpi_rows
from sync.report.svg import Series, grouped_bars, mrr_share_chart, partner_bars

CHART_MONTHS = 24  # the charts show at most the last two years; the table shows all

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 64rem; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left;
         vertical-align: top; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.muted { color: #666; }
svg { max-width: 100%; height: auto; font-size: 11px; fill: #333; }
svg .grid { stroke: #e3e3e3; }
svg polyline.share { fill: none; stroke: #e15759; stroke-width: 2; }
svg circle.share { fill: #e15759; }
svg line.target, svg line.share { stroke-dasharray: 6 4; }
svg line.target { stroke: #59a14f; stroke-width: 2; }
svg text.target { fill: #59a14f; }
"""


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]],
           numeric: frozenset[int] = frozenset()) -> str:
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{escape(value)}</td>' if index in numeric
            else f"<td>{escape(value)}</td>" for index, value in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _findings(title: str, findings: Sequence[Finding], empty: str) -> str:
    heading = f"<h2>{escape(title)} ({len(findings)})</h2>"
    if not findings:
        return f'{heading}<p class="muted">{escape(empty)}</p>'
    rows = [(item.rule, item.subject, item.message) for item in findings]
    return heading + _table(("rule", "subject", "reason"), rows)


def _charts(data: ReportData) -> str:
    months = data.months[-CHART_MONTHS:]
    labels = [month_label(row.month) for row in months]
    share = mrr_share_chart(labels, [row.partner_mrr for row in months],
                            [row.share for row in months], data.kpis.target_share)
    commission = grouped_bars("Commission accrued vs paid by month", labels, [
        Series("accrued", "#4e79a7", [row.accrued for row in months]),
        Series("paid", "#59a14f", [row.paid for row in months]),
    ])
    partners = partner_bars([(item.label, item.paid, item.unpaid) for item in data.payouts])
    target = percent(data.kpis.target_share.normalize())
    return (f"<h2>Partner-sourced MRR and its share of MRR (target {escape(target)})</h2>{share}"
            f"<h2>Commission accrued vs paid by month</h2>{commission}"
            f"<h2>Payouts by partner, up to {escape(month_label(data.month))}</h2>{partners}")


def _month_table(data: ReportData) -> str:
    rows = [(month_label(row.month), eur(row.partner_mrr), eur(row.total_mrr),
             "" if row.share is None else f"{row.share * 100:.2f}%", eur(row.accrued),
             eur(row.paid)) for row in data.months]
    return _table(("month", "partner-sourced MRR (EUR)", "total MRR (EUR)", "share",
                   "commission accrued (EUR)", "commission paid (EUR)"), rows,
                  frozenset({1, 2, 3, 4, 5}))


def render_html(data: ReportData) -> str:
    month = escape(month_label(data.month))
    excluded = ", ".join(data.excluded_invoices) or "none"
    sections = [
        f"<h1>Partner programme report, {month}</h1>",
        f'<p class="muted">KPIs of R31 (docs/rules.md), as of the last sync '
        f"({escape(data.as_of.isoformat())}). Amounts in EUR.</p>",
        "<h2>KPIs (R31)</h2>",
        _table(("KPI", "value"), kpi_rows(data.kpis), frozenset({1})),
        _charts(data),
        "<h2>By month</h2>", _month_table(data),
        _findings("Quarantined records of the last run", data.quarantined,
                  "none: every record read was usable"),
        _findings("Review items (R10a, R29, R1)", data.reviews, "none"),
        _findings("Unrecovered differences (R17)", data.unrecovered, "none"),
        _findings("Payouts on hold (R32, R35)", data.holds, "none"),
        f"<h2>Invoices excluded by R19 ({len(data.excluded_invoices)})</h2>",
        f'<p class="muted">{escape(excluded)}</p>',
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Partner programme report {month}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>\n")
