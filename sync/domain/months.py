"""Calendar months in UTC as integers, and instants as aware UTC datetimes.

A month is the integer ``year * 12 + (month - 1)``: consecutive months are consecutive
integers, so windows (R13) and trailing sums (R27) are plain arithmetic. ``t_m`` is
"just before the first instant of month m+1" (docs/rules.md, preamble), so a rule
evaluated at ``t_m`` compares against ``month_end(m)``, the first instant of m+1.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

Month = int

# The years a month may name: the programme's lifetime, with room. Bounds keep a typo
# such as 0001-01 or 9999-12 from reaching datetime (OverflowError) or a range of
# thousands of months.
FIRST_YEAR, LAST_YEAR = 2000, 2100
_LABEL = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only: int() takes any digit


def month_of(instant: datetime) -> Month:
    """The month containing ``instant`` (aware UTC)."""
    return instant.year * 12 + instant.month - 1


def month_start(month: Month) -> datetime:
    """The first instant of ``month``."""
    year, index = divmod(month, 12)
    return datetime(year, index + 1, 1, tzinfo=UTC)


def month_end(month: Month) -> datetime:
    """The first instant of the month after ``month``: the boundary that defines ``t_m``."""
    return month_start(month + 1)


def month_label(month: Month) -> str:
    """``YYYY-MM``, the format docs/configuration.md writes months in."""
    year, index = divmod(month, 12)
    return f"{year:04d}-{index + 1:02d}"


def parse_month_label(label: str) -> Month:
    """Inverse of :func:`month_label`, strictly: ASCII ``YYYY-MM`` (no sign, space or
    other digits), month 01-12, year 2000-2100; raises ``ValueError`` on anything else."""
    found = _LABEL.fullmatch(label)
    if found is None:
        raise ValueError(f"expected YYYY-MM, got {label!r}")
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range in {label!r}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year out of range in {label!r} (from {FIRST_YEAR} to {LAST_YEAR})")
    return year * 12 + month - 1


def last_closed_month(as_of: datetime) -> Month:
    """The latest month whose end is at or before ``as_of`` (docs/rules.md ``--as-of``).

    ``--as-of 2026-03-01`` (its first instant) closes February 2026.
    """
    return month_of(as_of) - 1


def is_utc(instant: datetime) -> bool:
    offset = instant.utcoffset()
    return offset is not None and offset.total_seconds() == 0


def require_utc(instant: datetime, what: str) -> datetime:
    """Reject naive or non-UTC datetimes at the boundary, so the core never guesses."""
    if not is_utc(instant):
        raise ValueError(f"{what} must be a timezone-aware UTC datetime, got {instant!r}")
    return instant


def midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
