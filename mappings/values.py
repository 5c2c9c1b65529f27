"""Parsing vendor values into domain values; a bad value raises :class:`BadValueError`.

Callers catch :class:`BadValueError` and turn it into a ``Quarantined`` record naming the
record and the field: the reason here says what was expected, ``value`` what came.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sync.domain.domains import ascii_domain
from sync.domain.inputs import Quarantined

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Instants a datetime can hold in any zone: one day inside year 1 and year 9999.
MIN_EPOCH_SECONDS = int((datetime(1, 1, 2, tzinfo=UTC) - EPOCH).total_seconds())
MAX_EPOCH_SECONDS = int((datetime(9999, 12, 30, tzinfo=UTC) - EPOCH).total_seconds())
MAX_TEXT = 1000

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})")
_EPOCH_MILLIS = re.compile(r"\d{11,14}")  # 1970-01-02 .. 5138: never epoch seconds
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://")
_CURRENCY = re.compile(r"[a-z]{3}")

_ISO_HINT = (
    "an ISO datetime with a zone (2025-03-01T10:00:00Z), a date (2025-03-01) "
    "or epoch milliseconds"
)


class BadValueError(ValueError):
    """``reason`` says what was expected; ``field`` (when the raiser knows it) where."""

    def __init__(self, reason: str, value: object = "", field: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.value = _shown(value)
        self.field = field

    def within(self, prefix: str) -> BadValueError:
        """The same problem, its field prefixed (``lines[il_1]`` + ``amount``)."""
        self.field = f"{prefix}.{self.field}" if self.field else prefix
        return self


def _shown(value: object) -> str:
    if value is None:
        return "null"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


@dataclass(slots=True)
class Issues:
    """Collects quarantine records for one source and object type."""

    source: str
    object_type: str
    items: list[Quarantined] = field(default_factory=list)

    def add(self, record_id: str, field_name: str, error: BadValueError) -> None:
        self.items.append(quarantined(self.source, self.object_type, record_id, field_name,
                                      error))


def quarantined(source: str, object_type: str, record_id: str, field_name: str,
                error: BadValueError) -> Quarantined:
    """The quarantine record for one bad value (``Issues`` collects them)."""
    return Quarantined(source, object_type, record_id, field_name, error.reason, error.value)


def clean_text(value: object, *, max_length: int = MAX_TEXT) -> str | None:
    """A string property, trimmed; ``None`` or blank is ``None``. Rejects non-strings,
    control characters and oversized values (codes and ids are compared, not shown)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadValueError("expected a string", value)
    if len(value) > max_length:
        raise BadValueError(f"longer than {max_length} characters ({len(value)})", value)
    if _CONTROL.search(value):
        raise BadValueError("contains control characters", value)
    return value.strip() or None


def parse_instant(text: str) -> datetime:
    """A HubSpot datetime as an aware UTC datetime (R4: never guessed)."""
    if _EPOCH_MILLIS.fullmatch(text):
        return EPOCH + timedelta(milliseconds=int(text))
    if _DATE.fullmatch(text):
        return datetime.combine(_iso_date(text), datetime.min.time(), UTC)
    if _DATETIME.fullmatch(text):
        try:
            return datetime.fromisoformat(text).astimezone(UTC)
        except ValueError as error:
            raise BadValueError(f"not a valid datetime ({error})", text) from error
        except OverflowError as error:  # 9999-12-31T23:00-05:00 is after year 9999 in UTC
            raise BadValueError("a datetime outside years 1 to 9999 in UTC", text) from error
    raise BadValueError(f"expected {_ISO_HINT}", text)


def parse_date(text: str) -> date:
    """A HubSpot date property: ``2025-03-01``, its midnight UTC, or epoch millis."""
    if _DATE.fullmatch(text):
        return _iso_date(text)
    instant = parse_instant(text)
    if instant.time() != datetime.min.time():
        raise BadValueError("expected a date (midnight UTC), got a time of day", text)
    return instant.date()


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise BadValueError(f"not a valid date ({error})", text) from error


def parse_bool(text: str) -> bool:
    if text == "true":
        return True
    if text == "false":
        return False
    raise BadValueError('expected "true" or "false"', text)


def normalize_domain(text: str | None) -> str | None:
    """R8: lower case, trimmed, no scheme, path, port or leading ``www.``; accented
    names in IDNA form (``sync.domain.domains``), as the engine compares them."""
    if not text:
        return None
    domain = _SCHEME.sub("", text.strip().lower())
    domain = re.split(r"[/?#]", domain, maxsplit=1)[0].rpartition("@")[2]
    domain = domain.split(":", 1)[0].rstrip(".")
    domain = ascii_domain(domain) or domain  # café.fr as xn--caf-dma.fr (one form)
    domain = domain.removeprefix("www.")
    return domain or None


def parse_currency(value: object) -> str:
    """A three-letter ISO currency code, lower case as Stripe writes it (R19)."""
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value.lower()):
        raise BadValueError("expected a three-letter currency code such as 'eur'", value)
    return value.lower()


class InstantCache:
    """Epoch seconds to aware UTC datetimes, one shared object per instant.

    Invoices repeat the same period boundaries on millions of lines: sharing the
    datetime objects keeps the benchmark's memory flat.
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[int, datetime] = {}

    def __call__(self, seconds: object) -> datetime:
        if type(seconds) is not int:
            raise BadValueError("expected epoch seconds (an integer)", seconds)
        instant = self._seen.get(seconds)
        if instant is None:
            if not MIN_EPOCH_SECONDS <= seconds <= MAX_EPOCH_SECONDS:
                raise BadValueError(_out_of_range(seconds), seconds)
            instant = self._seen[seconds] = EPOCH + timedelta(seconds=seconds)
        return instant


def _out_of_range(seconds: int) -> str:
    hint = " (epoch milliseconds? Stripe writes seconds)" if seconds > MAX_EPOCH_SECONDS else ""
    return f"expected epoch seconds between 0001-01-02 and 9999-12-30{hint}"
