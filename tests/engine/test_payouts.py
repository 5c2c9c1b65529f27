"""Payouts R21-R25, hand-computed."""

from sync.config.programme_file import programme_from_mapping
from sync.domain.decisions import PayoutStatus
from sync.domain.inputs import PartnerStatus, Tier
from tests.engine.builders import (
    history,
    inputs,
    monthly_invoices,
    partner,
    registration,
    run,
)

DEAL = [registration("1", "cus_a", "7", "2025-01-05")]


def payouts(decisions) -> list[tuple[str, int, int, str]]:  # type: ignore[no-untyped-def]
    return [(po.id, po.amount, len(po.line_ids), po.status.value) for po in decisions.ledger.payouts]


def test_r21_r22_referral_is_paid_quarterly_when_the_minimum_is_reached() -> None:
    # 20% of 200.00 = 40.00 a month. March point: Feb+Mar = 80.00 < 100.00, carried over.
    # June point: 80 + 3 x 40 = 200.00 >= 100.00: one payout of 5 lines.
    decisions = run(inputs([partner("7", tier=Tier.REFERRAL)], DEAL, ["cus_a"],
                           monthly_invoices("cus_a", 20000, "2025-02", 5)), "2025-07-01")
    assert payouts(decisions) == [("vmcpo_7_2025-06", 20000, 5, "pending_approval")]


def test_r21_monthly_cadence_for_partner_and_premier() -> None:
    # 25% of 1000.00 = 250.00 >= 200.00 every month.
    decisions = run(inputs([partner("7")], DEAL, ["cus_a"],
                           monthly_invoices("cus_a", 100000, "2025-02", 2)), "2025-04-01")
    assert payouts(decisions) == [("vmcpo_7_2025-02", 25000, 1, "pending_approval"),
                                  ("vmcpo_7_2025-03", 25000, 1, "pending_approval")]


def test_r22_balance_below_minimum_carries_over() -> None:
    # 25% of 500.00 = 125.00: below 200.00 in Feb, 250.00 in Mar with both lines.
    decisions = run(inputs([partner("7")], DEAL, ["cus_a"],
                           monthly_invoices("cus_a", 50000, "2025-02", 3)), "2025-05-01")
    assert payouts(decisions) == [("vmcpo_7_2025-03", 25000, 2, "pending_approval")]
    unpaid = [line.month for line in decisions.ledger.lines if line.payout_id is None]
    assert unpaid == [2025 * 12 + 3]  # April waits


def test_r22_result_does_not_depend_on_how_often_the_worker_ran() -> None:
    data = inputs([partner("7")], DEAL, ["cus_a"], monthly_invoices("cus_a", 50000, "2025-02", 6))
    once = run(data, "2025-08-01")
    ledger = None
    for as_of in ["2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01", "2025-07-01", "2025-08-01"]:
        ledger = run(data, as_of, ledger).ledger
    assert ledger == once.ledger


def test_r23_no_payout_while_suspended_then_paid_when_active_again() -> None:
    status = history(("2024-01-01", PartnerStatus.ACTIVE), ("2025-02-10", PartnerStatus.SUSPENDED),
                     ("2025-04-10", PartnerStatus.ACTIVE))
    decisions = run(inputs([partner("7", status=status)], DEAL, ["cus_a"],
                           monthly_invoices("cus_a", 100000, "2025-02", 3)), "2025-05-01")
    assert payouts(decisions) == [("vmcpo_7_2025-04", 75000, 3, "pending_approval")]


def test_r23_terminated_partner_balance_is_paid_with_the_minimum_waived() -> None:
    status = history(("2024-01-01", PartnerStatus.ACTIVE), ("2025-03-10", PartnerStatus.TERMINATED))
    decisions = run(inputs([partner("7")], DEAL, ["cus_a"], []), "2025-01-01")
    assert decisions.new_payouts == ()
    decisions = run(inputs([partner("7", status=status)], DEAL, ["cus_a"],
                           monthly_invoices("cus_a", 20000, "2025-02", 3)), "2025-05-01")
    # Feb: 50.00 < 200.00 while active; March terminated: no line for March or April, and at
    # the March point the 50.00 is paid with the minimum waived.
    assert payouts(decisions) == [("vmcpo_7_2025-03", 5000, 1, "pending_approval")]
    assert decisions.ledger.payouts[0].minimum_waived


def test_r24_payout_identity_is_partner_and_point_month() -> None:
    first = run(inputs([partner("7")], DEAL, ["cus_a"], monthly_invoices("cus_a", 100000, "2025-02", 1)),
                "2025-03-01")
    again = run(inputs([partner("7")], DEAL, ["cus_a"], monthly_invoices("cus_a", 100000, "2025-02", 1)),
                "2025-03-02", first.ledger)
    assert [po.id for po in first.new_payouts] == ["vmcpo_7_2025-02"]
    assert again.new_payouts == () and again.ledger.payouts == first.ledger.payouts


def test_r25_auto_approval_up_to_the_configured_amount() -> None:
    programme = programme_from_mapping({"approval": {"auto_approve_max": "250.00"}})
    invoices = [*monthly_invoices("cus_a", 100000, "2025-02", 1), *monthly_invoices("cus_a", 100004, "2025-03", 1)]
    decisions = run(inputs([partner("7")], DEAL, ["cus_a"], invoices), "2025-04-01", programme=programme)
    # 250.00 is approved at once; 300.00 (1000.04 x 30%) waits for finance.
    assert [(po.amount, po.status) for po in decisions.ledger.payouts] == [
        (25000, PayoutStatus.APPROVED), (30001, PayoutStatus.PENDING_APPROVAL)]
