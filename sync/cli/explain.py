"""``partnersync explain``: why a line, a deal or a customer has the commission it has.

``explain LINE_ID`` reads the ledger only: the line, its R20 explanation, its version
history (R16) and its payout (R24-R26). ``--deal`` and ``--customer`` recompute the last
sync's decisions offline (``offline``) for attribution (R3-R10a) and add the ledger's
findings: review items, unrecovered differences (R17), quarantined records.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from sync.cli.common import EXIT_OK, cell, console, fail, money, open_services, plain
from sync.cli.explain_attribution import explain_customer, explain_deal
from sync.cli.offline import partner_names
from sync.cli.tables import Column, Listing, fit_table
from sync.domain.decisions import CommissionLine
from sync.domain.money import eur
from sync.domain.months import month_label
from sync.ledger import LineVersion, PayoutRecord
from sync.ledger.errors import UnknownRecordError
from sync.wiring import Services


@dataclass(frozen=True, slots=True)
class LineView:
    line_id: str
    line: CommissionLine | None  # None: voided, known from its history only
    status: str
    history: list[LineVersion]
    payout: PayoutRecord | None
    partner_name: str = ""


def line_view(services: Services, line_id: str) -> LineView | None:
    ledger = services.ledger
    status = ledger.line_status(line_id)
    if status is None:
        return None
    line = next((item for item in ledger.load_state().lines if item.id == line_id), None)
    history = ledger.line_history(line_id)
    payout_id = line.payout_id if line is not None else None
    payout = None
    if payout_id is not None:
        try:
            payout = ledger.get_payout(payout_id)
        except UnknownRecordError:
            payout = None
    name = partner_names(services).get(line.partner_id, "") if line is not None else ""
    return LineView(line_id, line, status, history, payout, name)


def _fields(view: LineView) -> Table:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value")
    line = view.line
    rows: list[tuple[str, object]] = [("line (R16)", view.line_id), ("status", view.status)]
    if line is not None:
        rows += [
            ("partner", f"{view.partner_name} ({line.partner_id})" if view.partner_name
             else line.partner_id), ("customer", line.customer_id),
            ("deal", line.deal_id), ("month", month_label(line.month)),
            ("kind (R14/R15/R17)", line.kind.value), ("tier (R12)", line.tier.value),
            ("rate (R12)", "" if line.rate is None else str(line.rate)),
            ("basis (R11)", money(line.basis)), ("amount", money(line.amount)),
            ("found month (R17)", "" if line.found_month is None
             else month_label(line.found_month)),
            ("payout (R24)", line.payout_id or "not assigned yet (R22)"),
        ]
    for name, value in rows:
        table.add_row(cell(name), cell(value))
    return table


def versions_listing(view: LineView) -> Listing[LineVersion]:
    """R16's history of the line; its payout is also printed below the table."""
    columns: list[Column[LineVersion]] = [
        Column("version", lambda v: str(v.version), justify="right"),
        Column("action", lambda v: v.action),
        Column("at (UTC)", lambda v: v.at.strftime("%Y-%m-%d %H:%M:%S"), priority=2),
        Column("run", lambda v: str(v.run_id), priority=6, justify="right"),
        Column("EUR", lambda v: eur(v.amount), justify="right"),
        Column("basis EUR", lambda v: eur(v.basis), priority=4, justify="right"),
        Column("rate", lambda v: "" if v.rate is None else str(v.rate), priority=5),
        Column("payout", lambda v: v.payout_id or "", priority=3),
    ]
    return Listing("Versions (R16)", columns, (), view.history)


def _payout(out: Console, payout: PayoutRecord) -> None:
    plain(out, f"Payout {payout.id} (R24): {payout.status.value}, {money(payout.amount)}, "
               f"{len(payout.line_ids)} lines, method {payout.method or '-'}")
    plain(out, f"  {payout.explanation}")
    if payout.failure_reason:
        plain(out, f"  failure (R26): {payout.failure_reason}")
    if payout.stripe_transfer_id:
        plain(out, f"  Stripe transfer (R26): {payout.stripe_transfer_id}")
    if payout.payment_reference:
        plain(out, f"  manual payment reference (R26): {payout.payment_reference}")


def render_line(out: Console, view: LineView) -> None:
    out.print(_fields(view))
    plain(out)
    plain(out, "Explanation (R20):")
    explanation = view.line.explanation if view.line is not None else (
        view.history[-1].explanation if view.history else "")
    plain(out, explanation)
    plain(out)
    out.print(fit_table(versions_listing(view), out.width))
    if view.payout is not None:
        _payout(out, view.payout)


def _explain(args: argparse.Namespace) -> int:
    out = console()
    with open_services() as services:
        if args.deal is not None:
            return explain_deal(services, args.deal, out)
        if args.customer is not None:
            return explain_customer(services, args.customer, out)
        view = line_view(services, args.line_id)
    if view is None:
        return fail(f"line {args.line_id} is not in the ledger (a line id looks like "
                    "vmcl_<partner>_<customer>_<YYYY-MM>_<kind>)")
    render_line(out, view)
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    explain = commands.add_parser(
        "explain", help="why a line, a deal or a customer has its commission, rule by rule")
    target = explain.add_mutually_exclusive_group(required=True)
    target.add_argument("line_id", nargs="?", metavar="LINE_ID", help="a commission line id")
    target.add_argument("--deal", metavar="ID", help="a HubSpot deal id")
    target.add_argument("--customer", metavar="CUS", help="a Stripe customer id")
    explain.set_defaults(handler=_explain)
