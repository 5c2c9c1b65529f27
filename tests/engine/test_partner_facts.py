"""The portal's facts from a run's decisions (sync/engine/partner_facts.py): each
partner's metrics in month order, each won customer with its domain, source, window end
(R13) and R10a status; customers nobody won are left out."""

from __future__ import annotations

from sync.domain.decisions import (
    AttributionStatus,
    CustomerAttribution,
    DealAttribution,
    Decisions,
    FrozenAttribution,
    LedgerState,
    TierMetrics,
)
from sync.domain.inputs import CommissionOption, Tier, TouchKind
from sync.engine.partner_facts import WonCustomer, facts_of
from tests.engine.builders import at

MARCH, APRIL = 2026 * 12 + 2, 2026 * 12 + 3  # months count from year 0: 2026-03, 2026-04


def _metrics(partner: str, month: int, referred: int) -> TierMetrics:
    return TierMetrics(partner, month, referred, referred, 50000, 120000, Tier.REFERRAL, 0)


def _decisions() -> Decisions:
    won = AttributionStatus.ATTRIBUTED
    return Decisions(
        as_of=at("2026-05-01"), last_closed_month=APRIL,
        attributions=(
            CustomerAttribution("cus_a", won, at("2026-02-10"), "p1",
                                TouchKind.DEAL_REGISTRATION, "d1", CommissionOption.RECURRING),
            CustomerAttribution("cus_b", won, at("2026-04-02"), "p1", TouchKind.REFERRAL_LINK,
                                "d2", CommissionOption.FLAT),
            CustomerAttribution("cus_c", won, at("2026-03-05"), "p2", TouchKind.REFERRAL_LINK,
                                "d3", CommissionOption.RECURRING, frozen=True),
            CustomerAttribution("cus_d", AttributionStatus.EXPIRED, None, "p2"),
        ),
        deals=(DealAttribution("d1", won, "cus_a", "p1", commission_ends_on=2028 * 12 + 1),
               DealAttribution("d2", won, "cus_b", "p1"),  # None: permanent
               DealAttribution("d3", won, "cus_c", "p2", commission_ends_on=2027 * 12 + 2)),
        ledger=LedgerState(frozen_attributions=(FrozenAttribution(
            "cus_a", "p1", TouchKind.DEAL_REGISTRATION, "d1", at("2026-02-10"),
            CommissionOption.RECURRING, Tier.REFERRAL),)),
        changes=(), new_payouts=(), unrecovered=(), reviews=(),
        metrics=(_metrics("p1", APRIL, 2), _metrics("p2", MARCH, 1), _metrics("p1", MARCH, 1)),
        promotions=(), quarantined=())


def test_facts_of_a_run() -> None:
    facts = facts_of(_decisions(), {"d1": "Fromagerie.example", "d2": None, "d3": None},
                     {"cus_b": "Ada@Studio.Example", "cus_c": None})
    assert facts.metrics == {
        "p1": (_metrics("p1", MARCH, 1), _metrics("p1", APRIL, 2)),
        "p2": (_metrics("p2", MARCH, 1),),
    }
    assert facts.customers == {
        # frozen by this run's payout (in the ledger after it), window to 2028-02
        "cus_a": WonCustomer("cus_a", "p1", "d1", "fromagerie.example",
                             TouchKind.DEAL_REGISTRATION, at("2026-02-10"),
                             CommissionOption.RECURRING, True, 2028 * 12 + 1),
        # no company domain: the email's, lower-cased; a permanent window
        "cus_b": WonCustomer("cus_b", "p1", "d2", "studio.example", TouchKind.REFERRAL_LINK,
                             at("2026-04-02"), CommissionOption.FLAT, False, None),
        # kept from the ledger (R10a); neither domain known
        "cus_c": WonCustomer("cus_c", "p2", "d3", "", TouchKind.REFERRAL_LINK,
                             at("2026-03-05"), CommissionOption.RECURRING, True, 2027 * 12 + 2),
    }
