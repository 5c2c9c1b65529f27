"""Money: integer cents, exact rationals in between, one rounding rule.

docs/rules.md: amounts are integer minor units, intermediate arithmetic is exact
(fractions), and rounding is ROUND_HALF_UP to a whole cent only where a rule says so.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

Cents = int


def round_half_up(value: Fraction | int) -> Cents:
    """Round an exact amount of cents to a whole cent, halves away from zero."""
    if isinstance(value, int):
        return value
    numerator, denominator = value.numerator, value.denominator
    if denominator == 1:
        return numerator
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def eur(cents: Cents) -> str:
    """``12345`` -> ``"123.45"``: the decimal string HubSpot money properties hold."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def grouped_eur(cents: Cents) -> str:
    """``1234567`` -> ``"12,345.67"``: ``eur`` with thousands separators, for people to
    read (reports); machines (HubSpot, CSV) get ``eur``."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d}"


def cents_from_eur(text: str) -> Cents:
    """``"123.45"`` -> ``12345``; at most two decimals, raises ``ValueError`` otherwise."""
    amount = Decimal(text.strip())
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {text!r}")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"more than two decimals: {text!r}")
    return int(cents)


def fraction_of(rate: Decimal) -> Fraction:
    """A programme rate as an exact fraction (``Decimal`` converts exactly)."""
    return Fraction(rate)


def percent(rate: Decimal) -> str:
    """``Decimal("0.30")`` -> ``"30%"``, ``Decimal("0.255")`` -> ``"25.5%"``."""
    text = format((rate * 100).normalize(), "f")
    return f"{text}%"
