"""Column types that store the same values on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

from sync.domain.months import Month, month_label, parse_month_label


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out: ``timestamptz`` on PostgreSQL, naive UTC text on
    SQLite (which has no time zones). A naive datetime is refused, never guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the ledger stores aware UTC only")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def json_type() -> TypeEngine[Any]:
    """JSON everywhere, ``jsonb`` on PostgreSQL (indexable, compact)."""
    return JSON().with_variant(JSONB(), "postgresql")


def to_label(month: Month | None) -> str | None:
    """Months are stored as ``YYYY-MM``, as HubSpot shows them: readable in SQL, sortable."""
    return None if month is None else month_label(month)


def from_label(label: str | None) -> Month | None:
    return None if label is None else parse_month_label(label)
