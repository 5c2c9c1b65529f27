"""Reading one CRM v3 object: its id, properties and property histories (R1).

A record is ``{"id", "properties", "propertiesWithHistory", "associations", "createdAt",
"updatedAt", "archived"}``; property values are strings or null, and each history is
a list of ``{"value", "timestamp", "sourceType", ...}`` newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from mappings.values import EPOCH, BadValueError, Issues, clean_text, parse_instant
from sync.domain.history import History
from sync.domain.inputs import PropertyChange

T = TypeVar("T")
Record = Mapping[str, Any]


def read_record(record: object) -> tuple[str, Record]:
    """The object's id and the object; :class:`BadValueError` when it cannot be named."""
    if not isinstance(record, Mapping):
        raise BadValueError("expected a CRM object (a JSON object)", record)
    value = record.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value), record
    text = clean_text(value, max_length=100)
    if text is None:
        raise BadValueError("missing object id", _described(record))
    return text, record


def _described(record: Record) -> str:
    """Something a person can search HubSpot for, when the id is missing."""
    properties = record.get("properties")
    if isinstance(properties, Mapping):
        for name in ("hs_object_id", "name", "dealname", "domain"):
            value = properties.get(name)
            if isinstance(value, str) and value.strip():
                return f"{name} {value.strip()}"
    return ""


def is_archived(record: Record) -> bool:
    return record.get("archived") is True


def property_value(record: Record, name: str) -> object:
    properties = record.get("properties")
    return properties.get(name) if isinstance(properties, Mapping) else None


def text_property(record: Record, name: str, issues: Issues, owner: str) -> str | None:
    """A trimmed string property; a bad one is quarantined and read as ``None``."""
    try:
        return clean_text(property_value(record, name))
    except BadValueError as error:
        issues.add(owner, name, error)
        return None


def created_at(record: Record) -> datetime:
    value = record.get("createdAt")
    try:
        return parse_instant(value) if isinstance(value, str) else EPOCH
    except BadValueError:
        return EPOCH  # only the start of a constant history: lookups before it still see it


def history_of(
    record: Record,
    name: str,
    parse: Callable[[str], T],
    issues: Issues,
    owner: str,
) -> History[T] | None:
    """R1: the property's history; ``None`` when it has neither history nor value.

    Without ``propertiesWithHistory`` the current value holds from the record's
    ``createdAt``. A bad entry is quarantined and dropped; the rest stands. An empty
    value is ``None`` ("not a partner from that instant").
    """
    entries = _raw_history(record, name)
    if entries is None:
        current = property_value(record, name)
        if current is None:
            return None
        return _constant(current, created_at(record), parse, issues, owner, name)
    parsed: list[tuple[datetime, T | None]] = []
    for index, entry in enumerate(entries):
        try:
            parsed.append(_read_entry(entry, parse))
        except BadValueError as error:
            issues.add(owner, _entry_label(name, index, entry), error)
    return History.from_newest_first(parsed)


def _constant(
    current: object,
    since: datetime,
    parse: Callable[[str], T],
    issues: Issues,
    owner: str,
    name: str,
) -> History[T]:
    try:
        return History.constant(_parse_optional(current, parse), since)
    except BadValueError as error:
        issues.add(owner, name, error)
        return History()


def _raw_history(record: Record, name: str) -> Sequence[object] | None:
    histories = record.get("propertiesWithHistory")
    if not isinstance(histories, Mapping):
        return None
    entries = histories.get(name)
    if not isinstance(entries, Sequence) or isinstance(entries, str) or not entries:
        return None
    return entries


def _read_entry(entry: object, parse: Callable[[str], T]) -> tuple[datetime, T | None]:
    if not isinstance(entry, Mapping):
        raise BadValueError("expected a history entry {value, timestamp}", entry)
    stamp = entry.get("timestamp")
    if not isinstance(stamp, str):
        raise BadValueError("history entry without a timestamp", entry)
    return parse_instant(stamp), _parse_optional(entry.get("value"), parse)


def _entry_label(name: str, index: int, entry: object) -> str:
    """Names the entry by its timestamp, as HubSpot's history panel shows it."""
    stamp = entry.get("timestamp") if isinstance(entry, Mapping) else None
    where = stamp if isinstance(stamp, str) and len(stamp) <= 40 else f"#{index}"
    return f"{name} (history entry {where})"


def _parse_optional(value: object, parse: Callable[[str], T]) -> T | None:
    text = clean_text(value)
    return None if text is None else parse(text)


def latest_change(record: Record, name: str) -> PropertyChange | None:
    """Who set the property's current value: its newest history entry with that value
    (R32, R33). ``None`` when the property is empty; a value the history does not
    explain is nobody's (no user), so it is no one's approval."""
    current = clean_text(property_value(record, name))
    if current is None:
        return None
    for entry in _raw_history(record, name) or ():
        if not isinstance(entry, Mapping) or clean_text(entry.get("value")) != current:
            continue
        try:
            at = parse_instant(str(entry.get("timestamp")))
        except BadValueError:
            break
        user = entry.get("updatedByUserId")
        user_id = str(user) if isinstance(user, int | str) and str(user).isdigit() else None
        return PropertyChange(current, at, str(entry.get("sourceType") or ""), user_id)
    return PropertyChange(current, EPOCH, "", None)
