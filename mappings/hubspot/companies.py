"""HubSpot companies to partners (R1, R2, R8, R28, R31)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from enum import StrEnum
from typing import TypeVar

from mappings.hubspot.records import (
    Record,
    history_of,
    is_archived,
    latest_change,
    property_value,
    read_record,
    text_property,
)
from mappings.properties import DEFAULT_PROPERTY_MAP, CompanyProperties, PropertyMap
from mappings.values import (
    EPOCH,
    BadValueError,
    Issues,
    clean_text,
    normalize_domain,
    parse_bool,
    parse_date,
)
from sync.domain.history import History
from sync.domain.inputs import CommissionOption, Partner, PartnerStatus, Quarantined, Tier

E = TypeVar("E", bound=StrEnum)


def partners_from_companies(
    companies: Iterable[object], props: PropertyMap = DEFAULT_PROPERTY_MAP
) -> tuple[list[Partner], list[Quarantined]]:
    """Partners are the companies whose tier history ever had a value (R1).

    Status without any history or value means ``active``; option likewise means
    ``recurring`` (R2). A property whose every entry was quarantined has an empty
    history: the engine then sees no value rather than a guessed default.
    """
    issues = Issues("hubspot", "company")
    partners: list[Partner] = []
    for company in companies:
        try:
            company_id, record = read_record(company)
        except BadValueError as error:
            issues.add("?", "id", error)
            continue
        partner = _partner(record, company_id, props.company, issues)
        if partner is not None:
            partners.append(partner)
    return partners, issues.items


def company_domains(
    companies: Iterable[object], props: PropertyMap = DEFAULT_PROPERTY_MAP
) -> dict[str, str]:
    """Every company's normalised domain by id, partner or not, for R8's check on a
    deal's primary company. Companies without a usable domain are left out."""
    domains: dict[str, str] = {}
    for company in companies:
        try:
            company_id, record = read_record(company)
        except BadValueError:
            continue  # quarantined by partners_from_companies
        if is_archived(record):
            continue
        value = property_value(record, props.company.domain)
        domain = normalize_domain(value) if isinstance(value, str) else None
        if domain is not None:
            domains[company_id] = domain
    return domains


def company_ids(companies: Iterable[object]) -> set[str]:
    """The ids of the companies read (a deal's primary company must be among them)."""
    ids: set[str] = set()
    for company in companies:
        try:
            ids.add(read_record(company)[0])
        except BadValueError:
            continue  # quarantined by partners_from_companies
    return ids


def _partner(
    company: Record, company_id: str, names: CompanyProperties, issues: Issues
) -> Partner | None:
    if is_archived(company):
        return None
    tier = _enum_history(company, names.tier, Tier, issues, company_id) or History()
    if not any(value is not None for value in tier.values()):
        return None
    return Partner(
        id=company_id,
        name=text_property(company, names.name, issues, company_id) or "",
        domain=normalize_domain(text_property(company, names.domain, issues, company_id)),
        tier=tier,
        status=_enum_history(company, names.status, PartnerStatus, issues, company_id)
        or History.constant(PartnerStatus.ACTIVE, EPOCH),
        option=_enum_history(company, names.option, CommissionOption, issues, company_id)
        or History.constant(CommissionOption.RECURRING, EPOCH),
        referral_code=history_of(company, names.referral_code, str, issues, company_id)
        or History(),
        stripe_account_id=text_property(company, names.stripe_account_id, issues, company_id),
        stripe_customer_id=text_property(company, names.stripe_customer_id, issues, company_id),
        partner_since=_date(company, names.partner_since, issues, company_id),
        interview_passed=_flag(company, names.interview_passed, issues, company_id),
        training_completed=_flag(company, names.training_completed, issues, company_id),
        certified=_flag(company, names.certified, issues, company_id),
        confirmed_account=latest_change(company, names.confirmed_stripe_account_id),
    )


def _enum_history(
    company: Record, name: str, enum: type[E], issues: Issues, company_id: str
) -> History[E] | None:
    return history_of(company, name, _enum_parser(enum), issues, company_id)


def _enum_parser(enum: type[E]) -> Callable[[str], E]:
    expected = ", ".join(member.value for member in enum)

    def parse(text: str) -> E:
        try:
            return enum(text.casefold())
        except ValueError as error:
            raise BadValueError(f"expected one of {expected} (or empty)", text) from error

    return parse


def _date(company: Record, name: str, issues: Issues, company_id: str) -> date | None:
    """R31's join date; an unreadable one is quarantined and read as unknown."""
    text = text_property(company, name, issues, company_id)
    if text is None:
        return None
    try:
        return parse_date(text)
    except BadValueError as error:
        issues.add(company_id, name, error)
        return None


def _flag(company: Record, name: str, issues: Issues, company_id: str) -> bool:
    """R28 qualifications: ``"true"``/``"false"``; empty is false, anything else is
    quarantined and read as false."""
    try:
        text = clean_text(property_value(company, name))
        return False if text is None else parse_bool(text)
    except BadValueError as error:
        issues.add(company_id, name, error)
        return False
