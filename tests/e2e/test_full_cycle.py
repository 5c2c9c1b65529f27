"""One full cycle on the demo portal, through the real SDKs against both sandboxes:
the plumbing, without asking the engine what to expect.

The amounts themselves are checked by hand on a small portal (``test_small_portal.py``).
Here, on the demo's 118 customers, every check holds whatever the rules decide: HubSpot
shows exactly what the ledger holds (line and payout records, deal and partner totals),
Stripe holds one transfer per paid payout, each line and payout agrees with its own
explanation and with the arithmetic of docs/rules.md (R14, R20, R22, R25), the deals,
the customers' metadata and the ledger agree on who won each customer (R10), and a
second identical run writes nothing anywhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.domain.decisions import PayoutStatus
from sync.domain.money import cents_from_eur, eur
from sync.ledger import PayoutRecord
from tests.e2e.support import DEMO_AS_OF, World, ledger_lines, ledger_tables

LINE, PAYOUT, DEAL = PROPS.commission_line, PROPS.payout, PROPS.deal
COMPANY, METADATA = PROPS.company, PROPS.stripe_metadata

# fixtures/demo/programme.toml: the defaults (docs/configuration.md), and auto-approval
# up to 300.00 EUR (R25).
AUTO_APPROVE_MAX = 30000
WINDOWS = {"referral": "12", "partner": "24", "premier": None}  # R13; premier: permanent
FLAT_AMOUNT = 10000  # R15
BONUS_THRESHOLD = 100000  # R12, partner tier: a basis strictly above it earns the bonus
# R10's statuses, as docs/rules.md lists them.
STATUSES = {"not_linked", "unsupported_currency", "not_converted", "attributed", "no_touch",
            "expired", "existing_customer", "self_referral", "unknown_partner",
            "ambiguous_partner", "partner_inactive"}
SOURCES = {"referral_link", "deal_registration"}

# R20's explanations (docs/rules.md), parsed back into their numbers.
RECURRING = re.compile(
    r"R11 basis (?P<basis>\d+\.\d\d) \(.+\) x R12 (?P<percent>[\d.]+)% "
    r"\((?P<tier>referral|partner|premier)(?P<bonus> \+ bonus)?\) = (?P<amount>\d+\.\d\d); "
    r"month (?P<index>\d+)(?:/(?P<window>\d+))? \(R13(?P<permanent> permanent)?\)")
FLAT = re.compile(
    r"R15 flat (?P<amount>\d+\.\d\d): referral tier with flat option at conversion \(R2\); "
    r"R3 converted (?P<converted>\d{4}-\d\d-\d\d) by in_\w+")
PAYOUT_EXPLANATION = re.compile(
    r"R21 (?P<tier>referral|partner|premier) payout point (?P<month>\d{4}-\d\d): "
    r"(?P<lines>\d+) lines, balance (?P<balance>\d+\.\d\d); "
    r"(?:R22 minimum (?P<minimum>\d+\.\d\d) reached|R23 terminated: minimum waived)")


def payouts_of(world: World) -> dict[str, PayoutRecord]:
    return {payout.id: payout for payout in world.ledger().list_payouts()}


def paid_line_totals(world: World, key: str) -> tuple[dict[str, int], dict[str, int]]:
    """Accrued and paid cents per deal or partner, from the ledger's live lines."""
    accrued: dict[str, int] = defaultdict(int)
    paid: dict[str, int] = defaultdict(int)
    ledger = world.ledger()
    statuses = ledger_lines(ledger)
    for line in ledger.load_state().lines:
        owner = (line.deal_id or "") if key == "deal" else line.partner_id
        accrued[owner] += line.amount
        if statuses[line.id][2] == "paid":
            paid[owner] += line.amount
    return accrued, paid


def months_between(earlier: str, later: str) -> int:
    """``"2025-11"``, ``"2026-02"`` -> 3."""
    year, month = earlier.split("-")
    later_year, later_month = later.split("-")
    return (int(later_year) - int(year)) * 12 + int(later_month) - int(month)


def linked_customers(world: World) -> dict[str, str]:
    """Deal id -> the Stripe customer it is linked to, read from both stand-ins as a
    user sees them: the deal's own customer property, or else the one customer whose
    ``metadata.hubspot_deal_id`` names the deal (docs/rules.md, Attribution)."""
    customers = world.customer_metadata()
    by_metadata: dict[str, list[str]] = defaultdict(list)
    for customer_id, metadata in customers.items():
        if metadata.get(METADATA.hubspot_deal_id):
            by_metadata[metadata[METADATA.hubspot_deal_id]].append(customer_id)
    linked: dict[str, str] = {}
    for deal_id, deal in world.deals().items():
        named = deal.get(DEAL.stripe_customer_id)
        if named:
            if named in customers:
                linked[deal_id] = named
        elif len(by_metadata.get(deal_id, [])) == 1:
            linked[deal_id] = by_metadata[deal_id][0]
    return linked


# -- the ledger: each line and payout agrees with itself and the rules' arithmetic ----------


def test_every_line_is_its_own_explanation(demo_world: World) -> None:
    """R14, R15, R20: a recurring line's amount is round(basis x rate), half up, with the
    basis, rate and tier its explanation states, inside its window (R13); a flat line is
    100.00 in its conversion month. The month counts from the conversion instant that
    Stripe's customer metadata shows."""
    lines = demo_world.line_records()
    converted = {customer: metadata.get(METADATA.attributed_at, "")[:7]
                 for customer, metadata in demo_world.customer_metadata().items()}
    kinds: dict[str, int] = defaultdict(int)
    for line_id, shown in lines.items():
        kind, explanation = shown[LINE.kind], shown[LINE.explanation]
        kinds[kind] += 1
        # R16: the id names partner, customer, month and kind.
        assert line_id == (f"vmcl_{shown[LINE.partner_id]}_{shown[LINE.stripe_customer_id]}_"
                           f"{shown[LINE.month]}_{kind}")
        if kind == "flat":
            match = FLAT.fullmatch(explanation)
            assert match, explanation
            assert cents_from_eur(shown[LINE.amount]) == FLAT_AMOUNT == cents_from_eur(
                match["amount"]), line_id
            assert (shown[LINE.rate], shown[LINE.tier]) == ("", "referral"), line_id
            assert match["converted"][:7] == shown[LINE.month] == converted[
                shown[LINE.stripe_customer_id]], line_id
            continue
        assert kind == "recurring", line_id  # a first run on an empty ledger: no adjustment
        match = RECURRING.fullmatch(explanation)
        assert match, explanation
        basis, rate = Decimal(match["basis"]), Decimal(match["percent"]) / 100
        amount = (basis * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert (shown[LINE.basis], shown[LINE.tier], Decimal(shown[LINE.rate])) == (
            match["basis"], match["tier"], rate), line_id
        assert shown[LINE.amount] == match["amount"] == str(amount), line_id
        bonus = match["tier"] == "partner" and cents_from_eur(match["basis"]) > BONUS_THRESHOLD
        assert bool(match["bonus"]) == bonus, line_id  # R12: strictly above 1000.00
        assert match["window"] == WINDOWS[match["tier"]], line_id
        assert bool(match["permanent"]) == (match["tier"] == "premier"), line_id
        index = months_between(converted[shown[LINE.stripe_customer_id]], shown[LINE.month])
        assert int(match["index"]) == index + 1, line_id
        assert match["window"] is None or index < int(match["window"]), line_id
    assert kinds["recurring"] > 100 and kinds["flat"] > 0, dict(kinds)


def test_every_payout_is_the_sum_of_its_lines(demo_world: World) -> None:
    """R22, R24, R25: a payout holds its partner's lines of its month or earlier, its
    amount is their sum and at least its minimum (unless waived, R23), it is named by
    partner and month, and it waits for finance exactly when above 300.00."""
    lines = {line.id: line for line in demo_world.ledger().load_state().lines}
    shown_lines = demo_world.line_records()
    payouts = payouts_of(demo_world)
    assigned = [line_id for line_id, line in lines.items() if line.payout_id]
    assert sorted(assigned) == sorted(line_id for payout in payouts.values()
                                      for line_id in payout.line_ids)
    for payout in payouts.values():
        month = demo_world.payout_records()[payout.id][PAYOUT.period]
        assert payout.id == f"vmcpo_{payout.partner_id}_{month}"
        own = [lines[line_id] for line_id in payout.line_ids]
        assert all(line.partner_id == payout.partner_id and line.payout_id == payout.id
                   for line in own), payout.id
        assert all(shown_lines[line.id][LINE.month] <= month for line in own), payout.id
        assert payout.amount == sum(line.amount for line in own) > 0, payout.id
        match = PAYOUT_EXPLANATION.fullmatch(payout.explanation)
        assert match, payout.explanation
        assert (match["month"], int(match["lines"]), cents_from_eur(match["balance"])) == (
            month, len(own), payout.amount), payout.id
        if match["minimum"] is not None:
            assert payout.amount >= cents_from_eur(match["minimum"]), payout.id
        status = payout.held_from if payout.status is PayoutStatus.ON_HOLD else payout.status
        waiting = status is PayoutStatus.PENDING_APPROVAL
        assert waiting == (payout.amount > AUTO_APPROVE_MAX), payout.id
    statuses = {payout.status for payout in payouts.values()}
    assert PayoutStatus.PAID in statuses and PayoutStatus.PENDING_APPROVAL in statuses  # R25


# -- HubSpot shows what the ledger holds ---------------------------------------------------------


def test_every_line_is_a_hubspot_record_linked_to_partner_and_deal(demo_world: World) -> None:
    """One ``vmc_commission_line`` per line (R16, R20), associated to the partner company
    and the deal, showing the ledger's amount, status and payout."""
    records = demo_world.line_records()
    lines = demo_world.ledger().load_state().lines
    statuses = ledger_lines(demo_world.ledger())
    assert set(records) == {line.id for line in lines}
    for line in lines:
        record = records[line.id]
        assert cents_from_eur(record[LINE.amount]) == line.amount, line.id
        assert record[LINE.status] == statuses[line.id][2], line.id
        assert record[LINE.payout_id] == (line.payout_id or ""), line.id
        assert record[LINE.partner_id] == line.partner_id
        assert record[LINE.explanation] == line.explanation  # R20
        record_id = str(record["hs_object_id"])
        assert demo_world.linked(LINE.object_name, record_id, "companies") == {line.partner_id}
        deals = {line.deal_id} if line.deal_id else set()
        assert demo_world.linked(LINE.object_name, record_id, "deals") == deals, line.id


def test_every_payout_is_a_hubspot_record_with_its_status(demo_world: World) -> None:
    """One ``vmc_payout`` per payout (R24), associated to the partner."""
    records = demo_world.payout_records()
    payouts = payouts_of(demo_world)
    assert set(records) == set(payouts)
    for payout in payouts.values():
        record = records[payout.id]
        assert record[PAYOUT.status] == payout.status.value, payout.id
        assert cents_from_eur(record[PAYOUT.amount]) == payout.amount
        assert record[PAYOUT.line_count] == str(len(payout.line_ids))
        assert record[PAYOUT.stripe_transfer_id] == (payout.stripe_transfer_id or "")
        assert record[PAYOUT.method] == (payout.method or "")
        record_id = str(record["hs_object_id"])
        linked = demo_world.linked(PAYOUT.object_name, record_id, "companies")
        assert linked == {payout.partner_id}


def test_deals_carry_the_ledger_totals(demo_world: World) -> None:
    """Each deal's commission accrued and paid are the ledger's, payments of this run
    included; a deal with lines is attributed to their partner (R10)."""
    deals = demo_world.deals()
    accrued, paid = paid_line_totals(demo_world, "deal")
    partners: dict[str, set[str]] = defaultdict(set)
    for line in demo_world.ledger().load_state().lines:
        partners[line.deal_id or ""].add(line.partner_id)
    assert any(paid.values()), "the demo pays some payouts in its first run (R25, R26)"
    for deal_id, shown in deals.items():
        assert shown[DEAL.commission_accrued] == eur(accrued.get(deal_id, 0)), deal_id
        assert shown[DEAL.commission_paid] == eur(paid.get(deal_id, 0)), deal_id
        if deal_id in partners:
            assert shown[DEAL.attribution_status] == "attributed", deal_id
            assert {shown[DEAL.attributed_partner_id]} == partners[deal_id], deal_id


def test_deals_agree_on_their_customers_winner(demo_world: World) -> None:
    """R10: every deal has a status; one is ``not_linked`` exactly when no Stripe
    customer is linked to it; every deal of a won customer shows the same partner and
    source, and those are what the customer's metadata in Stripe shows, with the same
    conversion instant; the commission ends on a month's last day, not before it."""
    deals, linked = demo_world.deals(), linked_customers(demo_world)
    metadata = demo_world.customer_metadata()
    winners: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for deal_id, shown in deals.items():
        status = shown[DEAL.attribution_status]
        assert status in STATUSES, deal_id
        assert (status == "not_linked") == (deal_id not in linked), deal_id
        won = (shown[DEAL.attributed_partner_id], shown[DEAL.attribution_source],
               shown[DEAL.converted_at])
        if status != "attributed":
            assert won[:2] == ("", ""), deal_id
            continue
        assert won[0] and won[1] in SOURCES and won[2], deal_id
        winners[linked[deal_id]].add(won)
        ends_on = shown[DEAL.commission_ends_on]
        if ends_on:  # empty only when the window is permanent (R13)
            last_day = date.fromisoformat(ends_on)
            assert (last_day + timedelta(days=1)).day == 1, deal_id
            assert ends_on[:7] >= won[2][:7], deal_id
    assert len(winners) > 10
    for customer_id, won_by in winners.items():
        assert len(won_by) == 1, (customer_id, won_by)
        partner, source, converted_at = next(iter(won_by))
        shown = metadata[customer_id]
        assert (shown.get(METADATA.partner_id), shown.get(METADATA.attribution_source),
                shown.get(METADATA.attributed_at)) == (partner, source, converted_at)
        for deal_id, customer in linked.items():
            if customer == customer_id:
                assert deals[deal_id][DEAL.attribution_status] == "attributed", deal_id


def test_partners_carry_the_ledger_totals(demo_world: World) -> None:
    """A partner's commission accrued, paid and balance are the ledger's, payments of
    this run included."""
    companies = demo_world.companies()
    accrued, paid = paid_line_totals(demo_world, "partner")
    assert any(paid.values()), "the demo pays some payouts in its first run (R25, R26)"
    for partner_id, total in accrued.items():
        shown = companies[partner_id]
        assert shown[COMPANY.commission_accrued_total] == eur(total), partner_id
        assert shown[COMPANY.commission_paid_total] == eur(paid[partner_id]), partner_id
        assert shown[COMPANY.commission_balance] == eur(total - paid[partner_id]), partner_id


# -- Stripe ---------------------------------------------------------------------------


def transfers_by_group(world: World) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for transfer in world.transfers():
        groups[str(transfer["transfer_group"])].append(transfer)
    return groups


def test_every_paid_payout_has_exactly_one_transfer(demo_world: World) -> None:
    """R26: a paid payout is one Connect transfer in EUR to the account the partner's
    company shows in HubSpot, which is its confirmed destination (R32), grouped and
    tagged by the payout id; Stripe holds no other transfer."""
    companies = demo_world.companies()
    paid = [p for p in payouts_of(demo_world).values() if p.status is PayoutStatus.PAID]
    groups = transfers_by_group(demo_world)
    assert paid
    for payout in paid:
        assert len(groups[payout.id]) == 1, payout.id
        transfer = groups[payout.id][0]
        company = companies[payout.partner_id]
        assert transfer["id"] == payout.stripe_transfer_id
        assert (transfer["amount"], transfer["currency"]) == (payout.amount, "eur")
        assert transfer["destination"] == company[COMPANY.stripe_account_id] == company[
            COMPANY.confirmed_stripe_account_id]
        assert transfer["metadata"] == {METADATA.payout_id: payout.id,
                                        METADATA.partner_id: payout.partner_id}
    assert len(demo_world.transfers()) == len(paid)


def test_customers_with_commission_carry_their_partner(demo_world: World) -> None:
    """Each Stripe customer with commission lines names the lines' partner in its
    metadata, and a customer frozen by a payout (R10a) names the frozen winner."""
    metadata = demo_world.customer_metadata()
    ledger = demo_world.ledger()
    partners: dict[str, set[str]] = defaultdict(set)
    for line in ledger.load_state().lines:
        partners[line.customer_id].add(line.partner_id)
    assert partners
    for customer_id, partner_ids in partners.items():
        assert {metadata[customer_id].get(METADATA.partner_id)} == partner_ids, customer_id
    frozen = ledger.load_state().frozen_attributions
    assert frozen
    for attribution in frozen:
        shown = metadata[attribution.customer_id]
        assert (shown.get(METADATA.partner_id), shown.get(METADATA.attribution_source)) == (
            attribution.partner_id, attribution.source.value), attribution.customer_id


# -- idempotency ------------------------------------------------------------------------


def test_a_second_identical_run_writes_nothing(demo_world: World) -> None:
    """An identical rerun makes no HubSpot write, no Stripe POST, and adds no line
    version and no outbox entry to the ledger (sync.writeback.intents)."""
    before = ledger_tables(demo_world.ledger())
    demo_world.reset_calls()
    again = demo_world.run(DEMO_AS_OF)
    after = ledger_tables(demo_world.ledger())
    assert (again.accrued_cents, again.paid_cents, again.lines) == (0, 0, {})
    assert demo_world.hubspot_writes() == {}
    assert demo_world.stripe_posts() == 0
    for table in ("commission_lines", "commission_line_versions", "payout_lines",
                  "outbox", "written_records", "frozen_attributions"):
        assert after[table] == before[table], table
