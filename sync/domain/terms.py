"""The programme's terms: every number of docs/rules.md, and the terms in force over time.

The defaults below are docs/rules.md's; ``sync.config.programme_file`` reads the file
that overrides them. Month m uses the terms in force at ``t_m``, so a new rate never
rewrites the past. Pure: the engine reads these, nothing here reads a file.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)

from sync.domain.inputs import Tier
from sync.domain.money import Cents, cents_from_eur


def _to_cents(value: object) -> Cents:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError("expected an EUR amount such as \"100.00\"")
    try:
        cents = cents_from_eur(str(value))
    except (InvalidOperation, ValueError) as error:
        message = 'expected an EUR amount with at most two decimals, such as "100.00"'
        raise ValueError(message) from error
    if cents < 0:
        raise ValueError("expected an amount >= 0.00")
    return cents


def _to_rate(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError('expected a decimal rate such as "0.25"')
    try:
        rate = Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError('expected a decimal rate such as "0.25"') from error
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(1):
        raise ValueError("expected a rate between 0 and 1")
    return rate


Eur = Annotated[Cents, BeforeValidator(_to_cents)]
Rate = Annotated[Decimal, BeforeValidator(_to_rate)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierTerms(StrictModel):
    rate: Rate
    bonus_rate: Rate = Decimal(0)  # R12: added to the rate above the threshold
    bonus_threshold: Eur | None = None  # basis strictly above it earns the bonus
    window_months: Annotated[StrictInt, Field(ge=1)] | Literal["permanent"]  # R13
    cadence: Literal["monthly", "quarterly"]  # R21
    minimum_payout: Eur  # R22

    @property
    def window(self) -> int | None:
        """Months of commission from conversion; ``None`` when permanent."""
        return None if self.window_months == "permanent" else self.window_months


class AttributionTerms(StrictModel):
    window_days: StrictInt = Field(90, ge=0)  # R6


class FlatTerms(StrictModel):
    amount: Eur = 10000  # R15


class MdfTerms(StrictModel):
    share: Rate = Decimal("0.05")  # R30


class PremierEligibility(StrictModel):
    trailing12_revenue_min: Eur = 500000
    active_clients_min: StrictInt = Field(10, ge=0)
    requires_certification: StrictBool = True


class PartnerEligibility(StrictModel):
    referred_clients_min: StrictInt = Field(3, ge=0)
    mrr_brought_min: Eur = 50000
    requires_interview_and_training: StrictBool = True


class ReportTerms(StrictModel):
    target_share: Rate = Decimal("0.15")  # R31: partner-sourced share of MRR
    engaged_days: StrictInt = Field(90, ge=1)  # R31: "engaged" = a touch in these days


class EligibilityTerms(StrictModel):
    premier: PremierEligibility = PremierEligibility()
    partner: PartnerEligibility = PartnerEligibility()


DEFAULT_TIERS: dict[str, dict[str, Any]] = {
    "referral": {"rate": "0.20", "window_months": 12, "cadence": "quarterly",
                 "minimum_payout": "100.00"},
    "partner": {"rate": "0.25", "bonus_rate": "0.05", "bonus_threshold": "1000.00",
                "window_months": 24, "cadence": "monthly", "minimum_payout": "200.00"},
    "premier": {"rate": "0.30", "window_months": "permanent", "cadence": "monthly",
                "minimum_payout": "200.00"},
}


class Terms(StrictModel):
    """The rates, windows and thresholds in force from one date on."""

    tiers: dict[Tier, TierTerms]
    attribution: AttributionTerms = AttributionTerms()
    flat: FlatTerms = FlatTerms()
    mdf: MdfTerms = MdfTerms()
    eligibility: EligibilityTerms = EligibilityTerms()
    report: ReportTerms = ReportTerms()

    def tier(self, tier: Tier) -> TierTerms:
        return self.tiers[tier]


def _user_ids(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError('expected a list of HubSpot user ids such as ["1001", "1002"]')
    ids = tuple(str(item).strip() for item in value)
    if any(isinstance(item, bool) or not str(item).strip().isdigit() for item in value):
        raise ValueError('expected HubSpot user ids (digits), such as ["1001", "1002"]')
    return ids


class ApprovalTerms(StrictModel):
    auto_approve_max: Eur = 0  # R25
    # R33: HubSpot users whose approvals count; none: approvals from the command line only
    approvers: Annotated[tuple[str, ...], BeforeValidator(_user_ids)] = ()
    dual_above: Eur | None = None  # R33: above it, two different people approve

    @model_validator(mode="after")
    def _dual_not_below_auto(self) -> ApprovalTerms:
        if self.dual_above is not None and self.dual_above < self.auto_approve_max:
            raise ValueError("dual_above must be at least auto_approve_max: a payout "
                             "approved at once would skip both approvals (R25, R33)")
        return self

    def needs_two(self, amount: Cents) -> bool:
        return self.dual_above is not None and amount > self.dual_above


class PaymentTerms(StrictModel):
    confirm_new_destinations: StrictBool = False  # R32: even a first account waits


class PromotionTerms(StrictModel):
    auto: StrictBool = False  # R29


def _referral_link(value: object) -> str | None:
    """``[portal] referral_link``: an http(s) address with ``{code}`` where the partner's
    referral code goes, such as ``https://vmcloud.fr/?ref={code}``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError('expected a text such as "https://vmcloud.fr/?ref={code}"')
    link = value.strip()
    scheme, separator, rest = link.partition("://")
    if not separator or scheme.lower() not in ("http", "https") or not rest.strip("/"):
        raise ValueError(f"expected an http:// or https:// address (got {value!r})")
    if "{code}" not in link:
        raise ValueError("expected {code} where the partner's referral code goes, such as "
                         f'"https://vmcloud.fr/?ref={{code}}" (got {value!r})')
    if any(char.isspace() for char in link):
        raise ValueError(f"expected an address without spaces (got {value!r})")
    return link


def _hubspot_internal_id(value: object) -> str:
    """A HubSpot pipeline or stage id as the API takes it: ``default``,
    ``appointmentscheduled``, or the number (or UUID) of one made in the account."""
    if not isinstance(value, str):
        raise ValueError('expected a text such as "default"')
    text = value.strip()
    if not HUBSPOT_INTERNAL_ID.fullmatch(text):
        raise ValueError("expected a HubSpot internal id (letters, digits, _ or -, such as "
                         f'"default" or "appointmentscheduled"; got {value!r})')
    return text


HUBSPOT_INTERNAL_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
HubSpotInternalId = Annotated[str, BeforeValidator(_hubspot_internal_id)]


class PortalTerms(StrictModel):
    """What the partner portal shows that the programme decides (docs/portal.md)."""

    # None: the programme has no referral link; the portal says so
    referral_link: Annotated[str | None, BeforeValidator(_referral_link)] = None
    # Where a deal registered in the portal is created: HubSpot's default sales
    # pipeline and its first stage unless the programme names its own
    registration_pipeline: HubSpotInternalId = "default"
    registration_stage: HubSpotInternalId = "appointmentscheduled"


class Programme:
    """Terms over time plus the operational switches (approval, promotion)."""

    def __init__(
        self,
        versions: list[tuple[datetime, Terms]],
        approval: ApprovalTerms,
        promotion: PromotionTerms,
        payments: PaymentTerms | None = None,
        portal: PortalTerms | None = None,
    ) -> None:
        self._versions = sorted(versions, key=lambda version: version[0])
        self._starts = [start for start, _ in self._versions]
        self.approval = approval
        self.promotion = promotion
        self.payments = payments or PaymentTerms()
        self.portal = portal or PortalTerms()

    def terms_at(self, instant: datetime) -> Terms:
        """The terms in force at ``instant``; the first version also covers the past."""
        index = max(bisect_right(self._starts, instant) - 1, 0)
        return self._versions[index][1]

    def terms_before(self, boundary: datetime) -> Terms:
        """The terms in force at ``t_m`` for ``boundary = month_end(m)``: versions
        effective strictly before the boundary."""
        index = max(bisect_left(self._starts, boundary) - 1, 0)
        return self._versions[index][1]

    @property
    def versions(self) -> list[tuple[datetime, Terms]]:
        return list(self._versions)
