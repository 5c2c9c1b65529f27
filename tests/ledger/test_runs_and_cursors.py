"""Runs, and cursors committed with the data they cover."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sync.ledger import Ledger, RunStateError, UnknownRecordError
from tests.engine.builders import at
from tests.ledger.conftest import START, Clock
from tests.ledger.scenario import MONTH1_AS_OF, month1


def test_run_lifecycle(ledger: Ledger, clock: Clock) -> None:
    assert ledger.last_run() is None
    run_id = ledger.start_run("sync", at(MONTH1_AS_OF))
    clock.advance(minutes=2)
    ledger.finish_run(run_id, "succeeded", {"lines": 3, "payouts": 1})
    run = ledger.last_run("sync")
    assert run is not None
    assert (run.id, run.kind, run.status, run.dry_run, run.summary) == (
        run_id, "sync", "succeeded", False, {"lines": 3, "payouts": 1})
    assert (run.as_of, run.started_at, run.finished_at) == (
        at(MONTH1_AS_OF), START, clock())
    assert ledger.last_run("pay") is None
    with pytest.raises(RunStateError):
        ledger.finish_run(run_id, "failed", {})


def test_last_run_by_kind(ledger: Ledger) -> None:
    sync_id = ledger.start_run("sync", at(MONTH1_AS_OF))
    pay_id = ledger.start_run("pay", at(MONTH1_AS_OF), dry_run=True)
    assert ledger.last_run() is not None and ledger.last_run().id == pay_id  # type: ignore[union-attr]
    sync = ledger.last_run("sync")
    assert sync is not None and sync.id == sync_id and sync.status == "running"


def test_last_finished_run_skips_running_and_dry_runs(ledger: Ledger, clock: Clock) -> None:
    """What /healthz reports: the last run of a kind that ended, and the last that ended
    well; a run still going and a dry run say nothing of the job's health."""
    assert ledger.last_finished_run("sync") is None
    succeeded = ledger.start_run("sync", at(MONTH1_AS_OF))
    ledger.finish_run(succeeded, "succeeded", {})
    failed = ledger.start_run("sync", at(MONTH1_AS_OF))
    ledger.finish_run(failed, "failed", {}, error="boom")
    dry = ledger.start_run("sync", at(MONTH1_AS_OF), dry_run=True)
    ledger.finish_run(dry, "succeeded", {})
    ledger.start_run("sync", at(MONTH1_AS_OF))  # running
    last = ledger.last_finished_run("sync")
    assert last is not None and (last.id, last.status, last.error) == (failed, "failed", "boom")
    good = ledger.last_finished_run("sync", ("succeeded",))
    assert good is not None and good.id == succeeded
    assert ledger.last_finished_run("pay") is None
    current, head = ledger.migrations()
    assert current is not None and current == head


def test_failed_run_error_is_scrubbed(ledger: Ledger) -> None:
    run_id = ledger.start_run("sync", at(MONTH1_AS_OF))
    ledger.finish_run(run_id, "failed", {}, error="auth failed for sk_test_4eC39HqLyjWDarjtT1zdp7dc "
                      "at postgresql://app:hunter2@db/ledger")
    run = ledger.last_run()
    assert run is not None and run.error is not None
    assert "4eC39" not in run.error and "hunter2" not in run.error
    assert "auth failed" in run.error


def test_bad_run_status_and_unknown_run(ledger: Ledger) -> None:
    with pytest.raises(RunStateError):
        ledger.finish_run(ledger.start_run("sync", at(MONTH1_AS_OF)), "done", {})
    with pytest.raises(UnknownRecordError):
        ledger.finish_run(999, "failed", {})


def test_cursor_set_and_read_back_by_another_ledger(open_ledger: Callable[[], Ledger]) -> None:
    ledger = open_ledger()
    assert ledger.get_cursor("stripe.invoices") is None
    ledger.set_cursor("stripe.invoices", "in_1")
    ledger.set_cursor("stripe.invoices", "in_2")
    assert open_ledger().get_cursor("stripe.invoices") == "in_2"


def test_cursor_moves_with_the_data_it_covers(ledger: Ledger) -> None:
    ledger.set_cursor("sync", "2025-02")
    _record_and_move_cursor(ledger, ledger.start_run("sync", at(MONTH1_AS_OF)), fail=False)
    assert ledger.get_cursor("sync") == "2025-03"
    assert ledger.load_state() == month1().ledger


def _record_and_move_cursor(ledger: Ledger, run_id: int, fail: bool) -> None:
    with ledger.transaction():
        if fail:  # the cursor moves first here: it must still roll back
            ledger.set_cursor("sync", "2025-03")
        ledger.record_decisions(run_id, month1(ledger.load_state()))
        ledger.set_cursor("sync", "2025-03")
        if fail:
            raise RuntimeError("HubSpot write failed")


def test_a_failing_transaction_leaves_the_cursor_unmoved(ledger: Ledger) -> None:
    ledger.set_cursor("sync", "2025-02")
    run_id = ledger.start_run("sync", at(MONTH1_AS_OF))
    with pytest.raises(RuntimeError, match="HubSpot write failed"):
        _record_and_move_cursor(ledger, run_id, fail=True)
    assert ledger.get_cursor("sync") == "2025-02"
    assert ledger.load_state().lines == ()
    assert ledger.findings(run_id) == []


def test_a_failing_record_leaves_the_cursor_unmoved(ledger: Ledger) -> None:
    ledger.set_cursor("sync", "2025-02")
    run_id = ledger.start_run("sync", at(MONTH1_AS_OF), dry_run=True)
    with pytest.raises(RunStateError):
        _record_and_move_cursor(ledger, run_id, fail=False)
    assert ledger.get_cursor("sync") == "2025-02"


def test_runs_left_running_by_a_killed_worker_are_closed_as_stopped(ledger: Ledger) -> None:
    killed = ledger.start_run("sync", at("2026-11-01"))
    assert ledger.close_abandoned_runs() == 1
    record = ledger.last_run("sync")
    assert record is not None and record.id == killed and record.status == "stopped"
    assert "abandoned" in (record.error or "")
    assert ledger.close_abandoned_runs() == 0
