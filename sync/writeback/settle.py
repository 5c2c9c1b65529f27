"""Settling sent writes in the outbox: confirmed, or failed and left pending.

``settle`` confirms a chunk's written entries and fails the others (retried by the next
run) in one transaction. ``SettledInBatches`` gathers entries written one call each
(Stripe's customer metadata) and settles them ``BATCH`` at a time: one transaction per
entry made 4,368 SQLite commits of a full sync's metadata the write phase's bound. An
entry written but not yet settled when a run dies stays pending and is sent again under
the same idempotency key (its outbox key): Stripe answers it as the first time.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.ledger import Ledger
from sync.ledger.records import OutboxEntry
from sync.ledger.written import confirm_all


@dataclass(slots=True)
class ApplySummary:
    sent: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # kind -> confirmed
    failed: dict[str, str] = field(default_factory=dict)  # outbox key -> reason; still pending
    held: list[str] = field(default_factory=list)  # payout writes that would undo finance
    finance_applied: list[str] = field(default_factory=list)  # payouts finance moved
    _lock: threading.Lock = field(default_factory=threading.Lock)  # senders run in threads

    @property
    def written(self) -> int:
        return sum(self.sent.values())

    def settled(self, chunk: Sequence[OutboxEntry], confirmed: Collection[str],
                failed: Mapping[str, str]) -> None:
        """Count a settled chunk: its confirmed keys by kind, its failures."""
        with self._lock:
            for entry in chunk:
                self.sent[entry.kind] += entry.key in confirmed
            self.failed.update(failed)


BATCH = 50  # entries a transaction: a second of Stripe's 100 writes a second at most


class SettledInBatches:
    """Entries written (or refused) one by one, settled ``batch`` at a time; ``flush``
    settles the rest (call it when sending stops, however it stops)."""

    def __init__(self, ledger: Ledger, summary: ApplySummary, batch: int = BATCH) -> None:
        self._ledger, self._summary, self._batch = ledger, summary, batch
        self._pending: list[tuple[OutboxEntry, str | None]] = []
        self._lock = threading.Lock()

    def add(self, entry: OutboxEntry, *, failure: str | None = None) -> None:
        with self._lock:
            self._pending.append((entry, failure))
            if len(self._pending) < self._batch:
                return
            taken, self._pending = self._pending, []
        self._settle(taken)

    def flush(self) -> None:
        with self._lock:
            taken, self._pending = self._pending, []
        self._settle(taken)

    def _settle(self, taken: list[tuple[OutboxEntry, str | None]]) -> None:
        if not taken:
            return
        settle(self._ledger, [entry for entry, _ in taken],
               {entry.target: entry.target for entry, failure in taken if failure is None},
               {entry.target: failure for entry, failure in taken if failure is not None},
               self._summary)


def settle(ledger: Ledger, chunk: Sequence[OutboxEntry], succeeded: Mapping[str, str],
           failed: Mapping[str, str], summary: ApplySummary) -> None:
    """Confirm what was written; leave what failed pending for the next run. The
    confirmations of a chunk go in one statement (a run confirms 100,000 lines)."""
    confirmed: dict[str, dict[str, Any]] = {}
    failures: dict[str, str] = {}
    with ledger.transaction():
        for entry in chunk:
            reason = failed.get(entry.target)
            if reason is None and entry.target not in succeeded:
                reason = "no result for this record"
            if reason is None:
                confirmed[entry.key] = {"id": succeeded[entry.target]}
            else:
                ledger.fail(entry.key, reason, retry=True)
                failures[entry.key] = reason
        confirm_all(ledger, confirmed)
    summary.settled(chunk, confirmed, failures)
