"""CRM search: a lagging index of record snapshots, filters, sorts and the 10,000 cap."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.core.clock import SandboxClock
from sandbox.hubspot.errors import invalid
from sandbox.hubspot.records import Record

JsonObject = dict[str, Any]

MAX_SEARCH_LIMIT = 200
SEARCH_RESULT_CAP = 10_000
MAX_FILTER_GROUPS = 5
MAX_FILTERS = 18


@dataclass(frozen=True)
class Snapshot:
    """What the index knows of a record: its properties as of the last indexed write."""

    id: str
    properties: dict[str, str | None]
    created_at: str
    updated_at: str


class SearchIndex:
    """Snapshots become searchable `lag_seconds` (sandbox time) after the write."""

    def __init__(self, clock: SandboxClock, lag_seconds: float = 0.0) -> None:
        self.clock = clock
        self.lag_seconds = lag_seconds
        self._lock = threading.Lock()
        self._docs: dict[str, dict[str, Snapshot]] = {}
        self._pending: list[tuple[float, str, str, Snapshot | None]] = []

    def submit(self, type_id: str, record: Record, *, immediate: bool = False) -> None:
        """Queue a record's current state (archived = removed) for the index."""
        snapshot = None if record.archived else Snapshot(
            record.id, dict(record.properties), record.created_at, record.updated_at)
        due = float("-inf") if immediate else self.clock.monotonic() + self.lag_seconds
        with self._lock:
            self._pending.append((due, type_id, record.id, snapshot))

    def documents(self, type_id: str) -> list[Snapshot]:
        """The searchable snapshots of a type, after applying every write now due."""
        now = self.clock.monotonic()
        with self._lock:
            due = [p for p in self._pending if p[0] <= now]
            self._pending = [p for p in self._pending if p[0] > now]
            for _, doc_type, record_id, snapshot in due:
                docs = self._docs.setdefault(doc_type, {})
                if snapshot is None:
                    docs.pop(record_id, None)
                else:
                    docs[record_id] = snapshot
            return list(self._docs.get(type_id, {}).values())


def _number(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError):
        return None


def _instant(value: str) -> Decimal | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return Decimal(int(parsed.timestamp() * 1000))


def _comparable(value: str) -> Decimal | str:
    """Numbers and epoch millis compare as numbers, ISO instants as millis, text folded."""
    return _number(value) or _instant(value) or value.casefold()


def _compare(left: str, right: Any) -> int:
    a, b = _comparable(left), _comparable(str(right))
    if isinstance(a, Decimal) != isinstance(b, Decimal):
        a, b = str(a), str(b)
    return (a > b) - (a < b)  # type: ignore[operator]


def _has(value: str | None) -> bool:
    return value not in (None, "")


Predicate = Callable[[str | None, JsonObject], bool]

OPERATORS: dict[str, Predicate] = {
    "EQ": lambda v, f: _has(v) and _compare(str(v), f.get("value")) == 0,
    "NEQ": lambda v, f: not _has(v) or _compare(str(v), f.get("value")) != 0,
    "LT": lambda v, f: _has(v) and _compare(str(v), f.get("value")) < 0,
    "LTE": lambda v, f: _has(v) and _compare(str(v), f.get("value")) <= 0,
    "GT": lambda v, f: _has(v) and _compare(str(v), f.get("value")) > 0,
    "GTE": lambda v, f: _has(v) and _compare(str(v), f.get("value")) >= 0,
    "BETWEEN": lambda v, f: _has(v) and _compare(str(v), f.get("value")) >= 0
    and _compare(str(v), f.get("highValue")) <= 0,
    "IN": lambda v, f: _has(v) and any(_compare(str(v), x) == 0 for x in f.get("values", [])),
    "NOT_IN": lambda v, f: not _has(v)
    or all(_compare(str(v), x) != 0 for x in f.get("values", [])),
    "HAS_PROPERTY": lambda v, f: _has(v),
    "NOT_HAS_PROPERTY": lambda v, f: not _has(v),
    "CONTAINS_TOKEN": lambda v, f: _has(v)
    and str(f.get("value", "")).strip("*").casefold() in str(v).casefold(),
    "NOT_CONTAINS_TOKEN": lambda v, f: not _has(v)
    or str(f.get("value", "")).strip("*").casefold() not in str(v).casefold(),
}


def _check_filters(groups: list[JsonObject]) -> None:
    if len(groups) > MAX_FILTER_GROUPS:
        raise invalid(f"At most {MAX_FILTER_GROUPS} filterGroups are allowed")
    if sum(len(g.get("filters", [])) for g in groups) > MAX_FILTERS:
        raise invalid(f"At most {MAX_FILTERS} filters are allowed")
    for group in groups:
        for flt in group.get("filters", []):
            if flt.get("operator") not in OPERATORS:
                raise invalid(f"Unknown operator {flt.get('operator')!r}")


def _matches(doc: Snapshot, groups: list[JsonObject], query: str | None) -> bool:
    if query and not any(query.casefold() in str(v).casefold()
                         for v in doc.properties.values() if v):
        return False
    if not groups:
        return True
    return any(all(OPERATORS[f["operator"]](doc.properties.get(f["propertyName"]), f)
                   for f in g.get("filters", [])) for g in groups)


SortKey = tuple[int, Decimal, str]


def _sort_key(name: str) -> Callable[[Snapshot], SortKey]:
    """Numbers before text, empty values last; never compares a number with text."""
    def key(doc: Snapshot) -> SortKey:
        value = doc.properties.get(name) if name != "hs_object_id" else doc.id
        if not _has(value):
            return (2, Decimal(0), "")
        comparable = _comparable(str(value))
        if isinstance(comparable, Decimal):
            return (0, comparable, "")
        return (1, Decimal(0), comparable)
    return key


def _sorted(docs: list[Snapshot], sorts: list[Any]) -> list[Snapshot]:
    ordered = sorted(docs, key=lambda d: int(d.id) if d.id.isdigit() else 0)
    for sort in reversed(sorts):
        if isinstance(sort, str):
            name, descending = sort.lstrip("-"), sort.startswith("-")
        else:
            name = str(sort.get("propertyName"))
            descending = str(sort.get("direction", "ASCENDING")).upper() == "DESCENDING"
        ordered.sort(key=_sort_key(name), reverse=descending)
    return ordered


@dataclass(frozen=True)
class SearchPage:
    total: int
    results: list[Snapshot]
    next_after: str | None


def run_search(docs: list[Snapshot], body: JsonObject) -> SearchPage:
    """Filter, sort and page; paging at or past 10,000 results is a 400, as in HubSpot."""
    limit = int(body.get("limit") or 10)
    if not 0 < limit <= MAX_SEARCH_LIMIT:
        raise invalid(f"limit must be between 1 and {MAX_SEARCH_LIMIT}")
    after = int(body.get("after") or 0)
    if after >= SEARCH_RESULT_CAP:
        raise invalid(f"Search results are limited to {SEARCH_RESULT_CAP}; "
                      f"after={after} is past the cap")
    groups = list(body.get("filterGroups") or [])
    _check_filters(groups)
    hits = [d for d in docs if _matches(d, groups, body.get("query"))]
    page_end = min(after + limit, len(hits), SEARCH_RESULT_CAP)
    page = _sorted(hits, list(body.get("sorts") or []))[after:page_end]
    # Like HubSpot, the last page below the cap still offers `after`; following it is a 400.
    more = page_end < len(hits)
    return SearchPage(len(hits), page, str(page_end) if more else None)
