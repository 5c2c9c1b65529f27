"""Attribution R1-R10a: one named test per rule, expectations written by hand."""

from sync.domain.decisions import AttributionStatus as S
from sync.domain.decisions import CustomerAttribution, Decisions, FrozenAttribution, LedgerState
from sync.domain.history import History
from sync.domain.inputs import CommissionOption, Customer, Deal, PartnerStatus, Tier, TouchKind
from tests.engine.builders import (
    at,
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
    status_of,
)


def winner(decisions: Decisions, customer: str = "cus_a") -> CustomerAttribution:
    return next(a for a in decisions.attributions if a.customer_id == customer)


def test_r1_tier_at_an_instant_uses_the_latest_entry_at_or_before_it() -> None:
    # Referral until 2025-03-01, partner from then on: the March line pays 25%, February 20%.
    tier = history(("2024-01-01", Tier.REFERRAL), ("2025-03-01", Tier.PARTNER))
    data = inputs([partner("7", tier=tier)], [registration("1", "cus_a", "7", "2025-01-20")],
                  ["cus_a"], monthly_invoices("cus_a", 10000, "2025-02", 2))
    lines = run(data, "2025-04-01").ledger.lines
    assert [(line.tier, line.amount) for line in lines] == [
        (Tier.REFERRAL, 2000), (Tier.PARTNER, 2500)]


def test_r1_before_the_first_entry_the_earliest_value_applies() -> None:
    tier = history(("2025-06-01", Tier.PREMIER))
    data = inputs([partner("7", tier=tier)], [registration("1", "cus_a", "7", "2025-01-20")],
                  ["cus_a"], monthly_invoices("cus_a", 10000, "2025-02", 1))
    assert run(data, "2025-07-01").ledger.lines[0].amount == 3000  # premier 30%


def test_r1_an_emptied_tier_means_not_a_partner_from_that_instant() -> None:
    tier = history(("2024-01-01", Tier.PARTNER), ("2025-03-15", None))
    data = inputs([partner("7", tier=tier)], [registration("1", "cus_a", "7", "2025-01-20")],
                  ["cus_a"], monthly_invoices("cus_a", 10000, "2025-02", 3))
    # February earns; March and April are after the tier was cleared.
    assert [line.month % 12 + 1 for line in run(data, "2025-05-01").ledger.lines] == [2]


def test_r1_equal_timestamps_the_entry_hubspot_lists_first_wins() -> None:
    stamp = at("2025-01-01")
    tier = History.from_newest_first([(stamp, Tier.PREMIER), (stamp, Tier.REFERRAL)])
    assert tier.at(stamp) is Tier.PREMIER


def test_r2_flat_option_on_a_partner_tier_falls_back_to_recurring() -> None:
    data = inputs([partner("7", tier=Tier.PARTNER, option=CommissionOption.FLAT)],
                  [registration("1", "cus_a", "7", "2025-01-20")], ["cus_a"],
                  monthly_invoices("cus_a", 10000, "2025-02", 2))
    decisions = run(data, "2025-04-01")
    assert winner(decisions).option is CommissionOption.RECURRING
    assert [line.amount for line in decisions.ledger.lines] == [2500, 2500]


def test_r2_option_is_fixed_at_conversion() -> None:
    option = history(("2024-01-01", CommissionOption.FLAT), ("2025-03-01", CommissionOption.RECURRING))
    data = inputs([partner("7", tier=Tier.REFERRAL, option=option)],
                  [registration("1", "cus_a", "7", "2025-01-20")], ["cus_a"],
                  monthly_invoices("cus_a", 10000, "2025-02", 3))
    lines = run(data, "2025-05-01").ledger.lines
    assert [(line.kind.value, line.amount) for line in lines] == [("flat", 10000)]


def test_r3_conversion_is_the_first_paid_eur_invoice_with_amount_paid_above_zero() -> None:
    start, end = month_bounds("2025-02")
    free = invoice("cus_a", "2025-01-25", [line(0, *month_bounds("2025-01"))], amount_paid=0)
    usd = invoice("cus_a", "2025-01-28", [line(5000, start, end)], currency="usd")
    paid = invoice("cus_a", "2025-02-03", [line(10000, start, end)])
    data = inputs([partner("7")], [registration("1", "cus_a", "7", "2025-01-20")], ["cus_a"],
                  [free, usd, paid])
    # The free EUR invoice and the USD one do not convert (R3, R19); the USD payment came
    # after the touch, so R7 does not object either.
    won = winner(run(data, "2025-03-01"))
    assert (won.status, won.converted_at) == (S.ATTRIBUTED, at("2025-02-03"))


def test_r4_earliest_touch_wins_and_registration_beats_link_on_a_tie() -> None:
    deals = [
        referral("5", "cus_a", "CODE8", "2025-01-10"),
        registration("9", "cus_a", "7", "2025-01-10"),
    ]
    data = inputs([partner("7"), partner("8")], deals, ["cus_a"],
                  monthly_invoices("cus_a", 10000, "2025-02", 1))
    won = winner(run(data, "2025-03-01"))
    assert (won.partner_id, won.source, won.deal_id) == ("7", TouchKind.DEAL_REGISTRATION, "9")


def test_r4_tie_of_same_kind_goes_to_the_numerically_lower_deal_id() -> None:
    deals = [registration("10", "cus_a", "8", "2025-01-10"),
             registration("9", "cus_a", "7", "2025-01-10")]
    data = inputs([partner("7"), partner("8")], deals, ["cus_a"],
                  monthly_invoices("cus_a", 10000, "2025-02", 1))
    assert winner(run(data, "2025-03-01")).deal_id == "9"  # 9 < 10 numerically, not as text


def test_r4_a_failing_first_touch_lets_the_next_candidate_win() -> None:
    deals = [referral("1", "cus_a", "NOPE", "2025-01-05"),
             referral("2", "cus_a", "CODE8", "2025-01-06")]
    data = inputs([partner("8")], deals, ["cus_a"], monthly_invoices("cus_a", 10000, "2025-02", 1))
    decisions = run(data, "2025-03-01")
    assert winner(decisions).partner_id == "8"
    assert [v.status for v in winner(decisions).candidates] == [S.UNKNOWN_PARTNER, S.ATTRIBUTED]
    assert status_of(decisions, "1") == status_of(decisions, "2") == "attributed"


def test_r5_codes_compare_trimmed_and_case_insensitively() -> None:
    data = inputs([partner("8", code="Agence-Lyon")],
                  [referral("1", "cus_a", "  agence-LYON ", "2025-01-05")], ["cus_a"],
                  monthly_invoices("cus_a", 10000, "2025-02", 1))
    assert winner(run(data, "2025-03-01")).partner_id == "8"


def test_r5_unknown_ambiguous_and_inactive_partners() -> None:
    partners = [partner("7", code="DUP"), partner("8", code="dup"),
                partner("9", status=PartnerStatus.SUSPENDED)]
    cases = {"cus_u": referral("1", "cus_u", "GHOST", "2025-01-05"),
             "cus_d": referral("2", "cus_d", "DUP", "2025-01-05"),
             "cus_i": registration("3", "cus_i", "9", "2025-01-05"),
             "cus_n": registration("4", "cus_n", "12345", "2025-01-05")}
    invoices = [i for c in cases for i in monthly_invoices(c, 10000, "2025-02", 1)]
    decisions = run(inputs(partners, list(cases.values()), list(cases), invoices), "2025-03-01")
    assert [status_of(decisions, d) for d in "1234"] == [
        "unknown_partner", "ambiguous_partner", "partner_inactive", "unknown_partner"]


def test_r5_code_and_status_are_taken_at_the_touch_instant() -> None:
    code = history(("2024-01-01", "OLD"), ("2025-01-01", "NEW"))
    status = history(("2024-01-01", PartnerStatus.SUSPENDED), ("2025-01-03", PartnerStatus.ACTIVE))
    base = partner("8", status=status)
    p = base.__class__(base.id, base.name, base.domain, base.tier, base.status, base.option, code)
    deals = [referral("1", "cus_a", "OLD", "2025-01-05"), referral("2", "cus_b", "NEW", "2025-01-02"),
             referral("3", "cus_c", "NEW", "2025-01-05")]
    invoices = [i for c in ("cus_a", "cus_b", "cus_c")
                for i in monthly_invoices(c, 10000, "2025-02", 1)]
    decisions = run(inputs([p], deals, ["cus_a", "cus_b", "cus_c"], invoices), "2025-03-01")
    assert [status_of(decisions, d) for d in "123"] == [
        "unknown_partner", "partner_inactive", "attributed"]


def test_r6_conversion_more_than_90_days_after_the_touch_is_expired() -> None:
    # Touch 2024-11-01T09:00, conversion 2025-02-01T09:00: 92 days later.
    deals = [registration("1", "cus_a", "7", "2024-11-01T09:00:00"),
             registration("2", "cus_b", "7", "2024-11-03T09:00:00")]  # exactly 90 days
    invoices = monthly_invoices("cus_a", 10000, "2025-02", 1) + monthly_invoices(
        "cus_b", 10000, "2025-02", 1)
    decisions = run(inputs([partner("7")], deals, ["cus_a", "cus_b"], invoices), "2025-03-01")
    assert status_of(decisions, "1") == "expired"
    assert status_of(decisions, "2") == "attributed"


def test_r7_a_customer_that_paid_before_the_touch_is_existing() -> None:
    deals = [registration("1", "cus_a", "7", "2025-02-10")]
    decisions = run(inputs([partner("7")], deals, ["cus_a"],
                           monthly_invoices("cus_a", 10000, "2025-02", 2)), "2025-04-01")
    assert status_of(decisions, "1") == "existing_customer"
    assert decisions.ledger.lines == ()


def test_r7_a_payment_in_another_currency_before_the_touch_also_counts() -> None:
    start, end = month_bounds("2024-12")
    usd = invoice("cus_a", "2024-12-05", [line(5000, start, end)], currency="usd")
    deals = [registration("1", "cus_a", "7", "2025-01-10")]
    data = inputs([partner("7")], deals, ["cus_a"],
                  [usd, *monthly_invoices("cus_a", 10000, "2025-02", 1)])
    assert status_of(run(data, "2025-03-01"), "1") == "existing_customer"


def test_r8_self_referral_by_email_domain_company_domain_or_own_customer() -> None:
    partners = [partner("7", domain="www.Agence.fr", stripe_customer_id="cus_own")]
    deals = [registration("1", "cus_mail", "7", "2025-01-05"),
             registration("2", "cus_co", "7", "2025-01-05", company_domain="agence.fr"),
             registration("3", "cus_own", "7", "2025-01-05"),
             registration("4", "cus_ok", "7", "2025-01-05", company_domain="client.fr")]
    customers = [Customer("cus_mail", email="boss@AGENCE.fr"), Customer("cus_co"),
                 Customer("cus_own"), Customer("cus_ok", email="ops@client.fr")]
    invoices = [i for c in customers for i in monthly_invoices(c.id, 10000, "2025-02", 1)]
    decisions = run(inputs(partners, deals, customers, invoices), "2025-03-01")
    assert [status_of(decisions, d) for d in "1234"] == [
        "self_referral", "self_referral", "self_referral", "attributed"]


def test_r8_empty_domains_never_match() -> None:
    deals = [registration("1", "cus_a", "7", "2025-01-05", company_domain="")]
    data = inputs([partner("7", domain="")], deals, [Customer("cus_a", email="x@")],
                  monthly_invoices("cus_a", 10000, "2025-02", 1))
    assert status_of(run(data, "2025-03-01"), "1") == "attributed"


def test_r8_not_applied_to_the_reseller_option() -> None:
    data = inputs([partner("7", tier=Tier.PREMIER, option=CommissionOption.RESELLER,
                           domain="msp.eu")],
                  [registration("1", "cus_a", "7", "2025-01-05")],
                  [Customer("cus_a", email="billing@msp.eu")],
                  monthly_invoices("cus_a", 10000, "2025-02", 2))
    decisions = run(data, "2025-04-01")
    assert status_of(decisions, "1") == "attributed"
    assert decisions.ledger.lines == ()  # R2: a reseller earns no commission


def test_r8_checked_before_r7_and_r6() -> None:
    # Self-referral and expired at once: R8 is checked first, so self_referral it is.
    data = inputs([partner("7", domain="agence.fr")],
                  [registration("1", "cus_a", "7", "2024-06-01")],
                  [Customer("cus_a", email="a@agence.fr")],
                  monthly_invoices("cus_a", 10000, "2025-02", 1))
    assert status_of(run(data, "2025-03-01"), "1") == "self_referral"


def test_r9_a_registration_within_90_days_keeps_the_deal_against_a_later_link() -> None:
    deals = [registration("1", "cus_a", "7", "2025-01-02"),
             referral("2", "cus_a", "CODE8", "2025-01-20")]
    data = inputs([partner("7"), partner("8")], deals, ["cus_a"],
                  monthly_invoices("cus_a", 10000, "2025-02", 1))
    assert winner(run(data, "2025-03-01")).partner_id == "7"


def test_r9_a_registration_older_than_90_days_no_longer_protects() -> None:
    deals = [registration("1", "cus_a", "7", "2024-10-01"),
             referral("2", "cus_a", "CODE8", "2025-01-20")]
    data = inputs([partner("7"), partner("8")], deals, ["cus_a"],
                  monthly_invoices("cus_a", 10000, "2025-02", 1))
    decisions = run(data, "2025-03-01")
    assert winner(decisions).partner_id == "8"
    assert [v.status for v in winner(decisions).candidates] == [S.EXPIRED, S.ATTRIBUTED]


def test_r10_statuses_in_order_for_every_case() -> None:
    start, end = month_bounds("2025-02")
    deals = [Deal("1"), Deal("2", stripe_customer_id="cus_missing"),
             registration("3", "cus_usd", "7", "2025-01-05"),
             registration("4", "cus_open", "7", "2025-01-05"),
             Deal("5", stripe_customer_id="cus_direct"),
             registration("6", "cus_late", "7", "2024-06-01")]
    invoices = [invoice("cus_usd", "2025-02-01", [line(100, start, end)], currency="usd"),
                invoice("cus_open", None, [line(100, start, end)]),
                *monthly_invoices("cus_direct", 100, "2025-02", 1),
                *monthly_invoices("cus_late", 100, "2025-02", 1)]
    customers = ["cus_usd", "cus_open", "cus_direct", "cus_late"]
    decisions = run(inputs([partner("7")], deals, customers, invoices), "2025-03-01")
    assert [status_of(decisions, d) for d in "123456"] == [
        "not_linked", "not_linked", "unsupported_currency", "not_converted", "no_touch", "expired"]
    assert decisions.excluded_invoices == tuple(i.id for i in invoices[:1])


def test_r10_sibling_deals_share_the_attribution_and_source() -> None:
    deals = [referral("1", "cus_a", "CODE7", "2025-01-05"), Deal("2", stripe_customer_id="cus_a")]
    decisions = run(inputs([partner("7")], deals, ["cus_a"],
                           monthly_invoices("cus_a", 10000, "2025-02", 1)), "2025-03-01")
    rows = {deal.deal_id: (deal.status.value, deal.partner_id, deal.source) for deal in decisions.deals}
    assert rows == {"1": ("attributed", "7", TouchKind.REFERRAL_LINK),
                    "2": ("attributed", "7", TouchKind.REFERRAL_LINK)}


def test_r10_deal_linked_through_customer_metadata_is_resolved_by_the_mapping() -> None:
    # The mapping resolves metadata.hubspot_deal_id; the engine sees the resolved id.
    deals = [registration("1", "cus_a", "7", "2025-01-05")]
    decisions = run(inputs([partner("7")], deals, [Customer("cus_a", hubspot_deal_id="1")],
                           monthly_invoices("cus_a", 10000, "2025-02", 1)), "2025-03-01")
    assert status_of(decisions, "1") == "attributed"


def test_r10a_frozen_attribution_survives_a_deleted_deal_and_raises_a_review() -> None:
    data = inputs([partner("7"), partner("8")], [registration("1", "cus_a", "7", "2025-01-05")],
                  ["cus_a"], monthly_invoices("cus_a", 100000, "2025-02", 3))
    first = run(data, "2025-03-01")
    assert first.new_payouts and first.ledger.frozen_attributions[0].partner_id == "7"
    # The registration is deleted; a later link from partner 8 would now win.
    changed = inputs([partner("7"), partner("8")], [referral("2", "cus_a", "CODE8", "2025-01-06")],
                     ["cus_a"], monthly_invoices("cus_a", 100000, "2025-02", 3))
    second = run(changed, "2025-05-01", first.ledger)
    assert {line.partner_id for line in second.ledger.lines} == {"7"}
    reviews = [item for item in second.reviews if item.rule == "R10a"]
    assert [item.subject for item in reviews] == ["cus_a"]
    assert "frozen to partner 7" in reviews[0].message


def test_r10a_frozen_attribution_is_kept_from_the_ledger() -> None:
    frozen = FrozenAttribution("cus_a", "7", TouchKind.DEAL_REGISTRATION, "1",
                               at("2025-02-01T09:00:00"), CommissionOption.RECURRING, Tier.PARTNER)
    data = inputs([partner("7")], [], ["cus_a"], monthly_invoices("cus_a", 10000, "2025-02", 1))
    decisions = run(data, "2025-03-01", LedgerState(frozen_attributions=(frozen,)))
    assert winner(decisions).frozen and winner(decisions).partner_id == "7"
    assert [line.amount for line in decisions.ledger.lines] == [2500]


def test_r5_a_partner_whose_status_is_unknown_is_not_active() -> None:
    # Every status entry was quarantined by the mapping: no money on a guess.
    data = inputs([partner("7", status=History(()))], [registration("1", "cus_a", "7", "2025-01-05")],
                  ["cus_a"], monthly_invoices("cus_a", 10000, "2025-02", 1))
    assert status_of(run(data, "2025-03-01"), "1") == "partner_inactive"
