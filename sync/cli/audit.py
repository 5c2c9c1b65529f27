"""``partnersync audit``: the append-only trail of every money decision and who made it
(R32-R35): approvals and refusals, holds and releases, destinations seen, changed and
confirmed, manual lines, transfers made or adopted, HubSpot edits written back."""

from __future__ import annotations

import argparse

from sync.cli.common import EXIT_OK, console, fail, instant_argument, open_services
from sync.cli.offline import known_partners, unknown_partner
from sync.cli.tables import Column, Field, Listing, add_format_option, emit, instant, money_fields
from sync.domain.money import eur
from sync.ledger.records import AuditEvent


def audit_listing(events: list[AuditEvent]) -> Listing[AuditEvent]:
    """The table keeps when, what and why first, then who, then what about; CSV and
    JSON have every field (JSON also the event's data)."""
    def about(event: AuditEvent) -> str:
        subject = event.payout_id or event.line_id or event.partner_id or ""
        return f"{subject} {event.account}".strip() if event.account else subject

    columns: list[Column[AuditEvent]] = [
        Column("at (UTC)", lambda e: e.at.strftime("%Y-%m-%d %H:%M")),
        Column("action", lambda e: e.action),
        Column("by", lambda e: e.actor, priority=2, fold=True),
        Column("about", about, priority=3, fold=True),
        Column("EUR", lambda e: "" if e.amount is None else eur(e.amount), priority=4,
               justify="right"),
        Column("reason", lambda e: e.reason, fold=True),
    ]
    fields: list[Field[AuditEvent]] = [
        Field("id", lambda e: e.id, text=False), Field("at", lambda e: instant(e.at)),
        Field("action", lambda e: e.action), Field("actor", lambda e: e.actor),
        Field("partner_id", lambda e: e.partner_id), Field("payout_id", lambda e: e.payout_id),
        Field("line_id", lambda e: e.line_id), Field("account", lambda e: e.account),
        *money_fields("amount", lambda e: e.amount),
        Field("reason", lambda e: e.reason), Field("data", lambda e: e.data, csv=False),
    ]
    return Listing("Audit trail (R32-R35)", columns, fields, events, f"{len(events)} entries")


def _audit(args: argparse.Namespace) -> int:
    since = args.since
    with open_services() as services:
        events = services.ledger.audit_events(args.partner, since)
        if args.partner is not None and not events and args.partner not in known_partners(
                services) and not services.ledger.audit_events(args.partner, None):
            return fail(unknown_partner(args.partner))
    emit(audit_listing(events), args.format, console())
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="who decided what about money (R32-R35)")
    audit.add_argument("--partner", metavar="ID", help="one partner's entries")
    audit.add_argument("--since", metavar="DATE", type=instant_argument,
                       help="entries at or after this date or instant (UTC)")
    add_format_option(audit)
    audit.set_defaults(handler=_audit)
