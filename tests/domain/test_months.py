"""Month labels are read strictly: what a query string or an option gives is ASCII
YYYY-MM in the programme's years, or a ValueError with the reason (never an
OverflowError from datetime, never thousands of months)."""

from __future__ import annotations

import pytest

from sync.domain.months import month_start, parse_month_label


@pytest.mark.parametrize(("label", "month"), [
    ("2026-03", 2026 * 12 + 2), ("2000-01", 2000 * 12), ("2100-12", 2100 * 12 + 11)])
def test_a_month_label_is_its_month(label: str, month: int) -> None:
    assert parse_month_label(label) == month


@pytest.mark.parametrize(("label", "reason"), [
    ("0001-01", "year out of range in '0001-01' (from 2000 to 2100)"),
    ("0000-01", "year out of range in '0000-01' (from 2000 to 2100)"),
    ("9999-12", "year out of range in '9999-12' (from 2000 to 2100)"),
    ("1999-12", "year out of range in '1999-12' (from 2000 to 2100)"),
    ("2026-13", "month out of range in '2026-13'"),
    ("2026-00", "month out of range in '2026-00'"),
    ("+202-01", "expected YYYY-MM, got '+202-01'"),
    ("-202-01", "expected YYYY-MM, got '-202-01'"),
    ("２０２６-01", "expected YYYY-MM, got '２０２６-01'"),  # full-width digits
    ("2026-٠٣", "expected YYYY-MM, got '2026-٠٣'"),  # Arabic-Indic digits
    ("2026-03\n", "expected YYYY-MM, got '2026-03\\n'"),
    (" 2026-03", "expected YYYY-MM, got ' 2026-03'"),
    ("2026_03", "expected YYYY-MM, got '2026_03'"),
    ("2026-3", "expected YYYY-MM, got '2026-3'"),
    ("", "expected YYYY-MM, got ''"),
])
def test_anything_else_is_refused_with_the_reason(label: str, reason: str) -> None:
    with pytest.raises(ValueError, match=r"range|expected") as refused:
        parse_month_label(label)
    assert str(refused.value) == reason


def test_every_accepted_month_has_a_start() -> None:
    """The bounds keep month_start within datetime's range (0001-01's previous month
    raised OverflowError on /admin)."""
    assert month_start(parse_month_label("2000-01") - 1).year == 1999
    assert month_start(parse_month_label("2100-12") + 1).year == 2101
