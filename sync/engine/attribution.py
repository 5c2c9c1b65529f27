"""Attribution: who wins a Stripe customer (R2-R10a).

Touches of all the customer's deals are candidates, ordered by R4. Each candidate is
checked R5, R8, R7, R6 in that order; its first failure is its status, and the first
candidate that passes wins. R9 (deal registration protection) needs no code: it is R4
and R6 together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sync.domain.decisions import (
    AttributionStatus,
    CandidateVerdict,
    CustomerAttribution,
    FrozenAttribution,
    ReviewItem,
    Touch,
)
from sync.domain.domains import ascii_domain
from sync.domain.inputs import (
    CommissionOption,
    Customer,
    Deal,
    Partner,
    PartnerStatus,
    Tier,
    TouchKind,
)
from sync.domain.terms import Programme
from sync.engine.basis import CustomerBilling
from sync.engine.prepare import Prepared, normalise_code

S = AttributionStatus


def touches_of(deals: Iterable[Deal]) -> list[Touch]:
    """A deal's touches, in R4 order. Touches without an instant never get here: the
    mapping quarantined them (R4: quarantined, not guessed)."""
    touches: list[Touch] = []
    for deal in deals:
        if deal.registered_by and deal.registered_at is not None:
            touches.append(Touch(TouchKind.DEAL_REGISTRATION, deal.registered_at, deal.id,
                                 deal.numeric_id, registered_by=deal.registered_by))
        if deal.referral_code and deal.referral_at is not None:
            touches.append(Touch(TouchKind.REFERRAL_LINK, deal.referral_at, deal.id,
                                 deal.numeric_id, referral_code=deal.referral_code))
    return sorted(touches, key=lambda touch: touch.order_key)


def normalise_domain(domain: str | None) -> str:
    """Lower case, no leading ``www.``, accented names in IDNA form (sync.domain.domains:
    ``café.fr`` and ``xn--caf-dma.fr`` are one domain for R7, R8 and R9)."""
    text = (domain or "").strip()
    text = (ascii_domain(text) or text) if not text.isascii() else text
    return text.casefold().removeprefix("www.")


def resolve_partner(touch: Touch, prepared: Prepared) -> tuple[Partner | None, S | None]:
    """R5: exactly one partner (tier set at the touch instant), active at the instant."""
    if touch.kind is TouchKind.DEAL_REGISTRATION:
        partner = prepared.partners.get(touch.registered_by or "")
        matches = [partner] if partner is not None and partner.tier.at(touch.at) else []
    else:
        code = normalise_code(touch.referral_code)
        matches = [
            partner for partner in prepared.partners_by_code.get(code, [])
            if normalise_code(partner.referral_code.at(touch.at)) == code
            and partner.tier.at(touch.at) is not None
        ]
    if not matches:
        return None, S.UNKNOWN_PARTNER
    if len(matches) > 1:
        return None, S.AMBIGUOUS_PARTNER
    partner = matches[0]
    # No known status (every history entry was quarantined) is not "active": no money on
    # a guess. A partner whose status was simply never set arrives as active (mapping).
    if partner.status.at(touch.at) is not PartnerStatus.ACTIVE:
        return partner, S.PARTNER_INACTIVE
    return partner, None


def option_at_conversion(partner: Partner,
                         converted_at: datetime) -> tuple[CommissionOption, Tier | None]:
    """R2: the option and its fit are fixed at conversion; a misfit falls back to recurring."""
    tier = partner.tier.at(converted_at)
    option = partner.option.at(converted_at) or CommissionOption.RECURRING
    fits = (option is CommissionOption.FLAT and tier is Tier.REFERRAL) or (
        option is CommissionOption.RESELLER and tier is Tier.PREMIER
    )
    return (option if fits else CommissionOption.RECURRING), tier


def is_self_referral(partner: Partner, customer: Customer, deal: Deal | None) -> bool:
    """R8: same non-empty domain (customer email or deal's company), or own customer."""
    if partner.stripe_customer_id and partner.stripe_customer_id == customer.id:
        return True
    partner_domain = normalise_domain(partner.domain)
    if not partner_domain:
        return False
    domains = {normalise_domain(customer.email_domain)}
    if deal is not None:
        domains.add(normalise_domain(deal.company_domain))
    return partner_domain in domains


def check_candidate(touch: Touch, customer: Customer, billing: CustomerBilling,
                    deals: dict[str, Deal], prepared: Prepared,
                    programme: Programme) -> CandidateVerdict:
    partner, failure = resolve_partner(touch, prepared)  # R5
    converted_at = billing.conversion_at
    assert converted_at is not None  # only converted customers are attributed
    if failure is None and partner is not None:
        option, _ = option_at_conversion(partner, converted_at)
        if option is not CommissionOption.RESELLER and is_self_referral(
            partner, customer, deals.get(touch.deal_id)
        ):
            failure = S.SELF_REFERRAL  # R8
        elif billing.first_payment_at is not None and billing.first_payment_at < touch.at:
            failure = S.EXISTING_CUSTOMER  # R7
        else:
            days = programme.terms_at(converted_at).attribution.window_days
            if not timedelta(0) <= converted_at - touch.at <= timedelta(days=days):
                failure = S.EXPIRED  # R6
    partner_id = partner.id if partner is not None else None
    return CandidateVerdict(touch, partner_id, failure or S.ATTRIBUTED)


def _winner(customer_id: str, billing: CustomerBilling, verdicts: list[CandidateVerdict],
            prepared: Prepared) -> CustomerAttribution:
    for verdict in verdicts:
        if verdict.status is S.ATTRIBUTED and verdict.partner_id is not None:
            partner = prepared.partners[verdict.partner_id]
            assert billing.conversion_at is not None
            option, tier = option_at_conversion(partner, billing.conversion_at)
            return CustomerAttribution(
                customer_id, S.ATTRIBUTED, billing.conversion_at, partner.id,
                verdict.touch.kind, verdict.touch.deal_id, option, tier, tuple(verdicts),
            )
    status = verdicts[0].status if verdicts else S.NO_TOUCH
    return CustomerAttribution(customer_id, status, billing.conversion_at,
                               candidates=tuple(verdicts))


def attribute_customer(customer: Customer, billing: CustomerBilling, deals: list[Deal],
                       prepared: Prepared, programme: Programme) -> CustomerAttribution:
    """R3-R10 for one linked customer (R10's customer-level statuses)."""
    if not billing.has_paid_eur and billing.has_paid_other_currency:
        return CustomerAttribution(customer.id, S.UNSUPPORTED_CURRENCY)  # R19
    if billing.conversion_at is None:
        return CustomerAttribution(customer.id, S.NOT_CONVERTED)  # R3
    by_id = {deal.id: deal for deal in deals}
    verdicts: list[CandidateVerdict] = []
    for touch in touches_of(deals):  # R4
        verdict = check_candidate(touch, customer, billing, by_id, prepared, programme)
        verdicts.append(verdict)
        if verdict.status is S.ATTRIBUTED:
            break
    return _winner(customer.id, billing, verdicts, prepared)


def apply_frozen(fresh: CustomerAttribution,
                 frozen: FrozenAttribution) -> tuple[CustomerAttribution, ReviewItem | None]:
    """R10a: a customer with a line in a payout keeps its winner; a change is reviewed."""
    kept = CustomerAttribution(
        fresh.customer_id, S.ATTRIBUTED, frozen.converted_at, frozen.partner_id,
        frozen.source, frozen.deal_id, frozen.option, frozen.tier_at_conversion,
        fresh.candidates, frozen=True,
    )
    same = (fresh.won and fresh.partner_id == frozen.partner_id
            and fresh.source is frozen.source and fresh.deal_id == frozen.deal_id)
    if same:
        return kept, None
    now = (f"partner {fresh.partner_id} via {fresh.source} (deal {fresh.deal_id})"
           if fresh.won else f"status {fresh.status.value}")
    message = (
        f"R10a: customer {fresh.customer_id} is frozen to partner {frozen.partner_id} "
        f"via {frozen.source.value} (deal {frozen.deal_id}) since a line was paid out; "
        f"HubSpot now gives {now}. Attribution unchanged; review the deal history."
    )
    return kept, ReviewItem("R10a", fresh.customer_id, message)


def freeze(attribution: CustomerAttribution) -> FrozenAttribution:
    assert attribution.won and attribution.partner_id and attribution.source
    assert attribution.deal_id and attribution.converted_at and attribution.option
    return FrozenAttribution(
        attribution.customer_id, attribution.partner_id, attribution.source,
        attribution.deal_id, attribution.converted_at, attribution.option,
        attribution.tier_at_conversion,
    )
