"""R13's "commission ends on" (docs/rules.md R13), tested directly, dates worked out by hand.

The engine gives the window's last month; HubSpot shows that month's last day.
"""

from datetime import date, timedelta

from sync.config.programme_file import default_programme, programme_from_mapping
from sync.domain.decisions import AttributionStatus, CustomerAttribution
from sync.domain.inputs import CommissionOption, Partner, Tier, TouchKind
from sync.domain.terms import Programme
from sync.engine.commission import commission_end_month
from tests.engine.builders import at, history, partner


def won(converted: str, option: CommissionOption = CommissionOption.RECURRING) -> CustomerAttribution:
    return CustomerAttribution("cus_a", AttributionStatus.ATTRIBUTED, at(converted), "7",
                               TouchKind.DEAL_REGISTRATION, "1", option, Tier.REFERRAL)


def ends_on(attribution: CustomerAttribution, owner: Partner | None, as_of: str,
            programme: Programme | None = None) -> date | None:
    month = commission_end_month(attribution, owner, at(as_of), programme or default_programme())
    if month is None:
        return None
    year, index = divmod(month + 1, 12)
    return date(year, index + 1, 1) - timedelta(days=1)  # the day before the next month


def test_r13_a_window_ends_with_its_last_month_by_the_tier_at_as_of() -> None:
    # docs/rules.md's example: converted January 2025 (month 0). Referral, 12 months: months
    # 0..11 are January..December 2025, so 2025-12-31. Promoted to partner on 2025-04-20:
    # 24 months, January 2025..December 2026, so 2026-12-31 once as_of is after the promotion.
    tier = history(("2024-01-01", Tier.REFERRAL), ("2025-04-20", Tier.PARTNER))
    customer = won("2025-01-10T09:00:00")
    assert ends_on(customer, partner("7", tier=tier), "2025-04-01") == date(2025, 12, 31)
    assert ends_on(customer, partner("7", tier=tier), "2025-05-01") == date(2026, 12, 31)


def test_r13_uses_the_terms_in_force_at_as_of() -> None:
    # A 6-month referral window effective 2025-03-01: at as_of 2025-04-01 a February 2025
    # conversion ends with month 5, July 2025: 2025-07-31 (12 months would give 2026-01-31).
    programme = programme_from_mapping({"amendments": [
        {"effective_from": date(2025, 3, 1), "tiers": {"referral": {"window_months": 6}}}]})
    owner = partner("7", tier=Tier.REFERRAL)
    assert ends_on(won("2025-02-01T09:00:00"), owner, "2025-04-01", programme) == date(2025, 7, 31)


def test_r13_a_permanent_window_has_no_end() -> None:
    assert ends_on(won("2025-01-10T09:00:00"), partner("7", tier=Tier.PREMIER), "2028-06-01") is None


def test_r13_flat_and_reseller_customers_end_with_their_conversion_month() -> None:
    # Converted 2025-01-10: the flat line is January's, a reseller earns nothing: 2025-01-31.
    flat = won("2025-01-10T09:00:00", CommissionOption.FLAT)
    reseller = won("2025-01-10T09:00:00", CommissionOption.RESELLER)
    assert ends_on(flat, partner("7", tier=Tier.REFERRAL), "2025-06-01") == date(2025, 1, 31)
    assert ends_on(reseller, partner("7", tier=Tier.PREMIER), "2025-06-01") == date(2025, 1, 31)


def test_r13_no_tier_at_as_of_ends_with_the_last_closed_month() -> None:
    # Tier cleared on 2025-06-10; as_of 2025-07-15 closes June 2025: nothing more accrues,
    # so 2025-06-30, although the referral window would run to 2025-12-31. A partner no
    # longer read (None) has no tier at as_of either.
    cleared = partner("7", tier=history(("2024-01-01", Tier.REFERRAL), ("2025-06-10", None)))
    assert ends_on(won("2025-01-10T09:00:00"), cleared, "2025-07-15") == date(2025, 6, 30)
    assert ends_on(won("2025-01-10T09:00:00"), None, "2025-07-15") == date(2025, 6, 30)


def test_r13_conversion_in_the_open_month() -> None:
    # as_of 2025-07-15: June 2025 is the last closed month, July is open. Converted
    # 2025-07-03 with a referral tier at as_of: months 0..11 are July 2025..June 2026, so
    # 2026-06-30. With the tier cleared on 2025-07-10 (no tier at as_of), the last closed
    # month: 2025-06-30, before the conversion, since nothing accrues any more.
    customer = won("2025-07-03T09:00:00")
    assert ends_on(customer, partner("7", tier=Tier.REFERRAL), "2025-07-15") == date(2026, 6, 30)
    cleared = partner("7", tier=history(("2024-01-01", Tier.REFERRAL), ("2025-07-10", None)))
    assert ends_on(customer, cleared, "2025-07-15") == date(2025, 6, 30)


def test_r13_a_customer_not_won_has_no_end() -> None:
    lost = CustomerAttribution("cus_a", AttributionStatus.NO_TOUCH, at("2025-01-10T09:00:00"))
    assert ends_on(lost, partner("7"), "2025-06-01") is None
