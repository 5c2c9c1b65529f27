"""``partnersync report``: the programme KPIs (R31) of a closed month.

The month defaults to the last month closed by the last sync. KPIs come from the last
sync's decisions recomputed offline; quarantined records, review items and unrecovered
differences (R17) are those the ledger recorded for the last run; invoices excluded
by R19 come with the decisions. ``--html FILE`` also writes one self-contained page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sync.cli.common import (
    EXIT_OK,
    cell,
    console,
    fail,
    month_argument,
    open_services,
    output_file,
    plain,
)
from sync.cli.offline import require_decisions
from sync.domain.money import grouped_eur
from sync.domain.months import month_label
from sync.report.data import (
    Item,
    ReportData,
    build_report,
    excluded_summary,
    instant,
    kpi_rows,
)
from sync.report.html import render_html


def _kpi_table(data: ReportData) -> Table:
    table = Table(title=f"Programme KPIs (R31), {month_label(data.month)}",
                  caption=f"as of the last sync, {instant(data.as_of)}")
    table.add_column("KPI")
    table.add_column("value", justify="right", no_wrap=True)
    for label, value in kpi_rows(data):
        table.add_row(cell(label), cell(value))
    return table


def _standings(data: ReportData) -> Table:
    table = Table(title=f"Payouts by status, payout points up to {month_label(data.month)}",
                  caption=f"as the ledger stands at {instant(data.generated_at)}")
    table.add_column("status")
    table.add_column("payouts", justify="right")
    table.add_column("amount EUR", justify="right", no_wrap=True)
    table.add_column("")
    for total in data.standings:
        note = f"last payment {instant(total.latest)}" if total.latest else ""
        table.add_row(cell(total.standing.value), cell(total.payouts),
                      cell(grouped_eur(total.amount)), cell(note))
    return table


def _findings(out: Console, title: str, items: tuple[Item, ...], empty: str) -> None:
    if not items:
        plain(out, f"{title}: {empty}")
        return
    table = Table(title=f"{title} ({len(items)})")
    table.add_column("rule", no_wrap=True)
    table.add_column("subject", no_wrap=True)
    table.add_column("name")
    table.add_column("reason")
    for item in items:
        table.add_row(cell(item.rule), cell(item.subject), cell(item.name), cell(item.message))
    out.print(table)


def render_terminal(out: Console, data: ReportData) -> None:
    out.print(_kpi_table(data))
    out.print(_standings(data))
    _findings(out, "Quarantined records of the last run", data.quarantined,
              "none, every record read was usable")
    _findings(out, "Review items (R10a, R29, R1)", data.reviews, "none")
    _findings(out, "Unrecovered differences (R17)", data.unrecovered, "none")
    _findings(out, "Payouts on hold (R32, R35)", data.holds, "none")
    excluded = data.excluded_invoices
    plain(out, f"Invoices excluded by R19 ({len(excluded)}): {excluded_summary(data.excluded)}")
    if excluded:
        out.print(Text("  " + ", ".join(excluded), style="dim"))


def _report(args: argparse.Namespace) -> int:
    with open_services() as services:
        inputs, decisions = require_decisions(services)
        month = decisions.last_closed_month if args.month is None else args.month
        if month > decisions.last_closed_month:
            return fail(f"month {month_label(month)} was not closed at the last sync (as of "
                        f"{decisions.as_of.isoformat()}); the latest closed month is "
                        f"{month_label(decisions.last_closed_month)}")
        data = build_report(inputs, decisions, services.ledger.findings(), month,
                            services.programme, services.ledger.list_payouts(),
                            services.ledger.now())
    render_terminal(console(), data)
    if args.html is not None:
        path = Path(args.html)
        path.write_text(render_html(data), encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser("report", help="the programme KPIs of a closed month (R31)")
    report.add_argument("--month", type=month_argument, metavar="YYYY-MM",
                        help="default: the last month closed by the last sync")
    report.add_argument("--html", metavar="FILE", type=output_file,
                        help="also write a self-contained HTML page")
    report.set_defaults(handler=_report)
