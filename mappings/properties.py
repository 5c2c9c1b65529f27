"""Every HubSpot property and object name, and every Stripe metadata key (docs/configuration.md).

This module is the one place those names live: defaults are docs/configuration.md's, and a portal
whose names differ overrides them with :meth:`PropertyMap.from_overrides`. Each custom
property also carries what ``hubspot setup`` needs to create it (type, field type,
label, options, uniqueness), so creating and reading share one declaration.
HubSpot's own properties (``name``, ``domain``, ``dealname``) carry no schema.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self

from sync.domain.decisions import AttributionStatus, LineKind, PayoutStatus
from sync.domain.inputs import CommissionOption, PartnerStatus, Tier, TouchKind


class PropertyMapError(ValueError):
    """An override names an unknown section or key, or gives an invalid name."""


class PropertyType(StrEnum):
    """HubSpot property ``type`` values, with the ``fieldType`` each is created with."""

    ENUMERATION = "enumeration"
    NUMBER = "number"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"

    @property
    def field_type(self) -> str:
        return _FIELD_TYPES[self]


_FIELD_TYPES = {
    PropertyType.ENUMERATION: "select",
    PropertyType.NUMBER: "number",
    PropertyType.STRING: "text",
    PropertyType.DATE: "date",
    PropertyType.DATETIME: "date",
    PropertyType.BOOL: "booleancheckbox",
}


@dataclass(frozen=True, slots=True)
class PropertySchema:
    """How ``hubspot setup`` creates a property; the name comes from the map."""

    type: PropertyType
    label: str
    options: tuple[str, ...] = ()  # enumeration values, in display order
    unique: bool = False
    field_type: str | None = None  # None: the type's default field type

    @property
    def resolved_field_type(self) -> str:
        return self.field_type or self.type.field_type


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


ENUM = PropertyType.ENUMERATION
NUMBER = PropertyType.NUMBER
STRING = PropertyType.STRING
DATE = PropertyType.DATE
DATETIME = PropertyType.DATETIME
BOOL = PropertyType.BOOL
TIERS = _values(Tier)
LINE_STATUSES = ("accrued", "paid", "void")
PAYOUT_METHODS = ("stripe_transfer", "manual")


def _prop(
    name: str,
    kind: PropertyType | None = None,
    label: str = "",
    *,
    options: tuple[str, ...] = (),
    unique: bool = False,
    field_type: str | None = None,
    read: bool = False,
    history: bool = False,
) -> str:
    """A property name with its metadata: schema (None for HubSpot's own), read flags."""
    schema = None if kind is None else PropertySchema(kind, label, options, unique, field_type)
    metadata = {"schema": schema, "read": read, "history": history}
    field: str = dataclasses.field(default=name, metadata=metadata)
    return field


def _name(value: str) -> str:
    """A field that is not a property (an object or group name)."""
    field: str = dataclasses.field(default=value, metadata={"schema": None, "kind": "name"})
    return field


@dataclass(frozen=True, slots=True)
class CompanyProperties:
    group_name: str = _name("vmc_partner_programme")
    # read (R1 with history: tier, status, option, referral code)
    name: str = _prop("name", read=True)
    domain: str = _prop("domain", read=True)  # R8
    tier: str = _prop("vmc_partner_tier", ENUM, "Partner tier", options=TIERS,
                      read=True, history=True)
    status: str = _prop("vmc_partner_status", ENUM, "Partner status",
                        options=_values(PartnerStatus), read=True, history=True)
    option: str = _prop("vmc_commission_option", ENUM, "Commission option",
                        options=_values(CommissionOption), read=True, history=True)
    referral_code: str = _prop("vmc_referral_code", STRING, "Referral code", unique=True,
                               read=True, history=True)
    stripe_account_id: str = _prop("vmc_stripe_account_id", STRING, "Stripe Connect account",
                                   read=True)
    stripe_customer_id: str = _prop("vmc_stripe_customer_id", STRING, "Stripe customer",
                                    read=True)
    partner_since: str = _prop("vmc_partner_since", DATE, "Partner since", read=True)
    interview_passed: str = _prop("vmc_interview_passed", BOOL, "Interview passed", read=True)
    training_completed: str = _prop("vmc_training_completed", BOOL, "Training completed",
                                    read=True)
    certified: str = _prop("vmc_certified", BOOL, "Certified", read=True)
    # R32: the confirmed payout destination; written by the worker, and an approver may
    # set it to confirm a new account (who set it is read from its history)
    confirmed_stripe_account_id: str = _prop(
        "vmc_confirmed_stripe_account_id", STRING, "Confirmed Stripe Connect account",
        read=True, history=True)
    payout_hold: str = _prop("vmc_payout_hold", STRING, "Payout hold",
                             field_type="textarea")  # R32, R35: why, empty when none
    # written (R27-R29, ledger totals)
    eligible_tier: str = _prop("vmc_eligible_tier", ENUM, "Eligible tier", options=TIERS)
    tier_review: str = _prop("vmc_tier_review", STRING, "Tier review", field_type="textarea")
    referred_clients: str = _prop("vmc_referred_clients", NUMBER, "Referred clients")
    active_clients: str = _prop("vmc_active_clients", NUMBER, "Active clients")
    mrr_brought: str = _prop("vmc_mrr_brought", NUMBER, "MRR brought (EUR)")
    trailing12_revenue: str = _prop("vmc_trailing12_revenue", NUMBER,
                                    "Trailing 12-month revenue (EUR)")
    commission_accrued_total: str = _prop("vmc_commission_accrued_total", NUMBER,
                                          "Commission accrued (EUR)")
    commission_paid_total: str = _prop("vmc_commission_paid_total", NUMBER,
                                       "Commission paid (EUR)")
    commission_balance: str = _prop("vmc_commission_balance", NUMBER,
                                    "Commission balance (EUR)")
    mdf_accrued_total: str = _prop("vmc_mdf_accrued_total", NUMBER, "MDF accrued (EUR)")
    last_payout_date: str = _prop("vmc_last_payout_date", DATE, "Last payout date")
    synced_at: str = _prop("vmc_synced_at", DATETIME, "Synced at")
    # deal registration: the portal's registration that created the company (upsert key)
    registration_id: str = _prop("vmc_registration_id", STRING, "Registration id",
                                 unique=True)


@dataclass(frozen=True, slots=True)
class DealProperties:
    group_name: str = _name("vmc_partner_programme")
    # read
    name: str = _prop("dealname", read=True)
    stripe_customer_id: str = _prop("vmc_stripe_customer_id", STRING, "Stripe customer",
                                    read=True)
    referral_code: str = _prop("vmc_referral_code", STRING, "Referral code", read=True)
    referral_at: str = _prop("vmc_referral_at", DATETIME, "Referral at", read=True)
    registered_by: str = _prop("vmc_registered_by", STRING, "Registered by (partner id)",
                               read=True)
    registered_at: str = _prop("vmc_registered_at", DATETIME, "Registered at", read=True)
    # deal registration: the portal's registration that created the deal (upsert key)
    registration_id: str = _prop("vmc_registration_id", STRING, "Registration id",
                                 unique=True)
    # written (R10)
    attribution_status: str = _prop("vmc_attribution_status", ENUM, "Attribution status",
                                    options=_values(AttributionStatus))
    attributed_partner_id: str = _prop("vmc_attributed_partner_id", STRING,
                                       "Attributed partner")
    attribution_source: str = _prop("vmc_attribution_source", ENUM, "Attribution source",
                                    options=_values(TouchKind))
    converted_at: str = _prop("vmc_converted_at", DATETIME, "Converted at")
    commission_accrued: str = _prop("vmc_commission_accrued", NUMBER,
                                    "Commission accrued (EUR)")
    commission_paid: str = _prop("vmc_commission_paid", NUMBER, "Commission paid (EUR)")
    commission_ends_on: str = _prop("vmc_commission_ends_on", DATE, "Commission ends on")


@dataclass(frozen=True, slots=True)
class CommissionLineProperties:
    """Custom object, one record per line (R16, R20)."""

    object_name: str = _name("vmc_commission_line")
    group_name: str = _name("vmc_commission_line_information")
    line_id: str = _prop("vmc_line_id", STRING, "Line id", unique=True)
    partner_id: str = _prop("vmc_partner_id", STRING, "Partner id")
    deal_id: str = _prop("vmc_deal_id", STRING, "Deal id")
    stripe_customer_id: str = _prop("vmc_stripe_customer_id", STRING, "Stripe customer")
    month: str = _prop("vmc_month", STRING, "Month (YYYY-MM)")
    kind: str = _prop("vmc_kind", ENUM, "Kind", options=_values(LineKind))
    tier: str = _prop("vmc_tier", ENUM, "Tier", options=TIERS)
    rate: str = _prop("vmc_rate", NUMBER, "Rate")
    basis: str = _prop("vmc_basis", NUMBER, "Basis (EUR)")
    amount: str = _prop("vmc_amount", NUMBER, "Amount")
    currency: str = _prop("vmc_currency", STRING, "Currency")
    status: str = _prop("vmc_status", ENUM, "Status", options=LINE_STATUSES)
    payout_id: str = _prop("vmc_payout_id", STRING, "Payout id")
    explanation: str = _prop("vmc_explanation", STRING, "Explanation", field_type="textarea")


@dataclass(frozen=True, slots=True)
class PayoutProperties:
    """Custom object, one record per payout (R24)."""

    object_name: str = _name("vmc_payout")
    group_name: str = _name("vmc_payout_information")
    payout_id: str = _prop("vmc_payout_id", STRING, "Payout id", unique=True)
    partner_id: str = _prop("vmc_partner_id", STRING, "Partner id")
    period: str = _prop("vmc_period", STRING, "Period (YYYY-MM)")
    amount: str = _prop("vmc_amount", NUMBER, "Amount")
    currency: str = _prop("vmc_currency", STRING, "Currency")
    status: str = _prop("vmc_status", ENUM, "Status", options=_values(PayoutStatus))
    failure_reason: str = _prop("vmc_failure_reason", STRING, "Failure reason",
                                field_type="textarea")
    method: str = _prop("vmc_method", ENUM, "Method", options=PAYOUT_METHODS)
    stripe_transfer_id: str = _prop("vmc_stripe_transfer_id", STRING, "Stripe transfer")
    line_count: str = _prop("vmc_line_count", NUMBER, "Line count")
    # R32-R35
    status_note: str = _prop("vmc_status_note", STRING, "Status note", field_type="textarea")
    approved_by: str = _prop("vmc_approved_by", STRING, "Approved by")
    second_approved_by: str = _prop("vmc_second_approved_by", STRING, "Second approval by")
    hold_reason: str = _prop("vmc_hold_reason", STRING, "Hold reason", field_type="textarea")


@dataclass(frozen=True, slots=True)
class AssociationNames:
    """How a deal's companies are listed in ``associations`` (R8)."""

    deal_companies: str = _name("companies")
    deal_to_company_primary: str = _name("deal_to_company")  # HubSpot's primary label


PRIMARY_DEAL_TO_COMPANY_TYPE_ID = 5  # HubSpot-defined, fixed across portals


@dataclass(frozen=True, slots=True)
class StripeMetadataKeys:
    hubspot_deal_id: str = _name("hubspot_deal_id")  # read on customers
    partner_id: str = _name("vmc_partner_id")  # written on customers and transfers
    attribution_source: str = _name("vmc_attribution_source")
    attributed_at: str = _name("vmc_attributed_at")
    payout_id: str = _name("vmc_payout_id")  # written on transfers (R26)


_HUBSPOT_NAME = re.compile(r"[a-z][a-z0-9_]{0,99}")
_STRIPE_KEY = re.compile(r"[A-Za-z0-9_.\-]{1,40}")  # Stripe: 40 chars, no brackets


@dataclass(frozen=True, slots=True)
class PropertyMap:
    company: CompanyProperties = CompanyProperties()
    deal: DealProperties = DealProperties()
    commission_line: CommissionLineProperties = CommissionLineProperties()
    payout: PayoutProperties = PayoutProperties()
    associations: AssociationNames = AssociationNames()
    stripe_metadata: StripeMetadataKeys = StripeMetadataKeys()

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any]) -> Self:
        """``{"company": {"tier": "acme_tier"}, "payout": {"object_name": "x"}}``:
        sections are this class's fields, keys the section's attributes."""
        sections = {f.name: getattr(cls(), f.name) for f in dataclasses.fields(cls)}
        unknown = sorted(set(overrides) - set(sections))
        if unknown:
            raise PropertyMapError(
                f"unknown section(s) {unknown}; expected some of {sorted(sections)}")
        changed = {
            name: _override_section(name, sections[name], values)
            for name, values in overrides.items()
        }
        return cls(**changed)

    def company_properties_to_read(self) -> tuple[str, ...]:
        return _flagged(self.company, "read")

    def company_properties_with_history(self) -> tuple[str, ...]:
        return _flagged(self.company, "history")

    def deal_properties_to_read(self) -> tuple[str, ...]:
        return _flagged(self.deal, "read")

    def deal_properties_with_history(self) -> tuple[str, ...]:
        return _flagged(self.deal, "history")


def _flagged(section: Any, flag: str) -> tuple[str, ...]:
    return tuple(
        getattr(section, f.name) for f in dataclasses.fields(section) if f.metadata.get(flag)
    )


def _override_section(name: str, section: Any, values: object) -> Any:
    if not isinstance(values, Mapping):
        raise PropertyMapError(f"section {name!r}: expected a table of names")
    known = {f.name for f in dataclasses.fields(section)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise PropertyMapError(
            f"section {name!r}: unknown key(s) {unknown}; expected some of {sorted(known)}")
    pattern = _STRIPE_KEY if name == "stripe_metadata" else _HUBSPOT_NAME
    for key, value in values.items():
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise PropertyMapError(
                f"{name}.{key}: expected a name matching {pattern.pattern}, got {value!r}")
    updated = dataclasses.replace(section, **values)
    _reject_duplicates(name, updated)
    return updated


def _reject_duplicates(name: str, section: Any) -> None:
    seen: dict[str, str] = {}
    for f in dataclasses.fields(section):
        if f.metadata.get("kind") == "name" and name != "stripe_metadata":
            continue
        value = getattr(section, f.name)
        if value in seen:
            raise PropertyMapError(
                f"section {name!r}: {seen[value]!r} and {f.name!r} both map to {value!r}")
        seen[value] = f.name


DEFAULT_PROPERTY_MAP = PropertyMap()
