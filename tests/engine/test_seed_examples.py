"""The seed's own examples (docs/rules.md, the tiers table), end to end through the engine."""

from sync.domain.inputs import Tier
from tests.engine.builders import (
    inputs,
    monthly_invoices,
    partner,
    referral,
    registration,
    run,
    total,
)


def test_r14_r13_referral_customer_at_200_a_month_earns_480_in_total() -> None:
    # 20% of 200.00 = 40.00 a month, 12 months of window: 480.00.
    data = inputs(
        partners=[partner("7", tier=Tier.REFERRAL, code="ALICE")],
        deals=[referral("1001", "cus_a", "alice", "2024-12-10")],
        customers=["cus_a"],
        invoices=monthly_invoices("cus_a", 20000, "2025-01", 30),
    )
    decisions = run(data, "2027-07-01")
    assert total(decisions) == 48000
    assert len(decisions.ledger.lines) == 12
    assert {line.amount for line in decisions.ledger.lines} == {4000}


def test_r14_r13_partner_customer_at_500_a_month_earns_3000_over_24_months() -> None:
    # 25% of 500.00 = 125.00 a month, 24 months of window: 3,000.00.
    data = inputs(
        partners=[partner("8", tier=Tier.PARTNER)],
        deals=[registration("1002", "cus_b", "8", "2024-12-05")],
        customers=["cus_b"],
        invoices=monthly_invoices("cus_b", 50000, "2025-01", 36),
    )
    decisions = run(data, "2028-01-01")
    assert total(decisions) == 300000
    assert len(decisions.ledger.lines) == 24
    first = decisions.ledger.lines[0]
    assert first.explanation == (
        "R11 basis 500.00 (sub_1: 500.00) x R12 25% (partner) = 125.00; month 1/24 (R13)"
    )
