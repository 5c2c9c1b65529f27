"""CRM records with their property history, newest first, as HubSpot keeps it."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.hubspot.errors import HubSpotError

JsonObject = dict[str, Any]


def hubspot_timestamp(instant: datetime) -> str:
    """ISO 8601 with milliseconds and `Z`, as HubSpot writes timestamps."""
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class WriteSource:
    """Who made a change; becomes `sourceType`/`sourceId` in property history."""

    source_type: str = "INTEGRATION"
    source_id: str | None = "sandbox-private-app"
    user_id: int | None = None

    def history_entry(self, value: str | None, timestamp: str) -> JsonObject:
        entry: JsonObject = {"value": value, "timestamp": timestamp,
                             "sourceType": self.source_type}
        if self.source_id is not None:
            entry["sourceId"] = self.source_id
        if self.user_id is not None:
            entry["updatedByUserId"] = self.user_id
        return entry


@dataclass(frozen=True)
class RecordChange:
    """A record created or changed through the API or the control endpoint: what
    HubSpot's webhooks report (`properties`: the values set, by name)."""

    type_id: str
    record_id: str
    created: bool
    properties: dict[str, str | None]
    source: WriteSource


@dataclass
class Record:
    id: str
    properties: dict[str, str | None]
    history: dict[str, list[JsonObject]]
    created_at: str
    updated_at: str
    archived: bool = False
    archived_at: str | None = None
    extra: JsonObject = field(default_factory=dict)  # fixture keys served back verbatim

    def has_value(self, name: str) -> bool:
        return self.properties.get(name) not in (None, "")


def _as_string(value: Any) -> str | None:
    """HubSpot stores every property value as a string."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class RecordStore:
    """The records of one object type, with an index for unique-valued properties."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._records: dict[str, Record] = {}
        self._unique: dict[str, dict[str, str]] = {}
        self._order: list[tuple[int, str]] | None = None  # id order, until an id is added

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records.values())

    def __len__(self) -> int:
        return len(self._records)

    def get(self, record_id: str) -> Record | None:
        return self._records.get(record_id)

    def index_unique(self, names: set[str]) -> None:
        """(Re)build the value index for the properties that must be unique."""
        self._unique = {n: {} for n in names}
        for record in self._records.values():
            if record.archived:
                continue
            for name, index in self._unique.items():
                value = record.properties.get(name)
                if value not in (None, ""):
                    index[str(value)] = record.id

    def find_unique(self, name: str, value: str) -> Record | None:
        record_id = self._unique.get(name, {}).get(value)
        return self._records.get(record_id) if record_id else None

    def put(self, record: Record) -> None:
        if record.id not in self._records:
            self._order = None
        self._records[record.id] = record
        if record.archived:
            return
        for name, index in self._unique.items():
            value = record.properties.get(name)
            if value not in (None, ""):
                index[str(value)] = record.id

    def in_id_order(self, after: str | None = None) -> Iterator[Record]:
        """Records in HubSpot's (numeric) id order, from ``after`` on (included). The
        order is kept between additions, so a listing of 50,000 records pages in
        O(page), not O(records) a page."""
        if self._order is None:
            self._order = sorted((len(record_id), record_id) for record_id in self._records)
        order = self._order
        start = 0 if after is None else bisect.bisect_left(order, (len(after), after))
        return (self._records[order[index][1]] for index in range(start, len(order)))

    def check_unique(self, record_id: str | None, values: Mapping[str, Any]) -> None:
        for name, index in self._unique.items():
            value = _as_string(values.get(name))
            owner = index.get(value) if value else None
            if owner is not None and owner != record_id:
                raise HubSpotError(
                    409, f"A {self.label} with {name}={value} already exists (id {owner})",
                    "CONFLICT", context={name: [value or ""]})

    def write(self, record: Record, values: Mapping[str, Any], source: WriteSource,
              timestamp: str) -> list[str]:
        """Set properties, recording history newest first; the names that changed."""
        self.check_unique(record.id, values)
        changed: list[str] = []
        for name, raw in values.items():
            value = _as_string(raw)
            if name in record.properties and record.properties[name] == value:
                continue
            old = record.properties.get(name)
            record.properties[name] = value
            record.history.setdefault(name, []).insert(0, source.history_entry(value, timestamp))
            self._reindex(record.id, name, old, value)
            changed.append(name)
        return changed

    def _reindex(self, record_id: str, name: str, old: str | None, new: str | None) -> None:
        index = self._unique.get(name)
        if index is None:
            return
        if old and index.get(old) == record_id:
            del index[old]
        if new:
            index[new] = record_id
