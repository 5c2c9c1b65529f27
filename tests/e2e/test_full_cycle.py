"""One full cycle on the demo portal, through the real SDKs against both sandboxes: the
ledger holds the engine's decisions and HubSpot and Stripe show them (docs/configuration.md,
the names written to HubSpot and Stripe); a second identical
run writes nothing anywhere.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from mappings.assemble import load_fixture_dir
from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.config.programme_file import load_programme
from sync.domain.decisions import Decisions, LedgerState, PayoutStatus
from sync.domain.inputs import Inputs
from sync.domain.money import cents_from_eur, eur
from sync.engine.decide import decide
from sync.ledger import PayoutRecord
from sync.writeback.intents import commission_ends_on, hubspot_datetime
from tests.e2e.support import (
    DEMO,
    DEMO_AS_OF,
    PROGRAMME_FILE,
    World,
    ledger_lines,
    ledger_tables,
)

LINE, PAYOUT, DEAL = PROPS.commission_line, PROPS.payout, PROPS.deal
COMPANY, METADATA = PROPS.company, PROPS.stripe_metadata


@pytest.fixture(scope="module")
def fixture_inputs() -> Inputs:
    return load_fixture_dir(DEMO)


@pytest.fixture(scope="module")
def expected(fixture_inputs: Inputs) -> Decisions:
    """The pure engine on the fixture files, on an empty ledger."""
    return decide(fixture_inputs, LedgerState(), DEMO_AS_OF, load_programme(PROGRAMME_FILE))


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


# -- the ledger -----------------------------------------------------------------------


def test_ledger_lines_are_the_engines_lines(demo_world: World, expected: Decisions) -> None:
    """R16: one line per identity, as the engine decides them over the fixture files."""
    stored = {line.id: (line.amount, line.payout_id)
              for line in demo_world.ledger().load_state().lines}
    wanted = {line.id: (line.amount, line.payout_id) for line in expected.ledger.lines}
    assert wanted, "the demo decides commission lines"
    assert stored == wanted


def test_ledger_payouts_are_the_engines_payouts(demo_world: World, expected: Decisions) -> None:
    """R22, R24: the payouts decided, with their lines and amounts."""
    stored = {p.id: (p.partner_id, p.amount, tuple(sorted(p.line_ids)))
              for p in payouts_of(demo_world).values()}
    wanted = {p.id: (p.partner_id, p.amount, tuple(sorted(p.line_ids)))
              for p in expected.new_payouts}
    assert stored == wanted
    statuses = {payout.status for payout in payouts_of(demo_world).values()}
    assert PayoutStatus.PAID in statuses and PayoutStatus.PENDING_APPROVAL in statuses  # R25


# -- HubSpot --------------------------------------------------------------------------


def test_every_line_is_a_hubspot_record_linked_to_partner_and_deal(demo_world: World) -> None:
    """docs/configuration.md: one ``vmc_commission_line`` per line (R16, R20), associated to the
    partner company and the deal, showing the ledger's amount, status and payout."""
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
    """docs/configuration.md: one ``vmc_payout`` per payout (R24), associated to the partner."""
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


def test_deals_carry_their_attribution_and_ledger_totals(
        demo_world: World, expected: Decisions) -> None:
    """R10 and docs/configuration.md: each decided deal shows its attribution, and its commission
    accrued and paid as the ledger holds them after the run's payments."""
    deals = demo_world.deals()
    accrued, paid = paid_line_totals(demo_world, "deal")
    assert expected.deals
    for deal in expected.deals:
        shown = deals[deal.deal_id]
        assert shown[DEAL.attribution_status] == deal.status.value, deal.deal_id
        assert shown[DEAL.attributed_partner_id] == (deal.partner_id or "")
        assert shown[DEAL.attribution_source] == (deal.source.value if deal.source else "")
        converted = hubspot_datetime(deal.converted_at) if deal.converted_at else ""
        assert shown[DEAL.converted_at] == converted
        assert shown[DEAL.commission_ends_on] == commission_ends_on(deal.commission_ends_on)
        assert shown[DEAL.commission_accrued] == eur(accrued.get(deal.deal_id, 0)), deal.deal_id
        assert shown[DEAL.commission_paid] == eur(paid.get(deal.deal_id, 0)), deal.deal_id


def test_partners_carry_the_ledger_totals(demo_world: World) -> None:
    """docs/configuration.md: a partner's commission accrued, paid and balance are the ledger's,
    payments of this run included."""
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


def test_every_paid_payout_has_exactly_one_transfer(
        demo_world: World, fixture_inputs: Inputs) -> None:
    """R26: a paid payout is one Connect transfer in EUR to the partner's account,
    grouped and tagged by the payout id; Stripe holds no other transfer."""
    accounts = {partner.id: partner.stripe_account_id for partner in fixture_inputs.partners}
    paid = [p for p in payouts_of(demo_world).values() if p.status is PayoutStatus.PAID]
    groups = transfers_by_group(demo_world)
    assert paid
    for payout in paid:
        assert len(groups[payout.id]) == 1, payout.id
        transfer = groups[payout.id][0]
        assert transfer["id"] == payout.stripe_transfer_id
        assert (transfer["amount"], transfer["currency"]) == (payout.amount, "eur")
        assert transfer["destination"] == accounts[payout.partner_id]
        assert transfer["metadata"] == {METADATA.payout_id: payout.id,
                                        METADATA.partner_id: payout.partner_id}
    assert len(demo_world.transfers()) == len(paid)


def test_attributed_customers_carry_their_partner(
        demo_world: World, expected: Decisions) -> None:
    """docs/configuration.md: each attributed Stripe customer's metadata names its partner."""
    metadata = demo_world.customer_metadata()
    won = [item for item in expected.attributions if item.won]
    assert won
    for attribution in won:
        shown = metadata[attribution.customer_id]
        assert shown.get(METADATA.partner_id) == attribution.partner_id, attribution.customer_id
        source = attribution.source.value if attribution.source else None
        assert shown.get(METADATA.attribution_source) == source


# -- idempotency ------------------------------------------------------------------------


def test_a_second_identical_run_writes_nothing(demo_world: World) -> None:
    """sync.writeback.intents: an identical rerun makes no HubSpot write, no
    Stripe POST, and adds no line version and no outbox entry to the ledger."""
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
