"""Deal registration's rules (docs/portal.md, Deal registration): each refusal with its
rule id, and the protection a partner sees (R6, R9)."""

from __future__ import annotations

from sync.domain.history import History
from sync.domain.inputs import Customer, Deal, Inputs, Invoice, PartnerStatus, Tier
from sync.engine.registration import (
    Prospect,
    Protection,
    Refusal,
    Registered,
    check_registration,
    customer_domains,
    deal_registrations,
    protection,
)
from tests.engine.builders import at, partner

NOW = at("2026-06-01T12:00:00")
WINDOW = 90
PROSPECT = Prospect("Globex", "globex.fr", "ceo@globex.fr", "GPU L40S")


def check(prospect: Prospect = PROSPECT, who: object = "default",
          registered: tuple[Registered, ...] = (), customers: frozenset[str] = frozenset()
          ) -> Refusal | None:
    chosen = partner("101", domain="acme.fr") if who == "default" else who
    return check_registration(prospect, chosen, registered, customers,  # type: ignore[arg-type]
                              NOW, WINDOW)


def test_a_partner_tier_partner_registers_a_new_domain() -> None:
    assert check() is None
    assert check(who=partner("101", tier=Tier.PREMIER)) is None


def test_referral_tier_no_tier_and_unknown_partner_are_refused() -> None:  # R5, programme
    assert check(who=partner("101", tier=Tier.REFERRAL)) is Refusal.TIER
    assert check(who=partner("101", tier=History(()))) is Refusal.TIER
    assert check(who=None) is Refusal.TIER


def test_the_tier_is_the_one_held_now() -> None:  # R1: history at the instant
    promoted = History(((at("2026-01-01"), Tier.REFERRAL), (at("2026-06-01T13:00:00"),
                                                             Tier.PARTNER)))
    assert check(who=partner("101", tier=promoted)) is Refusal.TIER


def test_an_inactive_partner_is_refused() -> None:  # R5
    assert check(who=partner("101", status=PartnerStatus.SUSPENDED)) is Refusal.INACTIVE
    assert check(who=partner("101", status=History(()))) is Refusal.INACTIVE


def test_the_partners_own_domain_is_refused() -> None:  # R8
    assert check(Prospect("Acme", "acme.fr", "a@acme.fr", "x")) is Refusal.OWN_DOMAIN
    www = partner("101", domain="WWW.Acme.FR")
    assert check(Prospect("Acme", "acme.fr", "a@acme.fr", "x"), who=www) is Refusal.OWN_DOMAIN


def test_an_existing_customer_is_refused() -> None:  # R7
    assert check(customers=frozenset({"globex.fr"})) is Refusal.EXISTING_CUSTOMER


def test_a_domain_registered_less_than_90_days_ago_is_refused() -> None:  # R6, R9
    day_89 = Registered("globex.fr", at("2026-03-04T12:00:01"), "202")
    assert check(registered=(day_89,)) is Refusal.ALREADY_REGISTERED
    own = Registered("www.globex.fr", at("2026-05-31"), "101")  # its own, too
    assert check(registered=(own,)) is Refusal.ALREADY_REGISTERED


def test_a_registration_90_days_old_protects_no_more() -> None:  # R6
    day_90 = Registered("globex.fr", at("2026-03-03T12:00:00"), "202")
    assert check(registered=(day_90,)) is None
    assert check(registered=(Registered("other.fr", NOW, "202"),)) is None


def test_refusals_come_in_attributions_order() -> None:  # R4: R5, R8, R7, R6
    taken = (Registered("acme.fr", NOW, "202"),)
    own = Prospect("Acme", "acme.fr", "a@acme.fr", "x")
    assert check(own, registered=taken, customers=frozenset({"acme.fr"})) is Refusal.OWN_DOMAIN
    assert check(registered=(Registered("globex.fr", NOW, "2"),),
                 customers=frozenset({"globex.fr"})) is Refusal.EXISTING_CUSTOMER


def _invoice(customer: str, paid: str | None, amount: int) -> Invoice:
    return Invoice(f"in_{customer}", customer, "eur", "paid" if paid else "open", amount,
                   amount, 0, at(paid) if paid else None)


def test_customers_are_those_who_paid_more_than_zero_by_now() -> None:  # R7, R3
    inputs = Inputs(
        customers=(Customer("cus_1", "a@Paid.fr"), Customer("cus_2", "b@free.fr"),
                   Customer("cus_3", "c@later.fr"), Customer("cus_4", "d@open.fr")),
        deals=(Deal("9", stripe_customer_id="cus_1", company_domain="www.paid-company.fr"),
               Deal("8", stripe_customer_id="cus_2", company_domain="free-company.fr")),
        invoices=(_invoice("cus_1", "2026-01-01", 100), _invoice("cus_2", "2026-01-01", 0),
                  _invoice("cus_3", "2026-07-01", 100), _invoice("cus_4", None, 0)))
    assert customer_domains(inputs, NOW) == {"paid.fr", "paid-company.fr"}


def test_accented_domains_compare_in_their_idna_form() -> None:  # R7, R8, R9
    """café.fr (a customer's email, a partner's or a deal's company) is the portal's
    xn--caf-dma.fr: one domain (sync.domain.domains)."""
    cafe = Prospect("Café", "xn--caf-dma.fr", "chef@xn--caf-dma.fr", "VPS S")
    inputs = Inputs(customers=(Customer("cus_1", "chef@Café.fr"),),
                    invoices=(_invoice("cus_1", "2026-01-01", 100),))
    assert customer_domains(inputs, NOW) == {"xn--caf-dma.fr"}
    assert check(cafe, customers=frozenset(customer_domains(inputs, NOW))) is (
        Refusal.EXISTING_CUSTOMER)
    assert check(cafe, who=partner("101", domain="www.CAFÉ.fr")) is Refusal.OWN_DOMAIN
    assert check(cafe, registered=(Registered("café.fr", NOW, "202"),)) is (
        Refusal.ALREADY_REGISTERED)


def test_hubspot_deals_registrations_count_by_their_company_domain() -> None:  # R9
    inputs = Inputs(deals=(
        Deal("1", registered_by="202", registered_at=at("2026-05-01"),
             company_domain="www.Globex.fr"),
        Deal("2", registered_by="202", registered_at=at("2026-05-01")),  # no company
        Deal("3", referral_code="X", referral_at=at("2026-05-01"), company_domain="z.fr")))
    assert list(deal_registrations(inputs)) == [
        Registered("globex.fr", at("2026-05-01"), "202")]


def test_protection_until_the_window_ends_unless_converted() -> None:  # R6, R9
    made = at("2026-03-03T12:00:00")
    until = at("2026-06-01T12:00:00")
    assert protection(made, False, at("2026-06-01T11:59:59"), WINDOW) == (
        Protection.PROTECTED, until)
    assert protection(made, False, NOW, WINDOW) == (Protection.EXPIRED, until)
    assert protection(made, True, NOW, WINDOW) == (Protection.CONVERTED, until)


def test_a_registration_hubspot_refused_protects_nothing() -> None:  # R6, R9
    """Shown as refused, never "protected until", as check_registration ignores it."""
    made = at("2026-05-31T12:00:00")
    assert protection(made, False, NOW, WINDOW, refused=True) == (
        Protection.REFUSED, at("2026-08-29T12:00:00"))
