"""One full cycle on a small portal whose every amount was computed by hand.

``fixtures/small_portal`` (its README lists what each record is for) is served by both
stand-ins on loopback and read by the real worker through the official SDKs, as
``World`` does for the demo. Nothing here asks the engine what to expect: every amount
below is a literal, with its computation (basis x rate = amount, the rule, the month)
in the comment beside it, following docs/rules.md. The same literals are checked
against the ledger, against what HubSpot shows (line and payout records, deals,
partner companies) and against Stripe (transfers, customer metadata); a second
identical run writes nothing.

The programme is docs/configuration.md's defaults with ``auto_approve_max = 300.00``
(``fixtures/small_portal/programme.toml``):

| tier     | rate                           | window    | cadence   | minimum |
|----------|--------------------------------|-----------|-----------|---------|
| referral | 20% (flat option: 100.00 once) | 12 months | quarterly | 100.00  |
| partner  | 25%, 30% above 1000.00 basis   | 24 months | monthly   | 200.00  |
| premier  | 30%                            | permanent | monthly   | 200.00  |

``as_of`` is 2026-05-01T00:00Z, so the last closed month is April 2026 and the payout
points are those of January to April 2026 (R21). Every invoice is paid 1 h 03 min after
it is created (09:00 UTC): the first one's ``paid_at`` is the conversion (R3).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from jobs.summary import RunSummary
from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from tests.e2e.support import World, ledger_lines, ledger_tables, open_world, sqlite_url

PORTAL = Path(__file__).parent / "fixtures" / "small_portal"
AS_OF = datetime(2026, 5, 1, tzinfo=UTC)  # last closed month: 2026-04

LINE, PAYOUT, DEAL = PROPS.commission_line, PROPS.payout, PROPS.deal
COMPANY, METADATA = PROPS.company, PROPS.stripe_metadata

# Partners (HubSpot companies) and their Stripe Connect accounts.
ATELIER, NUAGE, CAMILLE, PREMIER = "7101", "7102", "7103", "7104"
ACCOUNTS = {ATELIER: "acct_e2eAtelier01", NUAGE: "acct_e2eNuage0001",
            PREMIER: "acct_e2ePremier01"}  # Camille has none: paid outside Stripe (R26)
# Stripe customers.
C1, C2, C3 = "cus_e2eC1Referral", "cus_e2eC2Partner", "cus_e2eC3Bonus"
C4, C5, C6 = "cus_e2eC4Flat", "cus_e2eC5Premier", "cus_e2eC6Direct"


def cents(text: str) -> int:
    """``"220.95"`` -> ``22095``: the literals below are written in EUR, as HubSpot shows
    them; the ledger and Stripe count cents."""
    return int(Decimal(text) * 100)


@dataclass(frozen=True)
class Line:
    amount: str
    basis: str
    rate: str  # as HubSpot shows it; empty for a flat line (R15)
    tier: str
    deal: str
    payout: str  # empty while the line waits
    status: str  # "paid" once its payout is paid, "accrued" before
    explanation: str  # R20


# -- the commission lines (R11-R20), by partner ------------------------------------------

LINES: dict[str, Line] = {
    # Atelier Numérique, 7101, referral tier, recurring: 20%, 12 months (R12, R13).
    # Brasserie Lune (C1), deal 8201: ATELIER link on 2025-12-20, converted 2026-01-05
    # (16 days later, R6), 2 x VPS M at 100.00 a month = basis 200.00 (R11).
    # 2026-01: 200.00 x 20% = 40.00, month 1/12.
    "vmcl_7101_cus_e2eC1Referral_2026-01_recurring": Line(
        "40.00", "200.00", "0.2", "referral", "8201", "vmcpo_7101_2026-03", "paid",
        "R11 basis 200.00 (sub_e2eC1Referral: 200.00) x R12 20% (referral) = 40.00; "
        "month 1/12 (R13)"),
    # 2026-02: 200.00 x 20% = 40.00, month 2/12.
    "vmcl_7101_cus_e2eC1Referral_2026-02_recurring": Line(
        "40.00", "200.00", "0.2", "referral", "8201", "vmcpo_7101_2026-03", "paid",
        "R11 basis 200.00 (sub_e2eC1Referral: 200.00) x R12 20% (referral) = 40.00; "
        "month 2/12 (R13)"),
    # 2026-03: 200.00 x 20% = 40.00, month 3/12.
    "vmcl_7101_cus_e2eC1Referral_2026-03_recurring": Line(
        "40.00", "200.00", "0.2", "referral", "8201", "vmcpo_7101_2026-03", "paid",
        "R11 basis 200.00 (sub_e2eC1Referral: 200.00) x R12 20% (referral) = 40.00; "
        "month 3/12 (R13)"),
    # 2026-04: 200.00 x 20% = 40.00, month 4/12; waits for the June point (quarterly, R21).
    "vmcl_7101_cus_e2eC1Referral_2026-04_recurring": Line(
        "40.00", "200.00", "0.2", "referral", "8201", "", "accrued",
        "R11 basis 200.00 (sub_e2eC1Referral: 200.00) x R12 20% (referral) = 40.00; "
        "month 4/12 (R13)"),
    # Nuage Partners, 7102, partner tier, recurring: 25%, 30% above 1000.00, 24 months.
    # Fromagerie Alpine (C2), deal 8202: registered by 7102 on 2026-01-25, converted
    # 2026-02-10, VPS XL at 500.00 a month.
    # 2026-02: 500.00 x 25% = 125.00, month 1/24.
    "vmcl_7102_cus_e2eC2Partner_2026-02_recurring": Line(
        "125.00", "500.00", "0.25", "partner", "8202", "vmcpo_7102_2026-03", "paid",
        "R11 basis 500.00 (sub_e2eC2Partner: 500.00) x R12 25% (partner) = 125.00; "
        "month 1/24 (R13)"),
    # 2026-03: a 100.00 credit note after payment keeps (500.00 - 100.00) / 500.00 = 4/5
    # of the invoice (R18): basis 400.00 x 25% = 100.00, month 2/24.
    "vmcl_7102_cus_e2eC2Partner_2026-03_recurring": Line(
        "100.00", "400.00", "0.25", "partner", "8202", "vmcpo_7102_2026-03", "paid",
        "R11 basis 400.00 (sub_e2eC2Partner: 400.00) x R12 25% (partner) = 100.00; "
        "month 2/24 (R13)"),
    # 2026-04: 500.00 x 25% = 125.00, month 3/24.
    "vmcl_7102_cus_e2eC2Partner_2026-04_recurring": Line(
        "125.00", "500.00", "0.25", "partner", "8202", "vmcpo_7102_2026-04", "accrued",
        "R11 basis 500.00 (sub_e2eC2Partner: 500.00) x R12 25% (partner) = 125.00; "
        "month 3/24 (R13)"),
    # Studio Orbite (C3), deal 8203: NUAGE link on 2026-03-20, converted 2026-04-02, GPU
    # yearly at 13,000.00: 13000.00 / 12 = 1083.333... rounded once to 1083.33 (R11);
    # strictly above 1000.00, so 25% + 5 points = 30% (R12): 1083.33 x 30% = 324.999,
    # rounded half up to 325.00 (R14). 2026-04, month 1/24.
    "vmcl_7102_cus_e2eC3Bonus_2026-04_recurring": Line(
        "325.00", "1083.33", "0.3", "partner", "8203", "vmcpo_7102_2026-04", "accrued",
        "R11 basis 1083.33 (sub_e2eC3Bonus: 1083.33) x R12 30% (partner + bonus) = 325.00; "
        "month 1/24 (R13)"),
    # Camille Durand, 7103, referral tier with the flat option (R2).
    # Cave Saint-Roch (C4), deal 8204: CAMFLAT link on 2026-01-28, converted 2026-02-03 by
    # invoice in_e2eC4Flat202602: one flat line of 100.00 in 2026-02 and no recurring line
    # (R15); its basis, 150.00 (VPS S+ monthly), is for information only.
    "vmcl_7103_cus_e2eC4Flat_2026-02_flat": Line(
        "100.00", "150.00", "", "referral", "8204", "vmcpo_7103_2026-03", "accrued",
        "R15 flat 100.00: referral tier with flat option at conversion (R2); "
        "R3 converted 2026-02-03 by in_e2eC4Flat202602"),
    # Premier Ops, 7104, premier tier, recurring: 30%, permanent window (R13).
    # Clinique Vétérinaire Azur (C5), deal 8205: registered by 7104 on 2025-12-01,
    # converted 2026-01-12 (42 days later), VPS L+ at 245.50 a month:
    # 245.50 x 30% = 73.65 each month.
    "vmcl_7104_cus_e2eC5Premier_2026-01_recurring": Line(
        "73.65", "245.50", "0.3", "premier", "8205", "vmcpo_7104_2026-03", "paid",
        "R11 basis 245.50 (sub_e2eC5Premier: 245.50) x R12 30% (premier) = 73.65; "
        "month 1 (R13 permanent)"),
    "vmcl_7104_cus_e2eC5Premier_2026-02_recurring": Line(
        "73.65", "245.50", "0.3", "premier", "8205", "vmcpo_7104_2026-03", "paid",
        "R11 basis 245.50 (sub_e2eC5Premier: 245.50) x R12 30% (premier) = 73.65; "
        "month 2 (R13 permanent)"),
    "vmcl_7104_cus_e2eC5Premier_2026-03_recurring": Line(
        "73.65", "245.50", "0.3", "premier", "8205", "vmcpo_7104_2026-03", "paid",
        "R11 basis 245.50 (sub_e2eC5Premier: 245.50) x R12 30% (premier) = 73.65; "
        "month 3 (R13 permanent)"),
    "vmcl_7104_cus_e2eC5Premier_2026-04_recurring": Line(
        "73.65", "245.50", "0.3", "premier", "8205", "", "accrued",
        "R11 basis 245.50 (sub_e2eC5Premier: 245.50) x R12 30% (premier) = 73.65; "
        "month 4 (R13 permanent)"),
    # Librairie Tanguy (C6, deal 8206, linked by the customer's metadata) came with no
    # partner touch: no line. Deal 8207 never became a customer: no line.
}


@dataclass(frozen=True)
class Payout:
    partner: str
    period: str
    amount: str
    lines: int
    status: str
    method: str  # how it was paid: "stripe_transfer", "manual" (outside Stripe), or ""
    destination: str  # the Connect account of its transfer; "" when none


# -- the payouts (R21-R26) -----------------------------------------------------------------

PAYOUTS: dict[str, Payout] = {
    # 7101, quarterly: no point in January or February; at the March point the balance is
    # 40.00 + 40.00 + 40.00 = 120.00 >= 100.00 (R22). 120.00 <= 300.00: approved at once
    # (R25) and paid by a Stripe transfer (R26).
    "vmcpo_7101_2026-03": Payout(ATELIER, "2026-03", "120.00", 3, "paid", "stripe_transfer",
                                 "acct_e2eAtelier01"),
    # 7102, monthly: February's point holds 125.00 < 200.00, below the minimum: carried
    # over (R22). March: 125.00 + 100.00 = 225.00 >= 200.00, <= 300.00: approved, paid.
    "vmcpo_7102_2026-03": Payout(NUAGE, "2026-03", "225.00", 2, "paid", "stripe_transfer",
                                 "acct_e2eNuage0001"),
    # April: 125.00 (C2) + 325.00 (C3) = 450.00 > 300.00: waits for finance (R25).
    "vmcpo_7102_2026-04": Payout(NUAGE, "2026-04", "450.00", 2, "pending_approval", "", ""),
    # 7103, quarterly: at the March point 100.00 >= 100.00, the minimum reached exactly
    # (R22); approved (R25), but the partner has no Connect account: manual_pending (R26).
    "vmcpo_7103_2026-03": Payout(CAMILLE, "2026-03", "100.00", 1, "manual_pending", "manual",
                                 ""),
    # 7104, monthly: January 73.65 and February 73.65 + 73.65 = 147.30 are below 200.00
    # (carried over, R22); March 147.30 + 73.65 = 220.95 >= 200.00, <= 300.00: approved,
    # paid. April's 73.65 waits for May's point, which is not closed yet.
    "vmcpo_7104_2026-03": Payout(PREMIER, "2026-03", "220.95", 3, "paid", "stripe_transfer",
                                 "acct_e2ePremier01"),
}
# R25: approved at once up to the programme's auto_approve_max (300.00 in this portal's
# programme.toml), recorded as such; the 450.00 payout waits for a person, so no one yet.
AUTO = "auto (R25, up to 300.00 EUR)"
APPROVED_BY: dict[str, str] = {
    "vmcpo_7101_2026-03": AUTO,  # 120.00
    "vmcpo_7102_2026-03": AUTO,  # 225.00
    "vmcpo_7102_2026-04": "",  # 450.00 > 300.00: pending_approval
    "vmcpo_7103_2026-03": AUTO,  # 100.00, then paid by hand (manual_pending)
    "vmcpo_7104_2026-03": AUTO,  # 220.95
}


@dataclass(frozen=True)
class Deal:
    status: str
    partner: str
    source: str
    converted_at: str
    accrued: str
    paid: str
    ends_on: str  # R13: the last day of the window's last month; empty when permanent


# -- the deals (R10, R13) --------------------------------------------------------------------

DEALS: dict[str, Deal] = {
    # 4 x 40.00 = 160.00 accrued, of which the 120.00 of vmcpo_7101_2026-03 paid; the
    # referral window of 12 months from 2026-01 ends with 2026-12.
    "8201": Deal("attributed", ATELIER, "referral_link", "2026-01-05T10:03:00.000Z",
                 "160.00", "120.00", "2026-12-31"),
    # 125.00 + 100.00 + 125.00 = 350.00, of which 125.00 + 100.00 = 225.00 paid; 24 months
    # from 2026-02 end with 2028-01.
    "8202": Deal("attributed", NUAGE, "deal_registration", "2026-02-10T10:03:00.000Z",
                 "350.00", "225.00", "2028-01-31"),
    # 325.00, in the pending payout; 24 months from 2026-04 end with 2028-03.
    "8203": Deal("attributed", NUAGE, "referral_link", "2026-04-02T10:03:00.000Z",
                 "325.00", "0.00", "2028-03-31"),
    # the flat 100.00, in the manual_pending payout (not paid yet); a flat customer's
    # commission ends with its conversion month (R13).
    "8204": Deal("attributed", CAMILLE, "referral_link", "2026-02-03T10:03:00.000Z",
                 "100.00", "0.00", "2026-02-28"),
    # 4 x 73.65 = 294.60, of which 3 x 73.65 = 220.95 paid; premier: permanent, empty.
    "8205": Deal("attributed", PREMIER, "deal_registration", "2026-01-12T10:03:00.000Z",
                 "294.60", "220.95", ""),
    # converted 2026-02-15 with no touch on any of its deals (R10).
    "8206": Deal("no_touch", "", "", "2026-02-15T10:03:00.000Z", "0.00", "0.00", ""),
    # no Stripe customer: not_linked comes first, even with a touch (R10).
    "8207": Deal("not_linked", "", "", "", "0.00", "0.00", ""),
}


@dataclass(frozen=True)
class Partner:
    accrued: str
    paid: str
    balance: str
    mdf: str  # R30
    referred: str  # R27, the last closed month (2026-04)
    active: str
    mrr: str
    trailing12: str
    eligible: str  # R28
    review: str  # R29
    paid_out: bool  # whether a transfer was made, so a last payout date is shown


# -- the partner companies (R27-R30, ledger totals) -----------------------------------------

PARTNERS: dict[str, Partner] = {
    # Lines 160.00, paid 120.00, balance 40.00. April: 1 customer referred, 1 active with
    # basis 200.00; trailing 12 months: 4 x 200.00 = 800.00. Neither 3 referred nor
    # 500.00 MRR: referral (R28), its own tier.
    ATELIER: Partner("160.00", "120.00", "40.00", "0.00", "1", "1", "200.00", "800.00",
                     "referral", "", paid_out=True),
    # Lines 350.00 + 325.00 = 675.00, paid 225.00, balance 450.00. April: C2 and C3
    # referred and active, MRR 500.00 + 1083.33 = 1583.33; trailing 12: February 500.00
    # + March 400.00 + April 1583.33 = 2483.33. MRR >= 500.00 with interview and
    # training passed: partner (R28); premier needs 5000.00: no.
    NUAGE: Partner("675.00", "225.00", "450.00", "0.00", "2", "2", "1583.33", "2483.33",
                   "partner", "", paid_out=True),
    # The flat 100.00, not paid yet (manual_pending): balance 100.00. April: 1 referred,
    # 1 active at 150.00; trailing 12: February to April 3 x 150.00 = 450.00: referral.
    CAMILLE: Partner("100.00", "0.00", "100.00", "0.00", "1", "1", "150.00", "450.00",
                     "referral", "", paid_out=False),
    # Lines 4 x 73.65 = 294.60, paid 220.95, balance 73.65. MDF (R30): 5% of 245.50 =
    # 12.275, rounded per customer-month to 12.28; 4 months: 49.12. April: 1 referred,
    # 1 active, MRR 245.50, trailing 12: 4 x 245.50 = 982.00: eligible for referral only,
    # and the worker never demotes: review (R29).
    PREMIER: Partner("294.60", "220.95", "73.65", "49.12", "1", "1", "245.50", "982.00",
                     "referral",
                     "R29: eligible for referral in 2026-04 (referred 1, active 1, MRR 245.50, "
                     "trailing-12 982.00) but tier is premier; the worker never demotes: review",
                     paid_out=True),
}
CUSTOMER_COMPANIES = ("7201", "7202", "7203", "7204", "7205", "7206", "7207")

# -- Stripe customers' metadata (attribution written back) ---------------------------------

METADATA_AFTER: dict[str, dict[str, str]] = {
    C1: {"vmc_partner_id": ATELIER, "vmc_attribution_source": "referral_link",
         "vmc_attributed_at": "2026-01-05T10:03:00.000Z"},
    C2: {"vmc_partner_id": NUAGE, "vmc_attribution_source": "deal_registration",
         "vmc_attributed_at": "2026-02-10T10:03:00.000Z"},
    C3: {"vmc_partner_id": NUAGE, "vmc_attribution_source": "referral_link",
         "vmc_attributed_at": "2026-04-02T10:03:00.000Z"},
    C4: {"vmc_partner_id": CAMILLE, "vmc_attribution_source": "referral_link",
         "vmc_attributed_at": "2026-02-03T10:03:00.000Z"},
    C5: {"vmc_partner_id": PREMIER, "vmc_attribution_source": "deal_registration",
         "vmc_attributed_at": "2026-01-12T10:03:00.000Z"},
    C6: {"hubspot_deal_id": "8206"},  # its own link to deal 8206, and nothing written
}

# -- the run as a whole -----------------------------------------------------------------------

# Accrued by the run: 160.00 + 675.00 + 100.00 + 294.60 = 1229.60. Paid by Stripe
# transfers: 120.00 + 225.00 + 220.95 = 565.95, in 3 transfers.
ACCRUED_BY_THE_RUN, PAID_BY_THE_RUN, TRANSFERS = "1229.60", "565.95", 3


@dataclass
class Cycle:
    world: World
    summary: RunSummary
    started: datetime
    finished: datetime


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cycle]:
    database = sqlite_url(tmp_path_factory.mktemp("small-portal"))
    with open_world(PORTAL, database, PORTAL / "programme.toml") as world:
        started = datetime.now(UTC)
        summary = world.run(AS_OF)
        yield Cycle(world, summary, started, datetime.now(UTC))


# -- the ledger --------------------------------------------------------------------------------


def test_the_ledger_holds_the_hand_computed_lines(cycle: Cycle) -> None:
    """R11-R20: exactly these lines, with these amounts, payouts and statuses."""
    wanted = {line_id: (cents(line.amount), line.payout or None, line.status)
              for line_id, line in LINES.items()}
    assert ledger_lines(cycle.world.ledger()) == wanted


def test_the_ledger_holds_the_hand_computed_payouts(cycle: Cycle) -> None:
    """R21-R26: exactly these payouts, each the sum of its lines, with its status."""
    payouts = {payout.id: payout for payout in cycle.world.ledger().list_payouts()}
    assert set(payouts) == set(PAYOUTS)
    for payout_id, expected in PAYOUTS.items():
        stored = payouts[payout_id]
        lines = sorted(line_id for line_id, line in LINES.items() if line.payout == payout_id)
        assert len(lines) == expected.lines, payout_id
        assert (stored.partner_id, stored.amount, stored.status.value, sorted(stored.line_ids),
                stored.method or "") == (expected.partner, cents(expected.amount),
                                         expected.status, lines, expected.method), payout_id
        assert (stored.approved_by, stored.hold_reason, stored.failure_reason) == (
            APPROVED_BY[payout_id] or None, None, None), payout_id


def test_the_run_summary_counts_the_same_money(cycle: Cycle) -> None:
    summary = cycle.summary
    assert summary.accrued_cents == cents(ACCRUED_BY_THE_RUN)
    assert summary.paid_cents == cents(PAID_BY_THE_RUN)
    assert summary.transfers == TRANSFERS
    assert summary.payouts_created == len(PAYOUTS)
    assert summary.manual_payouts == 1  # vmcpo_7103_2026-03
    assert summary.payment_failures == 0
    assert summary.quarantined == []


def test_the_audit_trail_records_first_use_and_transfers(cycle: Cycle) -> None:
    """R32: each partner's first account is confirmed on first use (Camille has none);
    R26: each transfer is recorded with its amount. Nothing else happened to money."""
    events = {(event.action, event.actor, event.partner_id, event.account, event.payout_id,
               event.amount) for event in cycle.world.ledger().audit_events()}
    first_use = ("destination_confirmed", "worker (first use)")
    assert events == {
        (*first_use, ATELIER, "acct_e2eAtelier01", None, None),
        (*first_use, NUAGE, "acct_e2eNuage0001", None, None),
        (*first_use, PREMIER, "acct_e2ePremier01", None, None),
        ("transfer_created", "worker", ATELIER, None, "vmcpo_7101_2026-03", cents("120.00")),
        ("transfer_created", "worker", NUAGE, None, "vmcpo_7102_2026-03", cents("225.00")),
        ("transfer_created", "worker", PREMIER, None, "vmcpo_7104_2026-03", cents("220.95")),
    }


# -- HubSpot -----------------------------------------------------------------------------------


def test_hubspot_shows_every_line_as_computed(cycle: Cycle) -> None:
    """One ``vmc_commission_line`` per line (R16, R20), linked to its partner and deal."""
    world = cycle.world
    records = world.line_records()
    assert set(records) == set(LINES)
    for line_id, line in LINES.items():
        # R16: vmcl_<partner>_<customer>_<YYYY-MM>_<kind>; customer ids hold one "_".
        _, partner, cus, customer, month, kind = line_id.split("_")
        shown = records[line_id]
        assert {name: shown[name] for name in (
            LINE.partner_id, LINE.deal_id, LINE.stripe_customer_id, LINE.month, LINE.kind,
            LINE.tier, LINE.rate, LINE.basis, LINE.amount, LINE.currency, LINE.status,
            LINE.payout_id, LINE.explanation)} == {
            LINE.partner_id: partner, LINE.deal_id: line.deal,
            LINE.stripe_customer_id: f"{cus}_{customer}", LINE.month: month,
            LINE.kind: kind, LINE.tier: line.tier, LINE.rate: line.rate,
            LINE.basis: line.basis, LINE.amount: line.amount, LINE.currency: "EUR",
            LINE.status: line.status, LINE.payout_id: line.payout,
            LINE.explanation: line.explanation}, line_id
        record_id = str(shown["hs_object_id"])
        assert world.linked(LINE.object_name, record_id, "companies") == {partner}, line_id
        assert world.linked(LINE.object_name, record_id, "deals") == {line.deal}, line_id


def test_hubspot_shows_every_payout_as_computed(cycle: Cycle) -> None:
    """One ``vmc_payout`` per payout (R24), linked to its partner; a paid one names its
    Stripe transfer."""
    world = cycle.world
    records = world.payout_records()
    transfers = {str(t["transfer_group"]): str(t["id"]) for t in world.transfers()}
    assert set(records) == set(PAYOUTS)
    for payout_id, payout in PAYOUTS.items():
        shown = records[payout_id]
        assert {name: shown[name] for name in (
            PAYOUT.partner_id, PAYOUT.period, PAYOUT.amount, PAYOUT.currency, PAYOUT.status,
            PAYOUT.method, PAYOUT.line_count, PAYOUT.stripe_transfer_id, PAYOUT.failure_reason,
            PAYOUT.approved_by, PAYOUT.hold_reason, PAYOUT.status_note)} == {
            PAYOUT.partner_id: payout.partner, PAYOUT.period: payout.period,
            PAYOUT.amount: payout.amount, PAYOUT.currency: "EUR", PAYOUT.status: payout.status,
            PAYOUT.method: payout.method, PAYOUT.line_count: str(payout.lines),
            PAYOUT.stripe_transfer_id: transfers.get(payout_id, ""),
            PAYOUT.failure_reason: "", PAYOUT.approved_by: APPROVED_BY[payout_id],
            PAYOUT.hold_reason: "",
            PAYOUT.status_note: ""}, payout_id
        linked = world.linked(PAYOUT.object_name, str(shown["hs_object_id"]), "companies")
        assert linked == {payout.partner}, payout_id


def test_hubspot_deals_show_attribution_and_commission(cycle: Cycle) -> None:
    """R10, R13: each deal's attribution, conversion, totals and end of commission."""
    deals = cycle.world.deals()
    for deal_id, deal in DEALS.items():
        shown = deals[deal_id]
        assert {name: shown.get(name) for name in (
            DEAL.attribution_status, DEAL.attributed_partner_id, DEAL.attribution_source,
            DEAL.converted_at, DEAL.commission_accrued, DEAL.commission_paid,
            DEAL.commission_ends_on)} == {
            DEAL.attribution_status: deal.status, DEAL.attributed_partner_id: deal.partner,
            DEAL.attribution_source: deal.source, DEAL.converted_at: deal.converted_at,
            DEAL.commission_accrued: deal.accrued, DEAL.commission_paid: deal.paid,
            DEAL.commission_ends_on: deal.ends_on}, deal_id


def test_hubspot_partners_show_metrics_totals_and_controls(cycle: Cycle) -> None:
    """R27-R30 for April 2026 and the ledger's totals; R32: the first account seen is the
    confirmed destination (trust on first use), and nothing holds a payout."""
    companies = cycle.world.companies()
    for partner_id, partner in PARTNERS.items():
        shown = companies[partner_id]
        assert {name: shown.get(name) for name in (
            COMPANY.commission_accrued_total, COMPANY.commission_paid_total,
            COMPANY.commission_balance, COMPANY.mdf_accrued_total, COMPANY.referred_clients,
            COMPANY.active_clients, COMPANY.mrr_brought, COMPANY.trailing12_revenue,
            COMPANY.eligible_tier, COMPANY.tier_review, COMPANY.confirmed_stripe_account_id,
            COMPANY.payout_hold)} == {
            COMPANY.commission_accrued_total: partner.accrued,
            COMPANY.commission_paid_total: partner.paid,
            COMPANY.commission_balance: partner.balance,
            COMPANY.mdf_accrued_total: partner.mdf,
            COMPANY.referred_clients: partner.referred, COMPANY.active_clients: partner.active,
            COMPANY.mrr_brought: partner.mrr, COMPANY.trailing12_revenue: partner.trailing12,
            COMPANY.eligible_tier: partner.eligible, COMPANY.tier_review: partner.review,
            # R32: a partner with no account has no destination and no hold: nothing is
            # written there, and the fixture's empty value stays (null).
            COMPANY.confirmed_stripe_account_id: ACCOUNTS.get(partner_id),
            COMPANY.payout_hold: "" if partner_id in ACCOUNTS else None}, partner_id
        # The tier is written only on auto-promotion (R29), which is off.
        assert shown[COMPANY.tier] == {ATELIER: "referral", NUAGE: "partner",
                                       CAMILLE: "referral", PREMIER: "premier"}[partner_id]
        shown_date = shown.get(COMPANY.last_payout_date) or ""
        if partner.paid_out:  # paid during this run, by the real clock
            assert cycle.started.date() <= datetime.fromisoformat(shown_date).date() \
                <= cycle.finished.date(), partner_id
        else:
            assert shown_date == "", partner_id


def test_hubspot_customer_companies_get_nothing(cycle: Cycle) -> None:
    """Only partner companies carry the programme's values."""
    companies = cycle.world.companies()
    for company_id in CUSTOMER_COMPANIES:
        written = {name: value for name, value in companies[company_id].items()
                   if name.startswith("vmc_") and value not in (None, "")}
        assert written == {}, company_id


# -- Stripe ------------------------------------------------------------------------------------


def test_stripe_holds_one_transfer_per_paid_payout(cycle: Cycle) -> None:
    """R26: one EUR Connect transfer per paid payout, to the partner's account, grouped
    and tagged by the payout id; none for the pending or the manual payout."""
    shown = {str(t["transfer_group"]): (t["amount"], t["currency"], t["destination"],
                                        t["metadata"], t["description"])
             for t in cycle.world.transfers()}
    assert len(cycle.world.transfers()) == TRANSFERS
    assert shown == {
        "vmcpo_7101_2026-03": (
            cents("120.00"), "eur", "acct_e2eAtelier01",
            {"vmc_payout_id": "vmcpo_7101_2026-03", "vmc_partner_id": ATELIER},
            "Partner commission Atelier Numérique 2026-03"),
        "vmcpo_7102_2026-03": (
            cents("225.00"), "eur", "acct_e2eNuage0001",
            {"vmc_payout_id": "vmcpo_7102_2026-03", "vmc_partner_id": NUAGE},
            "Partner commission Nuage Partners 2026-03"),
        "vmcpo_7104_2026-03": (
            cents("220.95"), "eur", "acct_e2ePremier01",
            {"vmc_payout_id": "vmcpo_7104_2026-03", "vmc_partner_id": PREMIER},
            "Partner commission Premier Ops 2026-03"),
    }
    assert {group: destination for group, (_, _, destination, _, _) in shown.items()} == {
        payout_id: payout.destination for payout_id, payout in PAYOUTS.items()
        if payout.destination}
    assert sum(amount for amount, *_ in shown.values()) == cents(PAID_BY_THE_RUN)


def test_stripe_customers_carry_their_attribution(cycle: Cycle) -> None:
    """Each won customer's metadata names its partner, source and conversion instant."""
    assert cycle.world.customer_metadata() == METADATA_AFTER


# -- idempotency ----------------------------------------------------------------------------------


def test_a_second_identical_run_writes_nothing(cycle: Cycle) -> None:
    """An identical rerun makes no HubSpot write and no Stripe POST, and the ledger's
    lines, payouts and outbox are unchanged."""
    world = cycle.world
    before = ledger_tables(world.ledger())
    world.reset_calls()
    again = world.run(AS_OF)
    after = ledger_tables(world.ledger())
    assert (again.accrued_cents, again.paid_cents, again.transfers, again.lines) == (0, 0, 0, {})
    assert world.hubspot_writes() == {}
    assert world.stripe_posts() == 0
    for table in ("commission_lines", "commission_line_versions", "payouts", "payout_lines",
                  "outbox", "written_records", "frozen_attributions", "audit_events"):
        assert after[table] == before[table], table
    assert len(world.transfers()) == TRANSFERS
