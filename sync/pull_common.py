"""What the HubSpot and Stripe pulls share: their tally, progress reporting, cursors."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sync.ledger import Ledger
from sync.ledger.mirror import Mirror

JSON = dict[str, Any]
Progress = Callable[[str, int], None]
Turn = AbstractContextManager[Any]  # held around each side's ledger work, see db_turn
PROGRESS_EVERY = 100  # records between progress calls while a listing streams in


@dataclass
class Tally:
    """One side's counts per mirrored type, merged into the ``PullSummary``."""

    full: bool = False
    read: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    missing_ids: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, *, read: int = 0, changed: int = 0, removed: int = 0) -> None:
        for counts, value in ((self.read, read), (self.changed, changed),
                              (self.removed, removed)):
            counts[kind] = counts.get(kind, 0) + value


def store(mirror: Mirror, kind: str, records: list[JSON], run_id: int, tally: Tally, *,
          full: bool) -> None:
    """A full listing replaces the type (what it lacks is gone); a partial one upserts.
    Call inside the transaction that also moves the cursor covering ``records``."""
    if full:
        changed, removed = mirror.replace_all(kind, keyed(records), run_id)
    else:
        changed, removed = mirror.upsert(kind, keyed(records), run_id), 0
    tally.add(kind, read=len(records), changed=changed, removed=removed)


def keyed(records: Iterable[JSON]) -> list[tuple[str, JSON]]:
    return [(str(record["id"]), record) for record in records]


def counted(records: Iterable[JSON], label: str, progress: Progress | None) -> list[JSON]:
    """Read ``records`` to the end, reporting the running count as they arrive."""
    read: list[JSON] = []
    for record in records:
        read.append(record)
        if progress is not None and len(read) % PROGRESS_EVERY == 0:
            progress(label, len(read))
    if progress is not None and len(read) % PROGRESS_EVERY:
        progress(label, len(read))
    return read


def serialized(progress: Progress | None) -> Progress | None:
    """Both sides report from their own thread; the caller's callback sees one at a time."""
    if progress is None:
        return None
    lock = threading.Lock()

    def report(label: str, count: int) -> None:
        with lock:
            progress(label, count)

    return report


def db_turn(ledger: Ledger) -> Turn:
    """SQLite has one writer at a time (BEGIN IMMEDIATE) and a writer waiting longer
    than its busy timeout (30 s) fails: a big full listing's commit could outlast that,
    so on SQLite the two sides take turns on a lock, which waits as long as it takes.
    PostgreSQL lets them write their own rows at once."""
    return threading.Lock() if ledger.engine.dialect.name == "sqlite" else nullcontext()


def instant_cursor(ledger: Ledger, name: str) -> datetime | None:
    value = ledger.get_cursor(name)
    return None if value is None else datetime.fromisoformat(value)


def full_due(last_full: datetime | None, now: datetime, every: timedelta) -> bool:
    return last_full is None or now - last_full >= every
