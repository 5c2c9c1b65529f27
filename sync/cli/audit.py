"""``partnersync audit``: the append-only trail of every money decision and who made it
(R32-R35): approvals and refusals, holds and releases, destinations seen, changed and
confirmed, manual lines, transfers made or adopted, HubSpot edits written back."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, datetime

from rich.table import Table

from sync.cli.common import EXIT_OK, cell, console, fail, open_services
from sync.cli.offline import known_partners, unknown_partner
from sync.domain.money import eur
from sync.ledger.records import AuditEvent
from sync.ledger.transitions import spreadsheet_safe

COLUMNS = ("id", "at", "action", "actor", "partner_id", "payout_id", "line_id", "account",
           "amount", "reason")


def _row(event: AuditEvent) -> dict[str, str]:
    return {"id": str(event.id), "at": event.at.isoformat(), "action": event.action,
            "actor": event.actor, "partner_id": event.partner_id or "",
            "payout_id": event.payout_id or "", "line_id": event.line_id or "",
            "account": event.account or "",
            "amount": "" if event.amount is None else eur(event.amount), "reason": event.reason}


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        day = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since {text!r}: expected a date such as 2026-12-01") from None
    return day if day.tzinfo else day.replace(tzinfo=UTC)


def _audit(args: argparse.Namespace) -> int:
    try:
        since = _since(args.since)
    except ValueError as error:
        return fail(str(error))
    with open_services() as services:
        events = services.ledger.audit_events(args.partner, since)
        if args.partner is not None and not events and args.partner not in known_partners(
                services) and not services.ledger.audit_events(args.partner, None):
            return fail(unknown_partner(args.partner))
    rows = [_row(event) for event in events]
    if args.format == "json":
        json.dump([{**row, "data": event.data} for row, event in zip(rows, events, strict=True)],
                  sys.stdout, indent=2)
        print()
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows({key: spreadsheet_safe(value) for key, value in row.items()}
                         for row in rows)
    else:
        console().print(_table(events))
    return EXIT_OK


def _table(events: list[AuditEvent]) -> Table:
    table = Table(title="Audit trail (R32-R35)", caption=f"{len(events)} entries")
    table.add_column("at (UTC)", no_wrap=True)
    table.add_column("action", no_wrap=True)
    table.add_column("by")
    table.add_column("about")
    table.add_column("EUR", justify="right", no_wrap=True)
    table.add_column("reason", ratio=1, overflow="fold")
    for event in events:
        about = event.payout_id or event.line_id or event.partner_id or ""
        if event.account:
            about = f"{about} {event.account}".strip()
        table.add_row(cell(event.at.strftime("%Y-%m-%d %H:%M")), cell(event.action),
                      cell(event.actor), cell(about),
                      cell("" if event.amount is None else eur(event.amount)), cell(event.reason))
    return table


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="who decided what about money (R32-R35)")
    audit.add_argument("--partner", metavar="ID", help="one partner's entries")
    audit.add_argument("--since", metavar="DATE", help="entries at or after this date (UTC)")
    audit.add_argument("--format", choices=("table", "csv", "json"), default="table",
                       help="a table for people, csv or json for scripts (default: table)")
    audit.set_defaults(handler=_audit)
