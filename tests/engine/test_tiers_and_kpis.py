"""Tier reconciliation R27-R30 and the KPIs of R31, hand-computed."""

from datetime import date
from decimal import Decimal

from sync.config.programme_file import programme_from_mapping
from sync.domain.decisions import Decisions, TierMetrics
from sync.domain.inputs import CommissionOption, Customer, Tier
from sync.domain.months import month_label, parse_month_label
from sync.engine.kpis import programme_kpis
from tests.engine.builders import (
    history,
    inputs,
    invoice,
    line,
    month_bounds,
    monthly_invoices,
    partner,
    referral,
    registration,
    run,
)


def metrics_of(decisions: Decisions, pid: str, month: str) -> TierMetrics:
    wanted = parse_month_label(month)
    return next(m for m in decisions.metrics if m.partner_id == pid and m.month == wanted)


def customers_of(pid: str, count: int, amount: int, first: str, months: int) -> tuple[list, list, list]:  # type: ignore[type-arg]
    deals, customers, invoices = [], [], []
    for n in range(count):
        cid = f"cus_{pid}_{n}"
        deals.append(registration(f"{pid}{n:03d}", cid, pid, "2025-01-05"))
        customers.append(cid)
        invoices += monthly_invoices(cid, amount, first, months)
    return deals, customers, invoices


def test_r27_metrics_count_referred_active_mrr_and_trailing_12() -> None:
    deals, customers, invoices = customers_of("7", 2, 30000, "2025-02", 2)
    # A third customer pays only in February.
    deals.append(registration("7999", "cus_x", "7", "2025-01-05"))
    customers.append("cus_x")
    invoices += monthly_invoices("cus_x", 10000, "2025-02", 1)
    decisions = run(inputs([partner("7")], deals, customers, invoices), "2025-04-01")
    feb, mar = metrics_of(decisions, "7", "2025-02"), metrics_of(decisions, "7", "2025-03")
    assert (feb.referred_clients, feb.active_clients, feb.mrr_brought, feb.trailing12_revenue) == (3, 3, 70000, 70000)
    assert (mar.referred_clients, mar.active_clients, mar.mrr_brought, mar.trailing12_revenue) == (3, 2, 60000, 130000)


def test_r27_counts_flat_and_reseller_customers_past_their_window_too() -> None:
    p = partner("7", tier=Tier.PREMIER, option=CommissionOption.RESELLER)
    deals, customers, invoices = customers_of("7", 1, 40000, "2025-02", 1)
    decisions = run(inputs([p], deals, customers, invoices), "2025-03-01")
    assert decisions.ledger.lines == ()
    assert metrics_of(decisions, "7", "2025-02").mrr_brought == 40000


def test_r27_r29_customers_converted_in_the_open_month_give_a_zero_row_for_the_last_closed_month() -> None:
    # as_of 2025-03-17: February 2025 is the last closed month, March is still open.
    # cus_a converts on 2025-03-01 (its March invoice); cus_b on 2025-03-05, by a late
    # payment of its February invoice, so its February basis is 600.00. Both converted in
    # March, after t_Feb: R27 counts a customer from its conversion month on, so February
    # has referred 0, active 0, MRR 0.00, trailing-12 0.00. Counting cus_b's 600.00 would
    # make this qualified partner eligible for `partner` (MRR >= 500.00, R28); with zeros
    # it is `referral`, and R29 writes that tier (no promotion, no review: tier is referral).
    qualified = {"interview_passed": True, "training_completed": True}
    deals = [registration("1", "cus_a", "7", "2025-02-20"), registration("2", "cus_b", "7", "2025-02-20")]
    invoices = [*monthly_invoices("cus_a", 60000, "2025-03", 1),
                invoice("cus_b", "2025-03-05T09:00:00", [line(60000, *month_bounds("2025-02"))])]
    data = inputs([partner("7", tier=Tier.REFERRAL, **qualified)], deals, ["cus_a", "cus_b"], invoices)
    decisions = run(data, "2025-03-17")
    assert [(month_label(m.month), m.referred_clients, m.active_clients, m.mrr_brought,
             m.trailing12_revenue, m.eligible_tier, m.mdf) for m in decisions.metrics] == [
        ("2025-02", 0, 0, 0, 0, Tier.REFERRAL, 0)]
    assert [(p.partner_id, p.current_tier, p.eligible_tier, p.promote, p.review)
            for p in decisions.promotions] == [("7", Tier.REFERRAL, Tier.REFERRAL, False, "")]


def test_r28_eligible_tiers() -> None:
    qualified = {"interview_passed": True, "training_completed": True}
    # 3 referred clients and qualified -> partner; not qualified -> referral.
    deals, customers, invoices = customers_of("7", 3, 1000, "2025-02", 1)
    d2, c2, i2 = customers_of("8", 3, 1000, "2025-02", 1)
    decisions = run(inputs([partner("7", **qualified), partner("8")], deals + d2, customers + c2, invoices + i2),
                    "2025-03-01")
    assert metrics_of(decisions, "7", "2025-02").eligible_tier is Tier.PARTNER
    assert metrics_of(decisions, "8", "2025-02").eligible_tier is Tier.REFERRAL
    # One client at 500.00 MRR is enough for partner too.
    d3, c3, i3 = customers_of("9", 1, 50000, "2025-02", 1)
    decisions = run(inputs([partner("9", **qualified)], d3, c3, i3), "2025-03-01")
    assert metrics_of(decisions, "9", "2025-02").eligible_tier is Tier.PARTNER


def test_r28_premier_needs_revenue_active_clients_and_certification() -> None:
    # 10 clients x 50.00 = 500.00 a month; trailing-12 after 10 months = 5000.00.
    deals, customers, invoices = customers_of("7", 10, 5000, "2025-02", 10)
    data = inputs([partner("7", certified=True)], deals, customers, invoices)
    decisions = run(data, "2025-12-01")
    assert metrics_of(decisions, "7", "2025-10").trailing12_revenue == 450000
    assert metrics_of(decisions, "7", "2025-10").eligible_tier is Tier.REFERRAL
    assert metrics_of(decisions, "7", "2025-11").trailing12_revenue == 500000
    assert metrics_of(decisions, "7", "2025-11").eligible_tier is Tier.PREMIER
    uncertified = run(inputs([partner("7")], deals, customers, invoices), "2025-12-01")
    assert metrics_of(uncertified, "7", "2025-11").eligible_tier is Tier.REFERRAL


def test_r29_promotion_only_when_enabled_and_never_a_demotion() -> None:
    qualified = {"interview_passed": True, "training_completed": True}
    deals, customers, invoices = customers_of("7", 3, 1000, "2025-02", 1)
    data = inputs([partner("7", tier=Tier.REFERRAL, **qualified)], deals, customers, invoices)
    off = run(data, "2025-03-01")
    assert [(p.eligible_tier, p.promote) for p in off.promotions] == [(Tier.PARTNER, False)]
    on = run(data, "2025-03-01", programme=programme_from_mapping({"promotion": {"auto": True}}))
    assert [(p.eligible_tier, p.promote) for p in on.promotions] == [(Tier.PARTNER, True)]
    premier = inputs([partner("7", tier=Tier.PREMIER)], deals, customers, invoices)
    demoted = run(premier, "2025-03-01", programme=programme_from_mapping({"promotion": {"auto": True}}))
    assert [(p.eligible_tier, p.promote) for p in demoted.promotions] == [(Tier.REFERRAL, False)]
    assert "never demotes" in demoted.promotions[0].review
    assert [r.rule for r in demoted.reviews] == ["R29"]


def test_r30_mdf_is_5_percent_per_customer_month_while_premier() -> None:
    tier = history(("2024-01-01", Tier.PARTNER), ("2025-03-05", Tier.PREMIER))
    deals, customers, invoices = customers_of("7", 2, 1010, "2025-02", 2)
    decisions = run(inputs([partner("7", tier=tier)], deals, customers, invoices), "2025-04-01")
    # February: partner at t_Feb, no MDF. March: 5% of 10.10 = 0.505 -> 0.51 per customer.
    assert metrics_of(decisions, "7", "2025-02").mdf == 0
    assert metrics_of(decisions, "7", "2025-03").mdf == 102


def test_r31_kpis_for_a_month() -> None:
    partners = [partner("7", partner_since=date(2024, 12, 1)), partner("8", partner_since=date(2025, 1, 1)),
                partner("9")]
    deals = [registration("1", "cus_a", "7", "2025-01-05"), referral("2", "cus_b", "CODE8", "2025-02-03"),
             registration("3", "cus_c", "9", "2024-06-01")]
    customers = [Customer("cus_a"), Customer("cus_b"), Customer("cus_c"), Customer("cus_d")]
    invoices = (monthly_invoices("cus_a", 40000, "2025-02", 1) + monthly_invoices("cus_b", 20000, "2025-02", 1, pay_day=10)
                + monthly_invoices("cus_c", 30000, "2025-02", 1) + monthly_invoices("cus_d", 10000, "2025-02", 1))
    data = inputs(partners, deals, customers, invoices)
    decisions = run(data, "2025-03-01")
    kpis = programme_kpis(data, decisions, parse_month_label("2025-02"), programme_from_mapping({}))
    # Partner-sourced: a (400.00) + b (200.00) = 600.00 of 1000.00 total MRR = 60%.
    assert (kpis.partners, kpis.engaged_partners, kpis.deals_registered, kpis.conversions) == (3, 2, 0, 2)
    assert (kpis.partner_mrr, kpis.total_mrr, kpis.partner_share) == (60000, 100000, Decimal("0.6000"))
    assert (kpis.avg_mrr_partner, kpis.avg_mrr_direct) == (30000, 20000)  # c expired, d direct
    # Partner 7: 2024-12-01 -> 2025-02-01 = 62 days; partner 8: 2025-01-01 -> 2025-02-10 = 40.
    assert kpis.median_days_to_first_conversion == 51.0
    assert kpis.commission_accrued == 10000 + 5000  # 25% of 400.00 and of 200.00
    assert (kpis.partner_revenue_to_date, kpis.target_share) == (60000, Decimal("0.15"))


def test_r31_a_partner_company_read_twice_counts_once_in_the_kpis() -> None:
    # Company 7 is read twice: prepare quarantines the second copy, so February has
    # 2 partners (7 and 8), not 3. Median days to first conversion: partner 7,
    # 2024-12-01 -> 2025-02-01T09:00 = 62 days; partner 8, 2025-01-01 -> 2025-02-10T09:00
    # = 40 days; median of [40, 62] = 51.0 (with the copy: [40, 62, 62] -> 62.0).
    seven = partner("7", partner_since=date(2024, 12, 1))
    partners = [seven, seven, partner("8", partner_since=date(2025, 1, 1))]
    deals = [registration("1", "cus_a", "7", "2025-01-05"), registration("2", "cus_b", "8", "2025-01-05")]
    invoices = monthly_invoices("cus_a", 40000, "2025-02", 1) + monthly_invoices("cus_b", 20000, "2025-02", 1, pay_day=10)
    data = inputs(partners, deals, ["cus_a", "cus_b"], invoices)
    decisions = run(data, "2025-03-01")
    assert [(q.object_type, q.record_id) for q in decisions.quarantined] == [("company", "7")]
    kpis = programme_kpis(data, decisions, parse_month_label("2025-02"), programme_from_mapping({}))
    assert (kpis.partners, kpis.median_days_to_first_conversion) == (2, 51.0)
