"""What the HubSpot and Stripe pulls share: their tally, progress reporting, cursors."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.pull.kept import kept

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


def store(mirror: Mirror, kind: str, records: Iterable[JSON], run_id: int, tally: Tally, *,
          full: bool, seen: Callable[[str, JSON], None] | None = None) -> None:
    """A full listing replaces the type (what it lacks is gone); a partial one upserts.
    Call inside the transaction that also moves the cursor covering ``records``.
    ``records`` may be a listing still arriving: it is stored as it comes, a chunk at a
    time, never held whole (the mirror keeps what ``kept`` keeps of each). ``seen`` is
    given each record as stored, with its id."""
    read = 0

    def listed() -> Iterator[tuple[str, JSON]]:
        nonlocal read
        for record in records:
            read += 1
            record_id, body = str(record["id"]), kept(kind, record)
            if seen is not None:
                seen(record_id, body)
            yield record_id, body

    if full:
        changed, removed = mirror.replace_all(kind, listed(), run_id)
    else:
        changed, removed = mirror.upsert(kind, listed(), run_id), 0
    tally.add(kind, read=read, changed=changed, removed=removed)


def counted(records: Iterable[JSON], label: str, progress: Progress | None) -> list[JSON]:
    """Read ``records`` to the end, reporting the running count as they arrive."""
    return list(counting(records, label, progress))


def counting(records: Iterable[JSON], label: str, progress: Progress | None
             ) -> Iterator[JSON]:
    """``records`` as they arrive, reporting the running count every 100."""
    read = 0
    for record in records:
        read += 1
        yield record
        if progress is not None and read % PROGRESS_EVERY == 0:
            progress(label, read)
    if progress is not None and read % PROGRESS_EVERY:
        progress(label, read)


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
