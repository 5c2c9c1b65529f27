"""Commission R12-R17 and R20, hand-computed."""

from decimal import Decimal

from sync.domain.decisions import LineKind
from sync.domain.inputs import CommissionOption, PartnerStatus, Tier
from sync.domain.months import month_label
from tests.engine.builders import (
    amounts,
    history,
    inputs,
    invoice,
    line,
    month_bounds,
    monthly_invoices,
    partner,
    registration,
    run,
)

DEAL = [registration("1", "cus_a", "7", "2025-01-05")]


def months(decisions) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    return [(f"{ln.month // 12}-{ln.month % 12 + 1:02d}", ln.kind.value, ln.amount)
            for ln in decisions.ledger.lines]


def test_r12_partner_bonus_above_1000_of_basis() -> None:
    invoices = [*monthly_invoices("cus_a", 100000, "2025-02", 1),
                *monthly_invoices("cus_a", 100001, "2025-03", 1)]
    decisions = run(inputs([partner("7")], DEAL, ["cus_a"], invoices), "2025-04-01")
    # 1000.00 exactly: 25% = 250.00; 1000.01: 30% = 300.003 -> 300.00
    assert [(ln.rate, ln.amount) for ln in decisions.ledger.lines] == [
        (Decimal("0.25"), 25000), (Decimal("0.30"), 30000)]
    assert decisions.ledger.lines[1].explanation == (
        "R11 basis 1000.01 (sub_1: 1000.01) x R12 30% (partner + bonus) = 300.00; month 2/24 (R13)")


def test_r12_rate_is_rounded_half_up_to_the_cent() -> None:
    # 20% of 12.34 = 2.468 -> 2.47; 20% of 0.02 = 0.004 -> 0.00; 25% of 0.02 = 0.005 -> 0.01
    invoices = monthly_invoices("cus_a", 1234, "2025-02", 1)
    assert months(run(inputs([partner("7", tier=Tier.REFERRAL)], DEAL, ["cus_a"], invoices), "2025-03-01")) == [
        ("2025-02", "recurring", 247)]
    tiny = monthly_invoices("cus_a", 2, "2025-02", 1)
    assert months(run(inputs([partner("7")], DEAL, ["cus_a"], tiny), "2025-03-01")) == [
        ("2025-02", "recurring", 1)]


def test_r12_rate_follows_the_tier_at_t_m() -> None:
    tier = history(("2024-01-01", Tier.PARTNER), ("2025-03-31T23:59:59.999000", Tier.PREMIER),)
    decisions = run(inputs([partner("7", tier=tier)], DEAL, ["cus_a"],
                           monthly_invoices("cus_a", 10000, "2025-02", 2)), "2025-04-01")
    assert months(decisions) == [("2025-02", "recurring", 2500), ("2025-03", "recurring", 3000)]


def test_r13_window_counts_from_conversion_and_grows_with_promotion() -> None:
    tier = history(("2024-01-01", Tier.REFERRAL), ("2026-01-15", Tier.PARTNER))
    decisions = run(inputs([partner("7", tier=tier)], DEAL, ["cus_a"],
                           monthly_invoices("cus_a", 10000, "2025-02", 26)), "2027-05-01")
    got = months(decisions)
    # Referral (12-month window) for Feb..Dec 2025 at 20%. Promoted on 2026-01-15, before t_Jan
    # 2026 (the end of January): month 12 is paid at 25%, and the window grows to 24 months,
    # still counted from the conversion month, so the last line is January 2027.
    assert got[0] == ("2025-02", "recurring", 2000)
    assert got[10] == ("2025-12", "recurring", 2000)
    assert got[11] == ("2026-01", "recurring", 2500)
    assert got[-1] == ("2027-01", "recurring", 2500)  # month 24/24
    assert len(got) == 24
    assert decisions.ledger.lines[-1].explanation.endswith("month 24/24 (R13)")


def test_r13_premier_window_is_permanent() -> None:
    decisions = run(inputs([partner("7", tier=Tier.PREMIER)], DEAL, ["cus_a"],
                           monthly_invoices("cus_a", 10000, "2025-02", 40)), "2028-06-01")
    assert len(decisions.ledger.lines) == 40
    assert decisions.ledger.lines[-1].explanation.endswith("month 40 (R13 permanent)")


def test_r13_commission_ends_on_without_a_tier_now_is_the_last_closed_month_even_for_an_open_month_conversion() -> None:
    # as_of 2025-03-17: February 2025 is the last closed month. The touch (2025-02-20) and the
    # conversion (2025-03-05) happen while 7 is referral; its tier is cleared on 2025-03-10,
    # so it has no tier at as_of. R13: nothing more accrues, the deal's commission ends on the
    # last day of the last closed month, 2025-02-28 (February), not March's 2025-03-31.
    tier = history(("2024-01-01", Tier.REFERRAL), ("2025-03-10", None))
    data = inputs([partner("7", tier=tier)], [registration("1", "cus_a", "7", "2025-02-20")], ["cus_a"],
                  [invoice("cus_a", "2025-03-05T09:00:00", [line(10000, *month_bounds("2025-03"))])])
    deal = run(data, "2025-03-17").deals[0]
    assert deal.status.value == "attributed" and deal.commission_ends_on is not None
    assert month_label(deal.commission_ends_on) == "2025-02"


def test_r14_no_line_in_months_the_partner_is_terminated_but_suspended_accrues() -> None:
    status = history(("2024-01-01", PartnerStatus.ACTIVE), ("2025-03-10", PartnerStatus.SUSPENDED),
                     ("2025-04-10", PartnerStatus.TERMINATED))
    decisions = run(inputs([partner("7", status=status)], DEAL, ["cus_a"],
                           monthly_invoices("cus_a", 10000, "2025-02", 4)), "2025-06-01")
    assert [m for m, _, _ in months(decisions)] == ["2025-02", "2025-03"]


def test_r14_only_closed_months_earn() -> None:
    decisions = run(inputs([partner("7")], DEAL, ["cus_a"],
                           monthly_invoices("cus_a", 10000, "2025-02", 3)), "2025-03-31T23:59:59")
    assert [m for m, _, _ in months(decisions)] == ["2025-02"]


def test_r15_flat_line_once_in_the_conversion_month() -> None:
    decisions = run(inputs([partner("7", tier=Tier.REFERRAL, option=CommissionOption.FLAT)], DEAL,
                           ["cus_a"], monthly_invoices("cus_a", 10000, "2025-02", 6)), "2025-08-01")
    assert months(decisions) == [("2025-02", "flat", 10000)]
    assert decisions.ledger.lines[0].explanation.startswith("R15 flat 100.00")


def test_r15_fully_credited_conversion_voids_an_unassigned_flat_line() -> None:
    p = [partner("7", tier=Tier.REFERRAL, option=CommissionOption.FLAT)]
    feb = month_bounds("2025-02")
    first = run(inputs(p, DEAL, ["cus_a"], [invoice("cus_a", "2025-02-01", [line(10000, *feb)], iid="in_1")]),
                "2025-03-01")
    assert months(first) == [("2025-02", "flat", 10000)]
    credited = [invoice("cus_a", "2025-02-01", [line(10000, *feb)], credited=10000, iid="in_1")]
    second = run(inputs(p, DEAL, ["cus_a"], credited), "2025-03-02", first.ledger)
    assert second.ledger.lines == ()
    assert [(c.action, c.line.kind) for c in second.changes] == [("voided", LineKind.FLAT)]


def test_r16_unassigned_lines_are_replaced_not_duplicated() -> None:
    p = [partner("7", tier=Tier.REFERRAL)]  # quarterly: February stays unassigned
    feb = month_bounds("2025-02")
    first = run(inputs(p, DEAL, ["cus_a"], [invoice("cus_a", "2025-02-01", [line(10000, *feb)], iid="in_1")]),
                "2025-03-01")
    grown = [invoice("cus_a", "2025-02-01", [line(10000, *feb)], iid="in_1"),
             invoice("cus_a", "2025-02-10", [line(5000, *feb, item="si_2")])]
    second = run(inputs(p, DEAL, ["cus_a"], grown), "2025-03-05", first.ledger)
    assert [(ln.id, ln.amount) for ln in second.ledger.lines] == [("vmcl_7_cus_a_2025-02_recurring", 3000)]
    assert [c.action for c in second.changes] == ["replaced"]
    assert second.changes[0].previous is not None and second.changes[0].previous.amount == 2000


def test_r16_an_identical_rerun_changes_nothing() -> None:
    data = inputs([partner("7")], DEAL, ["cus_a"], monthly_invoices("cus_a", 10000, "2025-02", 3))
    first = run(data, "2025-05-01")
    again = run(data, "2025-05-01", first.ledger)
    assert again.changes == () and again.new_payouts == () and again.ledger == first.ledger


def test_r17_late_payment_after_payout_becomes_an_adjustment() -> None:
    p = [partner("7")]
    feb = month_bounds("2025-02")
    conv = invoice("cus_a", "2025-02-01", [line(100000, *feb)], iid="in_1")
    first = run(inputs(p, DEAL, ["cus_a"], [conv]), "2025-03-01")
    assert [po.amount for po in first.new_payouts] == [25000]
    late = invoice("cus_a", "2025-03-20", [line(20000, *feb, item="si_2")], iid="in_2")
    second = run(inputs(p, DEAL, ["cus_a"], [conv, late]), "2025-04-01", first.ledger)
    # Recomputed 1200.00 x 30% (bonus) = 360.00; paid 250.00; adjustment 110.00, found 2025-03.
    adjustment = next(ln for ln in second.ledger.lines if ln.kind is LineKind.ADJUSTMENT)
    assert (adjustment.id, adjustment.amount) == ("vmcl_7_cus_a_2025-02_adjustment_2025-03", 11000)
    assert adjustment.explanation.startswith(
        "R17 adjustment for 2025-02 found 2025-03: recomputed 360.00 - already paid out 250.00 = 110.00")
    # It is below the 200.00 minimum, so it waits for the next payout point.
    assert second.new_payouts == ()
    frozen = next(ln for ln in second.ledger.lines if ln.kind is LineKind.RECURRING)
    assert frozen == first.ledger.lines[0]


def test_r17_credit_note_after_payout_is_reported_unrecovered_not_clawed_back() -> None:
    p = [partner("7")]
    feb = month_bounds("2025-02")
    first = run(inputs(p, DEAL, ["cus_a"], [invoice("cus_a", "2025-02-01", [line(100000, *feb)], iid="in_1")]),
                "2025-03-01")
    refunded = [invoice("cus_a", "2025-02-01", [line(100000, *feb)], credited=40000, iid="in_1")]
    second = run(inputs(p, DEAL, ["cus_a"], refunded), "2025-04-01", first.ledger)
    assert second.ledger.lines == first.ledger.lines
    assert [(u.frozen_amount, u.recomputed_amount, u.difference) for u in second.unrecovered] == [
        (25000, 15000, 10000)]


def test_r20_every_line_has_an_explanation_citing_rules() -> None:
    decisions = run(inputs([partner("7", tier=Tier.REFERRAL)], DEAL, ["cus_a"],
                           monthly_invoices("cus_a", 20000, "2025-02", 2)), "2025-04-01")
    assert [ln.explanation for ln in decisions.ledger.lines] == [
        "R11 basis 200.00 (sub_1: 200.00) x R12 20% (referral) = 40.00; month 1/12 (R13)",
        "R11 basis 200.00 (sub_1: 200.00) x R12 20% (referral) = 40.00; month 2/12 (R13)",
    ]


def test_r17_two_late_payments_in_one_month_make_one_open_adjustment_never_a_paid_one() -> None:
    base = {"partners": [partner("8")], "deals": [registration("1002", "cus_b", "8", "2024-12-05")],
            "customers": ["cus_b"]}
    bills = monthly_invoices("cus_b", 100000, "2025-01", 3)
    late1 = invoice("cus_b", "2025-03-31T12:00:00", [line(10000, *month_bounds("2025-01"), item="si_x", sub="sub_x")])
    late2 = invoice("cus_b", "2025-04-01T12:00:00", [line(20000, *month_bounds("2025-01"), item="si_y", sub="sub_y")])
    a = run(inputs(**base, invoices=bills[:2]), "2025-03-01")
    b = run(inputs(**base, invoices=[*bills, late1]), "2025-04-01", a.ledger)
    c = run(inputs(**base, invoices=[*bills, late1, late2]), "2025-04-02", b.ledger)
    # January: 1000.00 x 25% = 250.00 paid in a's payout. b: basis 1100.00 x 30% = 330.00,
    # adjustment 80.00 found 2025-03, payable from the April point, so still open; c: basis
    # 1300.00 x 30% = 390.00, the same open adjustment replaced by 140.00.
    adjustment_id = "vmcl_8_cus_b_2025-01_adjustment_2025-03"
    assert amounts(b)[adjustment_id] == 8000
    assert amounts(c)[adjustment_id] == 14000
    assert next(ln for ln in c.ledger.lines if ln.id == adjustment_id).payout_id is None
    assert c.ledger.payouts == b.ledger.payouts
    lines = {ln.id: ln for ln in c.ledger.lines}
    for payout in c.ledger.payouts:
        assert payout.amount == sum(lines[line_id].amount for line_id in payout.line_ids)
