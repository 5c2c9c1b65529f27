"""Stripe's metadata writes, one call a customer, are settled in the outbox a batch at a
time (``sync.writeback.settle``): written ones confirmed, refused ones left pending with
their reason; whatever is gathered is settled when sending stops."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.ledger import Ledger
from sync.ledger.records import OutboxEntry
from sync.writeback.settle import ApplySummary, SettledInBatches

KIND = "stripe.customer_metadata"


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    opened = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    opened.migrate()
    yield opened
    opened.close()


def _entries(ledger: Ledger, count: int) -> list[OutboxEntry]:
    for index in range(count):
        ledger.enqueue(f"{KIND}:cus_{index}:hash:run1", KIND, f"cus_{index}",
                       {"payload": {"vmc_partner_id": str(index)}})
    return ledger.pending(KIND)


def _statuses(ledger: Ledger, entries: list[OutboxEntry]) -> list[str]:
    found = [ledger.outbox_entry(entry.key) for entry in entries]
    return [entry.status if entry is not None else "missing" for entry in found]


def test_written_entries_are_confirmed_a_batch_at_a_time(ledger: Ledger) -> None:
    entries = _entries(ledger, 7)
    summary = ApplySummary()
    settled = SettledInBatches(ledger, summary, batch=3)
    settled.add(entries[0])
    settled.add(entries[1])
    assert _statuses(ledger, entries[:2]) == ["pending", "pending"]  # gathered only
    settled.add(entries[2], failure="No such customer: 'cus_2'")
    assert _statuses(ledger, entries[:3]) == ["sent", "sent", "pending"]
    for entry in entries[3:]:
        settled.add(entry)
    assert _statuses(ledger, entries) == ["sent"] * 2 + ["pending"] + ["sent"] * 3 + [
        "pending"]  # the seventh waits for its batch
    settled.flush()
    assert _statuses(ledger, entries) == ["sent"] * 2 + ["pending"] + ["sent"] * 4
    refused = ledger.outbox_entry(entries[2].key)
    assert refused is not None and refused.last_error == "No such customer: 'cus_2'"
    assert (summary.sent[KIND], list(summary.failed.values())) == (
        6, ["No such customer: 'cus_2'"])


def test_a_flush_with_nothing_gathered_settles_nothing(ledger: Ledger) -> None:
    summary = ApplySummary()
    SettledInBatches(ledger, summary).flush()
    assert summary.written == 0 and summary.failed == {}
