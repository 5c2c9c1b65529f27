"""``partnersync partners``: destinations and holds (R32, R35); ``partnersync lines add``:
finance's manual lines (R34).

``list`` shows every partner with its tier, its destination (confirmed or waiting) and
its holds. ``confirm-destination`` is finance's word on a Connect account;
``hold``/``release`` stop and restart all of a partner's payouts. Every move is
audited with its author (``--by``); a refusal prints its reason and exits 1.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from rich.table import Table

from sync.cli.common import (
    EXIT_OK,
    add_actor,
    cell,
    console,
    fail,
    not_empty,
    open_services,
    plain,
    refused,
)
from sync.cli.offline import known_partners, unknown_partner
from sync.domain.inputs import Partner, Tier
from sync.domain.money import cents_from_eur, eur
from sync.domain.months import month_end, month_of, parse_month_label
from sync.engine.manual import manual_line
from sync.ledger.errors import LedgerError
from sync.ledger.records import PartnerControl

ACCOUNT_PREFIX = "acct_"


def _list(args: argparse.Namespace) -> int:
    with open_services() as services:
        partners = known_partners(services)
        controls = services.ledger.controls()
    table = Table(title="Partners: payout destinations and holds (R32, R35)")
    for name in ("id", "name", "tier", "HubSpot account", "confirmed destination", "holds"):
        table.add_column(name)
    now = datetime.now(UTC)
    for partner in sorted(partners.values(), key=lambda p: p.id):
        control = controls.get(partner.id) or PartnerControl(partner.id)
        tier = partner.tier.at(now)
        confirmed = (f"{control.confirmed_account} (by {control.confirmed_by})"
                     if control.confirmed_account else "none")
        table.add_row(cell(partner.id), cell(partner.name), cell(tier.value if tier else ""),
                      cell(partner.stripe_account_id), cell(confirmed),
                      cell("; ".join(control.hold_reasons) or "none"))
    console().print(table)
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
    try:
        month = parse_month_label(args.month)
        amount = cents_from_eur(args.amount)
    except (ValueError, ArithmeticError):
        return fail(f"--month {args.month!r} / --amount {args.amount!r}: expected a month "
                    "YYYY-MM and an EUR amount such as 50.00 or -25.00")
    now = datetime.now(UTC)
    if month >= month_of(now):
        return fail(f"--month {args.month}: a manual line is for a closed month (R34)")
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
    actions.add_parser("list", help="partners with destination and holds").set_defaults(
        handler=_list)
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
    add.add_argument("--month", required=True, metavar="YYYY-MM", help="a closed month")
    add.add_argument("--amount", required=True, metavar="EUR",
                     help="positive or negative, e.g. 50.00 or -25.00")
    add.add_argument("--reason", required=True, type=not_empty, help="shown in the explanation")
    _by(add)
    add.set_defaults(handler=_add_line)


def _by(parser: argparse.ArgumentParser) -> None:
    add_actor(parser, "who decides")
