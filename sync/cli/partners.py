"""``partnersync partners``: destinations and holds (R32, R35); ``partnersync lines add``:
finance's manual lines (R34).

``list`` shows every partner with its tier, its destination (confirmed or waiting) and
its holds. ``confirm-destination`` is finance's word on a Connect account;
``hold``/``release`` stop and restart all of a partner's payouts. Every move is
audited with its author (``--by``); a refusal prints its reason and exits 1.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime

from sync.cli.common import (
    EXIT_OK,
    add_actor,
    console,
    eur_argument,
    fail,
    month_argument,
    not_empty,
    open_services,
    plain,
    refused,
)
from sync.cli.offline import known_partners, unknown_partner
from sync.cli.tables import Column, Field, Listing, add_format_option, emit, instant
from sync.domain.inputs import Partner, Tier
from sync.domain.money import eur
from sync.domain.months import month_end, month_label, month_of
from sync.engine.manual import manual_line
from sync.ledger.errors import LedgerError
from sync.ledger.records import PartnerControl

ACCOUNT_PREFIX = "acct_"


@dataclass(frozen=True, slots=True)
class PartnerRow:
    partner: Partner
    control: PartnerControl
    tier: Tier | None  # today's


def partners_listing(rows: list[PartnerRow]) -> Listing[PartnerRow]:
    """Destinations and holds (R32, R35): the table keeps id, holds, name and the
    confirmed destination first; CSV and JSON have every field."""
    columns: list[Column[PartnerRow]] = [
        Column("id", lambda r: r.partner.id),
        Column("name", lambda r: r.partner.name or "", priority=2, fold=True),
        Column("tier", lambda r: r.tier.value if r.tier else "", priority=4),
        Column("HubSpot account", lambda r: r.partner.stripe_account_id or "", priority=3),
        Column("destination", lambda r: r.control.confirmed_account or "none", priority=2),
        Column("confirmed by", lambda r: r.control.confirmed_by or "", priority=5, fold=True),
        Column("holds", lambda r: "; ".join(r.control.hold_reasons) or "none", fold=True),
    ]
    fields: list[Field[PartnerRow]] = [
        Field("id", lambda r: r.partner.id), Field("name", lambda r: r.partner.name or None),
        Field("tier", lambda r: r.tier.value if r.tier else None),
        Field("hubspot_account", lambda r: r.partner.stripe_account_id),
        Field("confirmed_destination", lambda r: r.control.confirmed_account),
        Field("confirmed_by", lambda r: r.control.confirmed_by),
        Field("confirmed_at", lambda r: instant(r.control.confirmed_at)),
        Field("waiting_account", lambda r: r.control.waiting_account),
        Field("holds", lambda r: "; ".join(r.control.hold_reasons) or None),
    ]
    return Listing("Partners: payout destinations and holds (R32, R35)", columns, fields,
                   rows, f"{len(rows)} partners")


def _list(args: argparse.Namespace) -> int:
    with open_services() as services:
        partners = known_partners(services)
        controls = services.ledger.controls()
    now = datetime.now(UTC)
    rows = [PartnerRow(partner, controls.get(partner.id) or PartnerControl(partner.id),
                       partner.tier.at(now))
            for partner in sorted(partners.values(), key=lambda p: p.id)]
    emit(partners_listing(rows), args.format, console())
    return EXIT_OK


def _confirm(args: argparse.Namespace) -> int:
    if not args.account.startswith(ACCOUNT_PREFIX):
        return fail(f"{args.account!r} is not a Stripe Connect account id ({ACCOUNT_PREFIX}...)")
    with open_services() as services:
        partner = known_partners(services).get(args.partner)
        if partner is None:
            return _unknown(args.partner)
        try:
            control = services.ledger.confirm_destination(
                args.partner, args.account, args.by, shown=partner.stripe_account_id)
        except LedgerError as error:
            return refused(error)
    out = console()
    plain(out, f"partner {args.partner}: {args.account} is its confirmed destination, "
               f"confirmed by {control.confirmed_by} (R32)")
    if control.waiting_reason is not None:
        plain(out, f"HubSpot shows {partner.stripe_account_id}: its payouts stay on hold "
                   "until HubSpot shows the confirmed account (or you confirm that one)")
    elif control.waiting_reason is None and control.finance_hold is None:
        plain(out, "its held payouts are released; the next run pays the approved ones")
    return EXIT_OK


def _hold(args: argparse.Namespace) -> int:
    with open_services() as services:
        if args.partner not in known_partners(services):
            return _unknown(args.partner)
        try:
            services.ledger.hold_partner(args.partner, args.reason, args.by)
        except LedgerError as error:
            return refused(error)
    plain(console(), f"partner {args.partner}: every unpaid payout is on hold (R35): "
                     f"{args.reason}")
    return EXIT_OK


def _release(args: argparse.Namespace) -> int:
    with open_services() as services:
        try:
            services.ledger.release_partner(args.partner, args.by)
        except LedgerError as error:
            return refused(error)
        left = services.ledger.controls()[args.partner].hold_reasons
    plain(console(), f"partner {args.partner}: finance's hold released"
                     + (f"; still held: {'; '.join(left)}" if left else ""))
    return EXIT_OK


def _add_line(args: argparse.Namespace) -> int:
    month, amount = args.month, args.amount
    now = datetime.now(UTC)
    if month >= month_of(now):
        return fail(f"--month {month_label(month)}: a manual line is for a closed month (R34)")
    if amount == 0:
        return fail("--amount: a manual line of 0.00 EUR changes nothing")
    with open_services() as services:
        partner = known_partners(services).get(args.partner)
        if partner is None:
            return _unknown(args.partner)
        tier = _tier(partner, month)
        if tier is None:
            return fail(f"partner {args.partner} never had a tier: no line can be added")
        line = manual_line(partner.id, tier, month, amount, args.reason.strip(),
                           args.by.strip())
        try:
            services.ledger.add_manual_line(line, args.by.strip(), args.reason.strip())
        except LedgerError as error:
            return refused(error)
    plain(console(), f"added {line.id} ({eur(amount)} EUR): {line.explanation}; paid with "
                     "the partner's next payout (R22)")
    return EXIT_OK


def _tier(partner: Partner, month: int) -> Tier | None:
    """The tier at the month's end, else the latest the partner had."""
    at_end = partner.tier.before(month_end(month))
    if at_end is not None:
        return at_end
    known = [value for value in partner.tier.values() if value is not None]
    return known[-1] if known else None


def _unknown(partner_id: str) -> int:
    return fail(unknown_partner(partner_id))


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    partners = commands.add_parser("partners", help="payout destinations and holds (R32, R35)")
    actions = partners.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="partners with destination and holds")
    add_format_option(listing)
    listing.set_defaults(handler=_list)
    confirm = actions.add_parser("confirm-destination",
                                 help="finance confirms a partner's Connect account (R32)")
    confirm.add_argument("partner", metavar="PARTNER", help="the partner's HubSpot company id")
    confirm.add_argument("account", metavar="ACCOUNT", help="the Connect account, acct_...")
    _by(confirm)
    confirm.set_defaults(handler=_confirm)
    hold = actions.add_parser("hold", help="hold every unpaid payout of a partner (R35)")
    hold.add_argument("partner", metavar="PARTNER", help="the partner's HubSpot company id")
    hold.add_argument("--reason", required=True, type=not_empty, help="why, for the audit trail")
    _by(hold)
    hold.set_defaults(handler=_hold)
    release = actions.add_parser("release", help="release finance's hold on a partner (R35)")
    release.add_argument("partner", metavar="PARTNER", help="the partner's HubSpot company id")
    _by(release)
    release.set_defaults(handler=_release)
    lines = commands.add_parser("lines", help="finance's manual commission lines (R34)")
    line_actions = lines.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = line_actions.add_parser("add", help="add a manual line for a closed month (R34)")
    add.add_argument("partner", metavar="PARTNER", help="the partner's HubSpot company id")
    add.add_argument("--month", required=True, metavar="YYYY-MM", type=month_argument,
                     help="a closed month")
    add.add_argument("--amount", required=True, metavar="EUR", type=eur_argument,
                     help="positive or negative, e.g. 50.00 or -25.00")
    add.add_argument("--reason", required=True, type=not_empty, help="shown in the explanation")
    _by(add)
    add.set_defaults(handler=_add_line)


def _by(parser: argparse.ArgumentParser) -> None:
    add_actor(parser, "who decides")
