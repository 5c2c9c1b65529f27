"""Basis R11 with R18 (kept ratio) and R19 (currency), hand-computed."""

from datetime import UTC, datetime

from sync.domain.inputs import Invoice, Subscription, Tier
from tests.engine.builders import (
    at,
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
PREMIER = [partner("7", tier=Tier.PREMIER)]  # 30%, permanent window: simple arithmetic


def lines_by_month(invoices: list[Invoice], as_of: str, subs: tuple[Subscription, ...] = ()) -> dict[str, tuple[int, int]]:
    decisions = run(inputs(PREMIER, DEAL, ["cus_a"], invoices, subs), as_of)
    return {f"{ln.month // 12}-{ln.month % 12 + 1:02d}": (ln.basis, ln.amount) for ln in decisions.ledger.lines}


def test_r11_a_line_covers_the_month_whose_end_falls_in_its_period() -> None:
    # Period 2025-02-15 .. 2025-03-15 covers t_Feb (boundary 03-01), not t_Mar.
    start, end = at("2025-02-15"), at("2025-03-15")
    result = lines_by_month([invoice("cus_a", "2025-02-15", [line(10000, start, end)])], "2025-05-01")
    assert result == {"2025-02": (10000, 3000)}


def test_r11_period_end_equal_to_the_boundary_covers_the_month() -> None:
    start, end = month_bounds("2025-02")  # end = 2025-03-01T00:00 exactly: covers t_Feb
    assert lines_by_month([invoice("cus_a", "2025-02-01", [line(10000, start, end)])], "2025-04-01") == {
        "2025-02": (10000, 3000)}


def test_r11_yearly_price_is_normalised_to_twelve_months() -> None:
    start, end = month_bounds("2025-02", 12)
    paid = invoice("cus_a", "2025-02-01", [line(120000, start, end, price="price_year")])
    result = lines_by_month([paid], "2025-05-01")
    assert result == {"2025-02": (10000, 3000), "2025-03": (10000, 3000), "2025-04": (10000, 3000)}


def test_r11_weekly_daily_and_quarterly_normalisation() -> None:
    # Weekly 700.00: 700 x 52/12 = 3033.333.. ; daily 10.00: 10 x 365/12 = 304.1666..;
    # quarterly (month x 3) 300.00: 100.00. One item each, summed then rounded once.
    week = line(70000, at("2025-02-26"), at("2025-03-05"), price="price_week", item="si_w")
    day = line(1000, at("2025-02-28T12:00:00"), at("2025-03-01T12:00:00"), price="price_day", item="si_d")
    quarter = line(30000, *month_bounds("2025-02", 3), price="price_quarter", item="si_q")
    result = lines_by_month([invoice("cus_a", "2025-02-01", [week, day, quarter])], "2025-03-01")
    # 303333.33.. + 30416.66.. + 10000 = 343750.00 cents exactly -> basis 3437.50, 30% = 1031.25
    assert result == {"2025-02": (343750, 103125)}


def test_r11_prorations_are_ignored_and_upgrades_count_from_the_next_period() -> None:
    feb = month_bounds("2025-02")
    upgrade = line(5000, at("2025-02-15"), feb[1], proration=True)
    invoices = [invoice("cus_a", "2025-02-01", [line(10000, *feb)]),
                invoice("cus_a", "2025-02-15", [upgrade]),
                invoice("cus_a", "2025-03-01", [line(20000, *month_bounds("2025-03"))])]
    assert lines_by_month(invoices, "2025-04-01") == {"2025-02": (10000, 3000), "2025-03": (20000, 6000)}


def test_r11_a_plan_switch_counts_only_the_latest_starting_line_per_item() -> None:
    first = line(10000, *month_bounds("2025-02"))
    switched = line(30000, at("2025-02-20"), at("2025-03-20"))  # same item si_1, starts later
    invoices = [invoice("cus_a", "2025-02-01", [first]), invoice("cus_a", "2025-02-20", [switched])]
    assert lines_by_month(invoices, "2025-03-01") == {"2025-02": (30000, 9000)}


def test_r11_two_items_both_count() -> None:
    feb = month_bounds("2025-02")
    paid = invoice("cus_a", "2025-02-01", [line(10000, *feb), line(5000, *feb, item="si_2")])
    assert lines_by_month([paid], "2025-03-01") == {"2025-02": (15000, 4500)}


def test_r11_discounts_are_subtracted_and_tax_is_not_part_of_it() -> None:
    paid = invoice("cus_a", "2025-02-01", [line(10000, *month_bounds("2025-02"), discount=2500)],
                   total=9000, amount_paid=9000)  # total with 15.00 tax on 75.00
    assert lines_by_month([paid], "2025-03-01") == {"2025-02": (7500, 2250)}


def test_r11_unpaid_and_later_paid_invoices() -> None:
    feb = month_bounds("2025-02")
    late = invoice("cus_a", "2025-03-20", [line(10000, *feb)])
    conv = invoice("cus_a", "2025-01-20", [line(10000, *month_bounds("2025-01"))])
    # Paid after t_Feb but before as_of: counts (R11: paid_at not after as_of).
    assert lines_by_month([conv, late], "2025-04-01") == {"2025-01": (10000, 3000), "2025-02": (10000, 3000)}
    # Paid after as_of: not paid yet.
    assert lines_by_month([conv, late], "2025-03-15") == {"2025-01": (10000, 3000)}


def test_r11_a_subscription_ended_at_t_m_does_not_count() -> None:
    ended = (Subscription("sub_1", "cus_a", ended_at=at("2025-03-10")),)
    invoices = monthly_invoices("cus_a", 10000, "2025-02", 2)
    # t_Feb: not ended (ends later), t_Mar: ended on 03-10 < 04-01.
    assert lines_by_month(invoices, "2025-05-01", ended) == {"2025-02": (10000, 3000)}


def test_r11_churn_stops_commission_and_return_resumes_it() -> None:
    invoices = monthly_invoices("cus_a", 10000, "2025-02", 1) + monthly_invoices("cus_a", 10000, "2025-05", 1)
    assert lines_by_month(invoices, "2025-06-01") == {"2025-02": (10000, 3000), "2025-05": (10000, 3000)}


def test_r11_basis_is_rounded_once_half_up() -> None:
    # Three weekly-priced items of 1.00: each 1.00 x 52/12 = 4.3333.. cents x100 -> 433.33..
    items = [line(100, at("2025-02-26"), at("2025-03-05"), price="price_week", item=f"si_{n}") for n in range(3)]
    # Sum 1300 cents exactly (3 x 433.33..): rounding per line would give 1299.
    assert lines_by_month([invoice("cus_a", "2025-02-26", items)], "2025-03-01") == {"2025-02": (1300, 390)}


def test_r18_credit_note_after_payment_keeps_a_ratio() -> None:
    paid = invoice("cus_a", "2025-02-01", [line(10000, *month_bounds("2025-02"))], credited=2500)
    assert lines_by_month([paid], "2025-03-01") == {"2025-02": (7500, 2250)}


def test_r18_fully_credited_and_credit_balance_invoices_contribute_nothing() -> None:
    feb, mar = month_bounds("2025-02"), month_bounds("2025-03")
    conv = invoice("cus_a", "2025-01-20", [line(10000, *month_bounds("2025-01"))])
    credited = invoice("cus_a", "2025-02-01", [line(10000, *feb)], credited=10000)
    from_balance = invoice("cus_a", "2025-03-01", [line(10000, *mar)], amount_paid=0)
    assert lines_by_month([conv, credited, from_balance], "2025-04-01") == {"2025-01": (10000, 3000)}


def test_r18_ratio_is_clamped_and_zero_total_is_zero() -> None:
    over = invoice("cus_a", "2025-02-01", [line(10000, *month_bounds("2025-02"))], amount_paid=12000)
    assert lines_by_month([over], "2025-03-01") == {"2025-02": (10000, 3000)}


def test_r19_other_currencies_take_no_part_and_are_listed() -> None:
    feb = month_bounds("2025-02")
    usd = invoice("cus_a", "2025-02-01", [line(99900, *feb, item="si_usd")], currency="usd", iid="in_usd")
    eur = invoice("cus_a", "2025-02-01", [line(10000, *feb)])
    decisions = run(inputs(PREMIER, DEAL, ["cus_a"], [usd, eur]), "2025-03-01")
    assert [(ln.basis, ln.amount) for ln in decisions.ledger.lines] == [(10000, 3000)]
    assert decisions.excluded_invoices == ("in_usd",)


def test_r11_months_are_calendar_months_in_utc() -> None:
    assert datetime(2025, 3, 1, tzinfo=UTC) == month_bounds("2025-02")[1]
