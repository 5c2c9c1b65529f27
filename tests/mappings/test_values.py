"""Value parsing: HubSpot datetimes and dates, booleans, domains (R8), text checks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mappings.values import (
    BadValueError,
    InstantCache,
    clean_text,
    normalize_domain,
    parse_bool,
    parse_currency,
    parse_date,
    parse_instant,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-01T10:00:00Z", datetime(2025, 3, 1, 10, tzinfo=UTC)),
        ("2025-03-01T10:00:00.123Z", datetime(2025, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)),
        ("2025-03-01T11:00:00+01:00", datetime(2025, 3, 1, 10, tzinfo=UTC)),
        ("2025-03-01T10:00Z", datetime(2025, 3, 1, 10, tzinfo=UTC)),
        ("1740823200000", datetime(2025, 3, 1, 10, tzinfo=UTC)),
        ("1740823200123", datetime(2025, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)),
        ("2025-03-01", datetime(2025, 3, 1, tzinfo=UTC)),
    ],
)
def test_instant_formats_become_aware_utc(text: str, expected: datetime) -> None:
    parsed = parse_instant(text)
    assert parsed == expected
    assert parsed.utcoffset() is not None
    assert parsed.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-03-01T10:00:00", "expected an ISO datetime with a zone"),  # naive: not guessed
        ("01/03/2025 10:00", "expected an ISO datetime with a zone"),
        ("1740823200", "expected an ISO datetime with a zone"),  # epoch seconds
        ("yesterday", "expected an ISO datetime with a zone"),
        ("2025-02-30", "not a valid date"),
        ("2025-13-01T10:00:00Z", "not a valid datetime"),
    ],
)
def test_instant_rejects_other_formats(text: str, reason: str) -> None:
    with pytest.raises(BadValueError) as raised:
        parse_instant(text)
    assert reason in raised.value.reason
    assert raised.value.value == text


@pytest.mark.parametrize(
    "text", ["2025-03-01", "2025-03-01T00:00:00.000Z", "1740787200000"])
def test_date_formats(text: str) -> None:
    assert parse_date(text) == date(2025, 3, 1)


def test_date_with_time_of_day_rejected() -> None:
    with pytest.raises(BadValueError, match="midnight UTC"):
        parse_date("2025-03-01T10:00:00Z")


def test_bool_only_true_or_false() -> None:
    assert parse_bool("true") is True
    assert parse_bool("false") is False
    with pytest.raises(BadValueError, match='expected "true" or "false"'):
        parse_bool("yes")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Northwind.example", "northwind.example"),
        ("  www.Northwind.example ", "northwind.example"),
        ("https://www.northwind.example/about?x=1", "northwind.example"),
        ("http://northwind.example:8080", "northwind.example"),
        ("northwind.example.", "northwind.example"),
        ("wwwnorthwind.example", "wwwnorthwind.example"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_normalize_domain(text: str | None, expected: str | None) -> None:
    assert normalize_domain(text) == expected


def test_clean_text_trims_and_blanks_to_none() -> None:
    assert clean_text("  ACME-2025 ") == "ACME-2025"
    assert clean_text("") is None
    assert clean_text(None) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("ACME\x00", "contains control characters"),
        ("ACME\u0085", "contains control characters"),
        ("x" * 1001, "longer than 1000 characters (1001)"),
        (42, "expected a string"),
    ],
)
def test_clean_text_rejects(value: object, reason: str) -> None:
    with pytest.raises(BadValueError) as raised:
        clean_text(value)
    assert raised.value.reason == reason


def test_oversized_value_is_shown_shortened() -> None:
    with pytest.raises(BadValueError) as raised:
        clean_text("x" * 1001)
    assert raised.value.value == "x" * 77 + "..."


def test_currency() -> None:
    assert parse_currency("EUR") == "eur"
    for bad in ("", "euro", "€", None, "e1r"):
        with pytest.raises(BadValueError, match="three-letter currency code"):
            parse_currency(bad)


def test_instant_cache_shares_equal_instants() -> None:
    instants = InstantCache()
    first = instants(1738368000)
    assert first == datetime(2025, 2, 1, tzinfo=UTC)
    assert instants(1738368000) is first
    with pytest.raises(BadValueError, match="epoch seconds"):
        instants(1738368000.5)
    with pytest.raises(BadValueError, match="epoch seconds"):
        instants(True)
