"""The outbox: intent committed before the external write, confirmed after."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sync.ledger import Ledger, OutboxError, UnknownRecordError
from tests.ledger.conftest import Clock

TRANSFER = "stripe:transfer:vmcpo_7_2025-02:1"
PAYLOAD = {"amount": 25000, "currency": "eur", "destination": "acct_7"}


def test_enqueue_is_idempotent_by_key(ledger: Ledger) -> None:
    assert ledger.enqueue(TRANSFER, "stripe_transfer", "vmcpo_7_2025-02", PAYLOAD) is True
    assert ledger.enqueue(TRANSFER, "stripe_transfer", "vmcpo_7_2025-02", {"other": 1}) is False
    [entry] = ledger.pending()
    assert (entry.key, entry.payload, entry.status, entry.attempts) == (TRANSFER, PAYLOAD, "pending", 0)


def test_confirm_keeps_the_result_and_leaves_pending(ledger: Ledger) -> None:
    ledger.enqueue(TRANSFER, "stripe_transfer", "vmcpo_7_2025-02", PAYLOAD)
    ledger.confirm(TRANSFER, {"transfer_id": "tr_1"})
    assert ledger.pending() == []
    entry = ledger.outbox_entry(TRANSFER)
    assert entry is not None
    assert (entry.status, entry.result, entry.attempts) == ("sent", {"transfer_id": "tr_1"}, 1)
    ledger.confirm(TRANSFER, {"transfer_id": "tr_1"})  # the same answer again: no-op
    with pytest.raises(OutboxError):
        ledger.confirm(TRANSFER, {"transfer_id": "tr_2"})
    assert ledger.enqueue(TRANSFER, "stripe_transfer", "vmcpo_7_2025-02", PAYLOAD) is False


def test_pending_by_kind_oldest_first(ledger: Ledger, clock: Clock) -> None:
    ledger.enqueue("hubspot:line:b:1", "hubspot_line", "b", {})
    clock.advance(seconds=1)
    ledger.enqueue("hubspot:line:a:1", "hubspot_line", "a", {})
    ledger.enqueue(TRANSFER, "stripe_transfer", "vmcpo_7_2025-02", PAYLOAD)
    assert [e.key for e in ledger.pending("hubspot_line")] == ["hubspot:line:b:1", "hubspot:line:a:1"]
    assert [e.key for e in ledger.pending("stripe_transfer")] == [TRANSFER]
    assert len(ledger.pending()) == 3


def test_failure_is_final_unless_retried(ledger: Ledger) -> None:
    ledger.enqueue("hubspot:line:a:1", "hubspot_line", "a", {})
    ledger.fail("hubspot:line:a:1", "503 from HubSpot", retry=True)
    [entry] = ledger.pending()
    assert (entry.attempts, entry.last_error) == (1, "503 from HubSpot")
    ledger.fail("hubspot:line:a:1", "400 token pat-na1-secret invalid")
    assert ledger.pending() == []
    failed = ledger.outbox_entry("hubspot:line:a:1")
    assert failed is not None and failed.status == "failed" and failed.attempts == 2
    assert failed.last_error is not None and "pat-na1-secret" not in failed.last_error
    with pytest.raises(OutboxError):
        ledger.confirm("hubspot:line:a:1", {})
    with pytest.raises(UnknownRecordError):
        ledger.confirm("nope", {})


def test_a_killed_run_resumes_from_pending_intents(open_ledger: Callable[[], Ledger]) -> None:
    crashed = open_ledger()
    crashed.enqueue(TRANSFER, "stripe_transfer", "vmcpo_7_2025-02", PAYLOAD)
    crashed.close()  # killed between intent and write: never confirmed
    resumed = open_ledger()
    [entry] = resumed.pending("stripe_transfer")
    assert (entry.key, entry.payload) == (TRANSFER, PAYLOAD)
    resumed.confirm(entry.key, {"transfer_id": "tr_adopted"})
    assert resumed.pending() == []


def _enqueue_then_crash(ledger: Ledger) -> None:
    with ledger.transaction():
        ledger.enqueue(TRANSFER, "stripe_transfer", "vmcpo_7_2025-02", PAYLOAD)
        raise RuntimeError("crash before commit")


def test_an_intent_in_a_rolled_back_transaction_is_not_recorded(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError):
        _enqueue_then_crash(ledger)
    assert ledger.pending() == []
