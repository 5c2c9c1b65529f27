"""Instants, months and ids for synthetic portals: deterministic and vendor-shaped."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
COMPANY_ID_BASE = 30_000_000_000
DEAL_ID_BASE = 40_000_000_000


def instant(text: str) -> datetime:
    """``"2025-05-01"`` or ``"2025-05-01T10:30"`` as an aware UTC datetime."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def epoch(at: datetime) -> int:
    """Stripe timestamps: integer epoch seconds."""
    return int(at.timestamp())


def hubspot_time(at: datetime) -> str:
    """HubSpot datetimes: ISO 8601 with milliseconds and ``Z``."""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def hubspot_date(at: datetime) -> str:
    """HubSpot date properties: midnight UTC, written as ``YYYY-MM-DD``."""
    return at.astimezone(UTC).strftime("%Y-%m-%d")


def add_months(at: datetime, months: int) -> datetime:
    """Same day and time ``months`` later; days past 28 are clamped to 28."""
    index = at.year * 12 + at.month - 1 + months
    return at.replace(year=index // 12, month=index % 12 + 1, day=min(at.day, 28))


def month_start(at: datetime) -> datetime:
    return at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def days(count: float) -> timedelta:
    return timedelta(days=count)


def stripe_id(prefix: str, key: str) -> str:
    """A Stripe-looking id (``cus_`` + 14 base62 characters) derived from ``key``."""
    number = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=12).digest(), "big")
    chars = []
    for _ in range(14):
        number, digit = divmod(number, 62)
        chars.append(_BASE62[digit])
    return f"{prefix}_{''.join(chars)}"


def company_id(sequence: int) -> str:
    """HubSpot record ids are numeric strings."""
    return str(COMPANY_ID_BASE + sequence)


def deal_id(sequence: int) -> str:
    return str(DEAL_ID_BASE + sequence)
