"""Programme configuration: every number of docs/rules.md, overridable by a TOML file.

The defaults below are docs/rules.md's. The file (``PARTNERSYNC_PROGRAMME_FILE``) may
override any key, and may add ``[[amendments]]``, each with an ``effective_from``
date and the keys it changes: month m uses the terms in force at ``t_m``, so a new
rate never rewrites the past. Validation names the key and what was expected.
"""

from __future__ import annotations

import tomllib
from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from sync.domain import Tier
from sync.errors import ConfigurationError
from sync.money import Cents, cents_from_eur


class ProgrammeError(ConfigurationError):
    """The programme file is unreadable or invalid; the message names the key."""


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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierTerms(_Strict):
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


class AttributionTerms(_Strict):
    window_days: StrictInt = Field(90, ge=0)  # R6


class FlatTerms(_Strict):
    amount: Eur = 10000  # R15


class MdfTerms(_Strict):
    share: Rate = Decimal("0.05")  # R30


class PremierEligibility(_Strict):
    trailing12_revenue_min: Eur = 500000
    active_clients_min: StrictInt = Field(10, ge=0)
    requires_certification: StrictBool = True


class PartnerEligibility(_Strict):
    referred_clients_min: StrictInt = Field(3, ge=0)
    mrr_brought_min: Eur = 50000
    requires_interview_and_training: StrictBool = True


class ReportTerms(_Strict):
    target_share: Rate = Decimal("0.15")  # R31: partner-sourced share of MRR
    engaged_days: StrictInt = Field(90, ge=1)  # R31: "engaged" = a touch in these days


class EligibilityTerms(_Strict):
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


class Terms(_Strict):
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


class ApprovalTerms(_Strict):
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


class PaymentTerms(_Strict):
    confirm_new_destinations: StrictBool = False  # R32: even a first account waits


class PromotionTerms(_Strict):
    auto: StrictBool = False  # R29


class Programme:
    """Terms over time plus the operational switches (approval, promotion)."""

    def __init__(
        self,
        versions: list[tuple[datetime, Terms]],
        approval: ApprovalTerms,
        promotion: PromotionTerms,
        payments: PaymentTerms | None = None,
    ) -> None:
        self._versions = sorted(versions, key=lambda version: version[0])
        self._starts = [start for start, _ in self._versions]
        self.approval = approval
        self.promotion = promotion
        self.payments = payments or PaymentTerms()

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


_BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(error: ValidationError, prefix: str) -> str:
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]
                       if not str(part).startswith("function-") and part != "[key]")
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{prefix}{key}: {message}" if key else f"{prefix.rstrip('.')}: {message}")
    return "; ".join(problems)


def _terms(raw: dict[str, Any], prefix: str) -> Terms:
    try:
        return Terms.model_validate(raw)
    except ValidationError as error:
        raise ProgrammeError(_describe(error, prefix)) from None


def _section(model: type[_Strict], raw: Any, name: str) -> Any:
    try:
        return model.model_validate(raw if raw is not None else {})
    except ValidationError as error:
        raise ProgrammeError(_describe(error, f"{name}.")) from None


def _effective_from(raw: Any, where: str) -> datetime:
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day, tzinfo=UTC)
    raise ProgrammeError(f"{where}.effective_from: expected a date such as 2027-01-01")


def programme_from_mapping(document: dict[str, Any]) -> Programme:
    """Validate a parsed programme document (the TOML file's tables)."""
    document = dict(document)
    approval = _section(ApprovalTerms, document.pop("approval", None), "approval")
    promotion = _section(PromotionTerms, document.pop("promotion", None), "promotion")
    payments = _section(PaymentTerms, document.pop("payments", None), "payments")
    amendments = document.pop("amendments", [])
    base_raw = _merge({"tiers": DEFAULT_TIERS}, document)
    versions = [(_BEGINNING, _terms(base_raw, ""))]
    if not isinstance(amendments, list):
        raise ProgrammeError("amendments: expected an array of tables ([[amendments]])")
    dated = []
    for index, amendment in enumerate(amendments):
        where = f"amendments[{index}]"
        if not isinstance(amendment, dict):
            raise ProgrammeError(f"{where}: expected a table")
        changes = dict(amendment)
        dated.append((_effective_from(changes.pop("effective_from", None), where), where, changes))
    # Each amendment builds on the ones in force before it, whatever the file's order.
    current = base_raw
    for start, where, changes in sorted(dated, key=lambda item: item[0]):
        current = _merge(current, changes)
        versions.append((start, _terms(current, f"{where}.")))
    return Programme(versions, approval, promotion, payments)


def default_programme() -> Programme:
    return programme_from_mapping({})


def load_programme(path: Path | None) -> Programme:
    """The programme in force: docs/rules.md's defaults, overridden by ``path``."""
    if path is None:
        return default_programme()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ProgrammeError(f"cannot read programme file {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ProgrammeError(f"programme file {path} is not valid TOML: {error}") from None
    return programme_from_mapping(document)
