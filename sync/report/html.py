"""The report as ONE self-contained HTML page: inline CSS and SVG, no script, no
external resource. Every value that comes from data is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from sync.domain.money import grouped_eur, percent
from sync.domain.months import month_label
from sync.report.data import Item, ReportData, excluded_summary, instant, kpi_rows
from sync.report.payments import Standing
from sync.report.svg import Series, grouped_bars, mrr_share_chart, stacked_partner_bars

CHART_MONTHS = 24  # the charts show at most the last two years; the table shows all
COLOURS = {
    Standing.PAID: "#59a14f", Standing.APPROVED: "#76b7b2",
    Standing.WAITING_APPROVAL: "#f28e2b", Standing.MANUAL: "#b07aa1",
    Standing.FAILED: "#e15759", Standing.ON_HOLD: "#9c755f",
}

PAGE_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 64rem; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
"""
# The report's own rules, also served to the portal's admin dashboard, which shows the
# same sections (sync/portal/admin_pages.py): scoped to the element that holds them.
CONTENT_STYLE = """
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left;
         vertical-align: top; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
th.num { text-align: right; } td:first-child { white-space: nowrap; }
.muted { color: #666; }
figure { margin: 0; }
svg { display: block; width: 100%; height: auto; font-size: 11px; fill: #333; }
svg .grid { stroke: #e3e3e3; }
svg polyline.share { fill: none; stroke: #e15759; stroke-width: 2; }
svg circle.share { fill: #e15759; }
svg line.target, svg line.share { stroke-dasharray: 6 4; }
svg line.target { stroke: #59a14f; stroke-width: 2; }
svg text.target { fill: #59a14f; }
details { margin-top: 0.5rem; } summary { cursor: pointer; }
details p { font-size: 0.85rem; word-break: break-all; }
"""
STYLE = PAGE_STYLE + CONTENT_STYLE


def scoped_style(scope: str) -> str:
    """The report's content rules, each selector prefixed by ``scope`` (a CSS selector)."""
    rules = []
    for rule in CONTENT_STYLE.replace("\n", " ").split("}"):
        if "{" not in rule:
            continue
        selectors, body = rule.split("{", 1)
        scoped = ", ".join(f"{scope} {selector.strip()}" for selector in selectors.split(","))
        rules.append(f"{scoped} {{ {' '.join(body.split())} }}")
    return "\n".join(rules) + "\n"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]],
           numeric: frozenset[int] = frozenset()) -> str:
    head = "".join(f'<th class="num">{escape(header)}</th>' if index in numeric
                   else f"<th>{escape(header)}</th>" for index, header in enumerate(headers))
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{escape(value)}</td>' if index in numeric
            else f"<td>{escape(value)}</td>" for index, value in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _findings(title: str, items: Sequence[Item], empty: str) -> str:
    heading = f"<h2>{escape(title)} ({len(items)})</h2>"
    if not items:
        return f'{heading}<p class="muted">{escape(empty)}</p>'
    rows = [(item.rule, item.subject, item.name, item.message) for item in items]
    return heading + _table(("rule", "subject", "name", "reason"), rows)


def _charts(data: ReportData) -> str:
    months = data.months[-CHART_MONTHS:]
    labels = [month_label(row.month) for row in months]
    share = mrr_share_chart(labels, [row.partner_mrr for row in months],
                            [row.share for row in months], data.kpis.target_share)
    commission = grouped_bars("Commission accrued vs paid by month", labels, [
        Series("accrued (lines payable in the month)", "#4e79a7", [r.accrued for r in months]),
        Series("paid (by payment date)", "#59a14f", [row.paid for row in months]),
    ])
    partners = stacked_partner_bars(
        [(item.label, [item.amounts[standing] for standing in Standing])
         for item in data.payouts],
        [(standing.value, COLOURS[standing]) for standing in Standing])
    target = percent(data.kpis.target_share.normalize())
    return (f"<h2>Partner-sourced MRR and its share of MRR (target {escape(target)})</h2>"
            f'<figure>{share}</figure>'
            f"<h2>Commission accrued vs paid by month</h2>"
            f"<figure>{commission}</figure>{_paid_later(data)}"
            f"<h2>Payouts by partner and status, payout points up to "
            f"{escape(month_label(data.month))}</h2>"
            f'<figure>{partners}</figure>')


def _paid_later(data: ReportData) -> str:
    later = data.paid_later
    if later.payouts == 0 or later.latest is None:
        return ""
    noun = "payout" if later.payouts == 1 else "payouts"
    return (f'<p class="muted">Paid after {escape(month_label(data.month))}, so in no month '
            f"above: {later.payouts} {noun}, {escape(grouped_eur(later.amount))} EUR, the "
            f"last on {escape(instant(later.latest))}.</p>")


def _standings(data: ReportData) -> str:
    rows = []
    for total in data.standings:
        note = f"last payment {instant(total.latest)}" if total.latest else ""
        rows.append((total.standing.value, str(total.payouts), grouped_eur(total.amount), note))
    return (f"<h2>Payouts by status, payout points up to {escape(month_label(data.month))}</h2>"
            f'<p class="muted">As the ledger stands at {escape(instant(data.generated_at))}, '
            "whatever the payment date.</p>"
            + _table(("status", "payouts", "amount (EUR)", ""), rows, frozenset({1, 2})))


def _month_table(data: ReportData) -> str:
    rows = [(month_label(row.month), grouped_eur(row.partner_mrr), grouped_eur(row.total_mrr),
             "" if row.share is None else f"{row.share * 100:.2f}%", grouped_eur(row.accrued),
             grouped_eur(row.paid)) for row in data.months]
    return _table(("month", "partner-sourced MRR (EUR)", "total MRR (EUR)", "share",
                   "commission accrued (EUR)", "commission paid by payment date (EUR)"), rows,
                  frozenset({1, 2, 3, 4, 5}))


def _excluded(data: ReportData) -> str:
    count = len(data.excluded_invoices)
    section = (f"<h2>Invoices excluded by R19 ({count})</h2>"
               f"<p>{escape(excluded_summary(data.excluded))}</p>")
    if count:
        section += (f"<details><summary>The {count} invoice ids</summary>"
                    f'<p class="muted">{escape(", ".join(data.excluded_invoices))}</p>'
                    "</details>")
    return section


def render_sections(data: ReportData) -> str:
    """The report's content, from its heading to the excluded invoices: the page's body
    here, the admin dashboard's content in the portal."""
    month = escape(month_label(data.month))
    sections = [
        f"<h1>Partner programme report, {month}</h1>",
        f'<p class="muted">KPIs of R31 (docs/rules.md) for {month}, from the last sync '
        f"(as of {escape(instant(data.as_of))}); payouts as the ledger stands at "
        f"{escape(instant(data.generated_at))}. Amounts in EUR.</p>",
        "<h2>KPIs (R31)</h2>",
        _table(("KPI", "value"), kpi_rows(data), frozenset({1})),
        _standings(data),
        _charts(data),
        "<h2>By month</h2>", _month_table(data),
        _findings("Quarantined records of the last run", data.quarantined,
                  "none: every record read was usable"),
        _findings("Review items (R10a, R29, R1)", data.reviews, "none"),
        _findings("Unrecovered differences (R17)", data.unrecovered, "none"),
        _findings("Payouts on hold (R32, R35)", data.holds, "none"),
        _excluded(data),
    ]
    return "".join(sections)


def render_html(data: ReportData) -> str:
    month = escape(month_label(data.month))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Partner programme report {month}</title>"
            f"<style>{STYLE}</style></head><body>{render_sections(data)}</body></html>\n")
