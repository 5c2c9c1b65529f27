"""Stripe customers, products, prices, coupons and Connect accounts.

Each object is a deep copy of Stripe's example for its resource with fields set, so
it has exactly the reference's keys (``reference.reference``).
"""

from __future__ import annotations

from datetime import datetime

from sandbox.synthetic.clock import epoch, stripe_id
from sandbox.synthetic.reference import JsonObject, reference
from sandbox.synthetic.specs import CouponSpec, CustomerSpec, PriceSpec, ProductSpec


def _address(country: str, city: str | None = None) -> JsonObject:
    return {"city": city, "country": country, "line1": None, "line2": None,
            "postal_code": None, "state": None}


def customer(spec: CustomerSpec, invoice_count: int = 0) -> JsonObject:
    obj = reference("customer")
    obj.update(
        id=spec.customer_id, created=epoch(spec.created), email=spec.email, name=spec.name,
        description=spec.description, currency=spec.currency, discount=None,
        address=_address(spec.country), shipping=None, preferred_locales=["fr"],
        invoice_prefix=spec.customer_id[4:12].upper(), next_invoice_sequence=invoice_count + 1,
        metadata={} if spec.hubspot_deal_id is None else {"hubspot_deal_id": spec.hubspot_deal_id},
    )
    return obj


def product(spec: ProductSpec, default_price: str | None, created: datetime) -> JsonObject:
    obj = reference("product")
    obj.update(
        id=spec.id, name=spec.name, description=spec.description, default_price=default_price,
        created=epoch(created), updated=epoch(created), package_dimensions=None,
        shippable=None, type="service", images=[], marketing_features=[],
    )
    return obj


def price(spec: PriceSpec, created: datetime) -> JsonObject:
    obj = reference("price")
    obj.update(
        id=spec.id, product=spec.product_id, nickname=spec.nickname, currency=spec.currency,
        created=epoch(created), unit_amount=spec.unit_amount,
        unit_amount_decimal=str(spec.unit_amount), custom_unit_amount=None,
        transform_quantity=None, lookup_key=None, type="recurring",
        tax_behavior="exclusive",
    )
    obj["recurring"].update(interval=spec.interval, interval_count=spec.interval_count)
    return obj


def coupon(spec: CouponSpec, created: datetime, times_redeemed: int) -> JsonObject:
    obj = reference("coupon")
    obj.update(
        id=spec.id, name=spec.name, percent_off=spec.percent_off, amount_off=None,
        currency=None, duration="repeating", duration_in_months=spec.duration_in_months,
        created=epoch(created), redeem_by=None, times_redeemed=times_redeemed, valid=True,
    )
    return obj


def discount_id(coupon_id: str, subscription_id: str) -> str:
    return stripe_id("di", f"{coupon_id}/{subscription_id}")


def account(account_id: str, name: str, email: str, url: str | None, created: datetime,
            transfers_active: bool, company_id: str) -> JsonObject:
    """An Express Connect account; one whose transfers capability is inactive has
    requirements past due and cannot receive transfers (R26). Its metadata names the
    HubSpot company it was onboarded for, as the platform's onboarding records it (R32
    reads it)."""
    obj = reference("account")
    obj.update(
        metadata={"hubspot_company_id": company_id},
        id=account_id, email=email, created=epoch(created), country="FR",
        default_currency="eur", type="express", business_type="company",
        charges_enabled=transfers_active, payouts_enabled=transfers_active,
        details_submitted=True,
        capabilities={"card_payments": "inactive",
                      "transfers": "active" if transfers_active else "inactive"},
    )
    obj["business_profile"].update(name=name, url=url, mcc="7372",
                                   product_description="Partner of the VMC cloud programme")
    obj["external_accounts"]["url"] = f"/v1/accounts/{account_id}/external_accounts"
    obj["settings"]["dashboard"]["display_name"] = name
    _requirements(obj["requirements"], transfers_active)
    _requirements(obj["future_requirements"], True)
    return obj


def _requirements(requirements: JsonObject, satisfied: bool) -> None:
    due = [] if satisfied else ["external_account", "tos_acceptance.date", "tos_acceptance.ip"]
    requirements.update(currently_due=due, eventually_due=list(due), past_due=list(due),
                        disabled_reason=None if satisfied else "requirements.past_due",
                        current_deadline=None)
