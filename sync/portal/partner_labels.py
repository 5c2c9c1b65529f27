"""The words the partner pages put on the read model's values, in the page's language
(English source strings, French in the catalogue under ``# area: partner``)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import format_currency, format_decimal, format_percent, lazy_gettext
from flask_babel.speaklater import LazyString

from sync.domain.decisions import LineKind, PayoutStatus
from sync.domain.inputs import Tier, TouchKind
from sync.portal.partner_progress import Measure, Qualification
from sync.portal.partner_records import HoldCause, LineState

TIERS: dict[Tier, LazyString] = {
    Tier.REFERRAL: lazy_gettext("Referral"),
    Tier.PARTNER: lazy_gettext("Partner"),
    Tier.PREMIER: lazy_gettext("Premier"),
}
SOURCES: dict[TouchKind, LazyString] = {
    TouchKind.REFERRAL_LINK: lazy_gettext("Referral link"),
    TouchKind.DEAL_REGISTRATION: lazy_gettext("Deal registration"),
}
KINDS: dict[LineKind, LazyString] = {
    LineKind.RECURRING: lazy_gettext("Recurring"),
    LineKind.FLAT: lazy_gettext("Flat"),
    LineKind.ADJUSTMENT: lazy_gettext("Adjustment"),
    LineKind.MANUAL: lazy_gettext("Manual"),
}
LINE_STATES: dict[LineState, LazyString] = {
    LineState.ACCRUED: lazy_gettext("Accrued, waiting for a payout point"),
    LineState.IN_PAYOUT: lazy_gettext("In a payout"),
    LineState.PAID: lazy_gettext("Paid"),
}
PAYOUT_STATUSES: dict[PayoutStatus, LazyString] = {
    PayoutStatus.PENDING_APPROVAL: lazy_gettext("Waiting for approval"),
    PayoutStatus.PENDING_SECOND_APPROVAL: lazy_gettext("Waiting for a second approval"),
    PayoutStatus.APPROVED: lazy_gettext("Approved, paid at the next payment run"),
    PayoutStatus.PAID: lazy_gettext("Paid"),
    PayoutStatus.MANUAL_PENDING: lazy_gettext("Approved, to be paid by bank transfer"),
    PayoutStatus.FAILED: lazy_gettext("Payment failed, retried at the next payment run"),
    PayoutStatus.ON_HOLD: lazy_gettext("On hold"),
}
HOLDS: dict[HoldCause, LazyString] = {
    HoldCause.DESTINATION: lazy_gettext(
        "Your payout account is waiting for the programme's confirmation (R32)."),
    HoldCause.FINANCE: lazy_gettext(
        "Held by the programme's finance team (R35); contact the programme to know more."),
}
MEASURES: dict[Measure, LazyString] = {
    Measure.REFERRED_CLIENTS: lazy_gettext("referred clients"),
    Measure.MRR_BROUGHT: lazy_gettext("MRR brought"),
    Measure.TRAILING12_REVENUE: lazy_gettext("revenue over the last 12 months"),
    Measure.ACTIVE_CLIENTS: lazy_gettext("active clients"),
}
QUALIFICATIONS: dict[Qualification, LazyString] = {
    Qualification.INTERVIEW_AND_TRAINING: lazy_gettext(
        "qualification interview and product training"),
    Qualification.CERTIFICATION: lazy_gettext("certification"),
}


def eur(cents: int | None) -> str:
    """Integer cents as EUR in the page's language: 1,234.50 € / 1 234,50 €."""
    if cents is None:
        return ""
    return str(format_currency(Decimal(cents) / 100, "EUR"))


def count(value: int) -> str:
    return str(format_decimal(value))


def rate(value: Decimal | None) -> str:
    """A rate as a percentage (0.3 -> 30% / 30 %), in the page's language."""
    if value is None:
        return ""
    return str(format_percent(value, format="#,##0.##%"))
