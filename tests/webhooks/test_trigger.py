"""The debounce: after the first pending event, the trigger waits for others, then runs
once for all of them; a failed run is tried again later and later; the thread ends when
``serve`` stops. The run here is a stand-in for the targeted sync that marks what it
took, on a real ledger."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobs.webhooks import MAX_BACKOFF_SECONDS, SKIPPED_RETRY_SECONDS, WebhookTrigger
from sync.ledger.webhooks import WebhookEvent
from sync.wiring import Services
from tests.webhooks.support import worker_settings

DEBOUNCE = 0.5


def event(n: int) -> WebhookEvent:
    return WebhookEvent(f"evt_{n}", "stripe", "invoice.paid", "invoice", f"in_{n}",
                        datetime(2026, 11, 2, tzinfo=UTC))


class Runs:
    """Each run: when it started and the events it took (then marked processed)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.taken: list[tuple[float, list[str]]] = []
        self.done = threading.Event()

    def __call__(self) -> str:
        ledger = self.services.ledger
        pending = [e.id for e in ledger.pending_webhook_events()]
        self.taken.append((time.monotonic(), pending))
        ledger.mark_webhook_events_processed(ledger.start_run("webhook", datetime.now(UTC)),
                                             pending)
        self.done.set()
        return "succeeded"


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = Services(worker_settings(f"sqlite:///{tmp_path / 'ledger.db'}"))
    yield services
    services.close()


def test_events_arriving_within_the_debounce_make_one_run(services: Services) -> None:
    runs, stop = Runs(services), threading.Event()
    trigger = WebhookTrigger(services, runs, stop, debounce=DEBOUNCE, poll=60)
    thread = threading.Thread(target=trigger.serve)
    thread.start()
    try:
        first = time.monotonic()
        services.ledger.store_webhook_events([event(1)])
        trigger.wake()
        time.sleep(0.15)
        services.ledger.store_webhook_events([event(2), event(3)])
        trigger.wake()
        assert runs.done.wait(10)
        time.sleep(DEBOUNCE * 2)  # no second run: nothing is pending
    finally:
        stop.set()
        trigger.wake()
        thread.join(10)
    assert not thread.is_alive()
    ((started, taken),) = runs.taken
    assert taken == ["evt_1", "evt_2", "evt_3"]
    assert started - first >= DEBOUNCE - 0.05  # waited for the others (clocks differ a hair)


def test_events_left_pending_by_an_earlier_process_run_at_once(services: Services) -> None:
    services.ledger.store_webhook_events([event(1)])  # before this trigger existed
    time.sleep(DEBOUNCE)
    runs, stop = Runs(services), threading.Event()
    trigger = WebhookTrigger(services, runs, stop, debounce=DEBOUNCE, poll=60)
    thread = threading.Thread(target=trigger.serve)
    started = time.monotonic()
    thread.start()
    try:
        assert runs.done.wait(10)
    finally:
        stop.set()
        trigger.wake()
        thread.join(10)
    assert runs.taken[0][0] - started < DEBOUNCE  # no new wait: it is overdue
    assert runs.taken[0][1] == ["evt_1"]


def test_a_failing_run_is_tried_again_later_and_later(services: Services) -> None:
    trigger = WebhookTrigger(services, lambda: "failed", threading.Event(),
                             debounce=DEBOUNCE)
    waits = []
    for outcome in ("failed", "failed", "failed", "stopped", "failed", "failed", "failed",
                    "failed", "failed", "succeeded", "skipped"):
        trigger.after(outcome)
        waits.append(trigger.backoff)
    assert waits == [5.0, 10.0, 20.0, 40.0, 80.0, 160.0, MAX_BACKOFF_SECONDS,
                     MAX_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS, 0.0, SKIPPED_RETRY_SECONDS]


def test_the_thread_ends_when_serve_stops(services: Services) -> None:
    stop = threading.Event()
    trigger = WebhookTrigger(services, lambda: "succeeded", stop, debounce=DEBOUNCE, poll=60)
    thread = threading.Thread(target=trigger.serve)
    thread.start()
    time.sleep(0.2)
    stop.set()
    trigger.wake()
    thread.join(5)
    assert not thread.is_alive()
