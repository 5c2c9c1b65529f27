"""``partnersync payouts``: finance's view of payouts (docs/rules.md, R24-R26).

``list`` shows them, ``approve`` and ``mark-paid`` make finance's two transitions
(``pending_approval -> approved``, ``manual_pending -> paid``), ``export`` writes the
CSV finance pays manual payouts from. The ledger guards every transition; a refusal
prints its reason and exits 1.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from sync.cli.common import (
    EXIT_OK,
    add_actor,
    console,
    fail,
    money,
    open_services,
    output_file,
    plain,
    refused,
)
from sync.cli.offline import partner_names, unknown_partner
from sync.cli.tables import Column, Field, Listing, add_format_option, emit, instant, money_fields
from sync.domain.decisions import PayoutStatus
from sync.domain.money import eur
from sync.domain.months import month_label
from sync.ledger import EXPORT_COLUMNS, PayoutRecord
from sync.ledger.errors import LedgerError
from sync.wiring import Services

STATUSES = [status.value for status in PayoutStatus]
PAYOUT_ID_HELP = "the payout's id, vmcpo_<partner>_<period> (`payouts list` shows them)"
STATUS_HELP = "only payouts in this status"


def payouts_listing(records: list[PayoutRecord], names: dict[str, str]
                    ) -> Listing[PayoutRecord]:
    """Finance's view of payouts: the table keeps id, amount, status and why first (the
    id names the partner and the period); CSV and JSON have every field."""
    def partner(record: PayoutRecord) -> str:
        name = names.get(record.partner_id)
        return f"{name} ({record.partner_id})" if name else record.partner_id

    total = sum(record.amount for record in records)
    noun = "payout" if len(records) == 1 else "payouts"
    columns: list[Column[PayoutRecord]] = [
        Column("id", lambda r: r.id),
        Column("partner", partner, priority=3, fold=True),
        Column("period", lambda r: month_label(r.month), priority=4),
        Column("EUR", lambda r: eur(r.amount), justify="right"),
        Column("lines", lambda r: str(len(r.line_ids)), priority=5, justify="right"),
        Column("status", lambda r: r.status.value),
        Column("method", lambda r: r.method or "", priority=6),
        Column("why", _why, priority=2, fold=True),  # held, failed, refused, waiting
        Column("transfer id", lambda r: r.stripe_transfer_id or "", priority=7),
    ]
    fields: list[Field[PayoutRecord]] = [
        Field("id", lambda r: r.id), Field("partner_id", lambda r: r.partner_id),
        Field("partner_name", lambda r: names.get(r.partner_id)),
        Field("period", lambda r: month_label(r.month)),
        *money_fields("amount", lambda r: r.amount),
        Field("line_count", lambda r: len(r.line_ids), text=False),
        Field("line_ids", lambda r: list(r.line_ids), csv=False),
        Field("status", lambda r: r.status.value), Field("method", lambda r: r.method),
        Field("hold_reason", lambda r: r.hold_reason),
        Field("failure_reason", lambda r: r.failure_reason),
        Field("status_note", lambda r: r.status_note),
        Field("approved_by", lambda r: r.approved_by),
        Field("approved_at", lambda r: instant(r.approved_at)),
        Field("second_approved_by", lambda r: r.second_approved_by),
        Field("second_approved_at", lambda r: instant(r.second_approved_at)),
        Field("paid_at", lambda r: instant(r.paid_at)), Field("paid_by", lambda r: r.paid_by),
        Field("payment_reference", lambda r: r.payment_reference),
        Field("stripe_transfer_id", lambda r: r.stripe_transfer_id),
        Field("attempts", lambda r: r.attempts, text=False),
    ]
    return Listing("Payouts (R24)", columns, fields, records,
                   f"{len(records)} {noun}, {money(total)}")


def _why(record: PayoutRecord) -> str:
    """What finance should read first: a hold, else a failure, else a refusal's note,
    else who gave the first of two approvals."""
    first = (f"first approval by {record.approved_by}; a second approver is needed (R33)"
             if record.status is PayoutStatus.PENDING_SECOND_APPROVAL else "")
    return record.hold_reason or record.failure_reason or record.status_note or first


def _status(args: argparse.Namespace) -> PayoutStatus | None:
    return None if args.status is None else PayoutStatus(args.status)


def _list(args: argparse.Namespace) -> int:
    with open_services() as services:
        records = services.ledger.list_payouts(_status(args), args.partner)
        names = partner_names(services)
        if args.partner is not None and not records and args.partner not in names \
                and not services.ledger.list_payouts(None, args.partner):
            # No company of that id, and no payout of it whatever its status: a typo,
            # not a partner without payouts.
            return fail(unknown_partner(args.partner))
    emit(payouts_listing(records, names), args.format, console())
    return EXIT_OK


def _show_change(record: PayoutRecord, what: str) -> None:
    out = console()
    plain(out, f"payout {record.id}: {what}")
    emit(payouts_listing([record], {}), "table", out)


def _move(move: Callable[[Services], PayoutRecord],
          describe: Callable[[PayoutRecord], str]) -> int:
    """One of finance's moves; the ledger refuses what it may not do (exit 1)."""
    with open_services() as services:
        try:
            record = move(services)
        except LedgerError as error:
            return refused(error)
    _show_change(record, describe(record))
    return EXIT_OK


def _approved(record: PayoutRecord) -> str:
    if record.status is PayoutStatus.PENDING_SECOND_APPROVAL:
        return (f"first approval by {record.approved_by}; above the dual approval amount a "
                "second, different approver is needed (R33)")
    if record.second_approved_by:
        return f"approved by {record.approved_by} and {record.second_approved_by} (R33)"
    return f"approved by {record.approved_by} (R25)"


def _approve(args: argparse.Namespace) -> int:
    return _move(lambda services: services.ledger.approve(
        args.payout_id, args.by, dual_above=services.programme.approval.dual_above), _approved)


def _hold(args: argparse.Namespace) -> int:
    return _move(lambda services: services.ledger.hold_payout(args.payout_id, args.reason,
                                                              args.by),
                 lambda _: f"held by {args.by}: {args.reason} (R35)")


def _release(args: argparse.Namespace) -> int:
    def released(record: PayoutRecord) -> str:
        still = f"; still held: {record.hold_reason}" if record.hold_reason else ""
        return f"finance's hold released by {args.by}{still} (R35)"
    return _move(lambda services: services.ledger.release_payout(args.payout_id, args.by),
                 released)


def _mark_paid(args: argparse.Namespace) -> int:
    def paid(record: PayoutRecord) -> str:
        reference = (f", reference {record.payment_reference}"
                     if record.payment_reference else "")
        return f"marked paid by {record.paid_by}{reference} (R26 manual payment)"
    return _move(lambda services: services.ledger.mark_paid(args.payout_id, args.by,
                                                            args.reference), paid)


def write_csv(rows: list[dict[str, str]], target: TextIO) -> None:
    writer = csv.DictWriter(target, fieldnames=list(EXPORT_COLUMNS))
    writer.writeheader()
    writer.writerows(rows)


def _export(args: argparse.Namespace) -> int:
    with open_services() as services:
        rows = services.ledger.export_rows(_status(args), partner_names(services))
    if args.output is None:
        write_csv(rows, sys.stdout)
        return EXIT_OK
    path = Path(args.output)
    with path.open("w", newline="", encoding="utf-8") as target:
        write_csv(rows, target)
    print(f"wrote {len(rows)} payouts to {path}", file=sys.stderr)
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    payouts = commands.add_parser("payouts", help="finance's view of payouts (R24-R26)")
    actions = payouts.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="payouts as a table")
    listing.add_argument("--status", choices=STATUSES, help=STATUS_HELP)
    listing.add_argument("--partner", metavar="ID", help="a partner's HubSpot company id")
    add_format_option(listing)
    listing.set_defaults(handler=_list)
    approve = actions.add_parser("approve", help="pending_approval -> approved (R25)")
    approve.add_argument("payout_id", metavar="ID", help=PAYOUT_ID_HELP)
    add_actor(approve, "who approves")
    approve.set_defaults(handler=_approve)
    hold = actions.add_parser("hold", help="hold one payout until released (R35)")
    hold.add_argument("payout_id", metavar="ID", help=PAYOUT_ID_HELP)
    hold.add_argument("--reason", required=True, metavar="TEXT", help="why, for the audit trail")
    add_actor(hold, "who holds it")
    hold.set_defaults(handler=_hold)
    release = actions.add_parser("release", help="release finance's hold on a payout (R35)")
    release.add_argument("payout_id", metavar="ID", help=PAYOUT_ID_HELP)
    add_actor(release, "who releases it")
    release.set_defaults(handler=_release)
    paid = actions.add_parser("mark-paid", help="manual_pending -> paid, paid outside Stripe")
    paid.add_argument("payout_id", metavar="ID", help=PAYOUT_ID_HELP)
    add_actor(paid, "who paid it")
    paid.add_argument("--reference", metavar="REF", help="bank or PayPal reference")
    paid.set_defaults(handler=_mark_paid)
    export = actions.add_parser("export", help="payouts as CSV (stdout by default)")
    export.add_argument("--status", choices=STATUSES, help=STATUS_HELP)
    export.add_argument("--output", metavar="FILE", type=output_file,
                        help="write the CSV to this file (default: standard output)")
    export.set_defaults(handler=_export)
