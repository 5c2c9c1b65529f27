"""HubSpot deals to domain deals: the linked customer, touches (R4) and R8's domain."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from mappings.hubspot.records import (
    Record,
    is_archived,
    property_value,
    read_record,
    text_property,
)
from mappings.properties import (
    DEFAULT_PROPERTY_MAP,
    PRIMARY_DEAL_TO_COMPANY_TYPE_ID,
    AssociationNames,
    DealProperties,
    PropertyMap,
)
from mappings.values import BadValueError, Issues, clean_text, parse_instant
from sync.domain.inputs import Deal, Quarantined

Touch = tuple[str | None, datetime | None]
_NO_TOUCH: Touch = (None, None)


def deals_from_hubspot(
    deals: Iterable[object],
    company_domains: Mapping[str, str],
    customers_by_deal_id: Mapping[str, str],
    props: PropertyMap = DEFAULT_PROPERTY_MAP,
    known_companies: Collection[str] | None = None,
) -> tuple[list[Deal], list[Quarantined]]:
    """Map deals; ``customers_by_deal_id`` links a deal without its own
    ``vmc_stripe_customer_id`` to the customer whose metadata names it (docs/configuration.md).

    A touch with a code or partner but no usable instant, or an instant with neither,
    is quarantined and arrives with both fields ``None`` (R4: not guessed).
    ``known_companies``, when given, are the ids of the companies read: a primary
    company not among them is reported (R8 cannot check its domain); the deal stays.
    """
    issues = Issues("hubspot", "deal")
    mapped: list[Deal] = []
    for deal in deals:
        try:
            deal_id, record = read_record(deal)
        except BadValueError as error:
            issues.add("?", "id", error)
            continue
        if not is_archived(record):
            mapped.append(
                _deal(record, deal_id, company_domains, customers_by_deal_id, props, issues))
            _check_company(record, deal_id, props, known_companies, issues)
    return mapped, issues.items


def _check_company(record: Record, deal_id: str, props: PropertyMap,
                   known: Collection[str] | None, issues: Issues) -> None:
    company_id = primary_company_id(record, props.associations)
    if known is None or company_id is None or company_id in known:
        return
    issues.add(deal_id, f"associations.{props.associations.deal_companies}", BadValueError(
        "primary company not found in HubSpot (deleted or merged?); the deal is kept, but "
        "R8 cannot compare its domain: associate the deal with the customer's company",
        company_id))


def _deal(
    record: Record,
    deal_id: str,
    company_domains: Mapping[str, str],
    customers_by_deal_id: Mapping[str, str],
    props: PropertyMap,
    issues: Issues,
) -> Deal:
    names: DealProperties = props.deal
    referral_code, referral_at = _touch(
        record, deal_id, names.referral_code, names.referral_at, "referral code", issues)
    registered_by, registered_at = _touch(
        record, deal_id, names.registered_by, names.registered_at, "registering partner", issues)
    own_customer = text_property(record, names.stripe_customer_id, issues, deal_id)
    company_id = primary_company_id(record, props.associations)
    return Deal(
        id=deal_id,
        name=text_property(record, names.name, issues, deal_id) or "",
        stripe_customer_id=own_customer or customers_by_deal_id.get(deal_id),
        referral_code=referral_code,
        referral_at=referral_at,
        registered_by=registered_by,
        registered_at=registered_at,
        company_domain=None if company_id is None else company_domains.get(company_id),
    )


def _touch(
    record: Record, deal_id: str, who_name: str, at_name: str, who_label: str, issues: Issues
) -> Touch:
    """One touch: who (a code or a partner id) and when, both or neither (R4)."""
    try:
        who = clean_text(property_value(record, who_name))
    except BadValueError as error:
        issues.add(deal_id, who_name, error)
        return _NO_TOUCH
    raw_at = property_value(record, at_name)
    if who is None:
        if _is_blank(raw_at):
            return _NO_TOUCH
        issues.add(deal_id, at_name, BadValueError(
            f"touch instant without a {who_label} in {who_name}; touch dropped (R4)", raw_at))
        return _NO_TOUCH
    try:
        return who, _touch_instant(raw_at, who_label)
    except BadValueError as error:
        issues.add(deal_id, at_name, error)
        return _NO_TOUCH


def _touch_instant(raw: object, who_label: str) -> datetime:
    text = clean_text(raw)
    if text is None:
        raise BadValueError(
            f"a {who_label} is set but its instant is missing; touch dropped, "
            "not guessed (R4)")
    try:
        return parse_instant(text)
    except BadValueError as error:
        raise BadValueError(f"{error.reason}; touch dropped, not guessed (R4)", text) from error


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def primary_company_id(record: Record, names: AssociationNames) -> str | None:
    """R8: the deal's primary company (HubSpot's ``deal_to_company`` label, type id 5),
    else the first company listed."""
    first: str | None = None
    for item in _company_associations(record, names):
        company_id = item.get("id", item.get("toObjectId"))
        if not isinstance(company_id, str | int) or isinstance(company_id, bool):
            continue
        if _is_primary(item, names):
            return str(company_id)
        first = first or str(company_id)
    return first


def _company_associations(record: Record, names: AssociationNames) -> list[Mapping[str, object]]:
    associations = record.get("associations")
    if not isinstance(associations, Mapping):
        return []
    listed = associations.get(names.deal_companies)
    results = listed.get("results") if isinstance(listed, Mapping) else None
    if not isinstance(results, list):
        return []
    return [item for item in results if isinstance(item, Mapping)]


def _is_primary(item: Mapping[str, object], names: AssociationNames) -> bool:
    if item.get("type") == names.deal_to_company_primary:  # CRM v3 shape
        return True
    types = item.get("associationTypes")  # CRM v4 shape
    return isinstance(types, list) and any(
        isinstance(kind, Mapping) and kind.get("typeId") == PRIMARY_DEAL_TO_COMPANY_TYPE_ID
        and kind.get("category") == "HUBSPOT_DEFINED"
        for kind in types
    )
