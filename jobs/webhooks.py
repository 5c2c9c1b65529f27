"""The ``webhook`` job: a targeted sync of the objects pending webhook events name, and
the thread of ``partnersync serve`` that runs it a moment after events arrive.

The targeted sync is the sync cycle (``jobs.cycle``) with one step changed: instead of
pulling what changed since the cursors, it reads again the objects the pending events
name (``sync.pull.targeted``); finance's read-back, the decisions, their record, the
payments and the writes follow as in any sync, under the same job lock (the hourly sync
and a targeted one never run at once). The events it took -- those pending when it
started -- are marked processed once the cycle is done, in the run that read their
objects: a run killed before leaves them pending for the next one. Events arriving
meanwhile wait for the next run -- except, for a burst read through Stripe's events
listing (``sync.pull.burst``), those the listing itself read: their objects are stored
at or after them and were decided on, so they are marked with the others.

``WebhookTrigger``: after the first pending event, PARTNERSYNC_WEBHOOK_DEBOUNCE_SECONDS
for others to arrive, then one run for all of them (a burst of thousands is a few
runs). A run that failed is tried again later and later (the events stay pending); one
skipped because another job holds the lock, shortly after.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from jobs.cycle import PullStep, cycle, run_job
from jobs.summary import RunSummary
from sync.ledger.webhooks import WebhookEvent
from sync.pull.burst import Burst
from sync.pull.mirror_inputs import ListedInvoices
from sync.pull.portal import PullSummary
from sync.pull.targeted import pull_targets
from sync.runtime.http import MAX_BODY, Listening, listen
from sync.runtime.metrics import WEBHOOK_PENDING
from sync.webhooks.receiver import Receivers, WebhookApp, refused_by_server, start_series
from sync.wiring import Services

JOB = "webhook"
KEEP_PROCESSED = timedelta(days=30)  # past every vendor's retries: an id will not return
POLL_SECONDS = 30.0  # for events another replica stored (this one's wake the thread)
SKIPPED_RETRY_SECONDS = 10.0  # another job holds the lock: try again soon
MAX_BACKOFF_SECONDS = 300.0  # a failing run is tried again at most this far apart

log = structlog.get_logger("partnersync.webhooks")


def targeted_pull(events: list[WebhookEvent], notes: dict[str, str],
                  read_events: set[str] | None = None) -> PullStep:
    """The cycle's step reading ``events``' objects; ``notes`` gets why one was not,
    ``read_events`` the Stripe events a burst's listing read (``sync.pull.burst``)."""
    def step(services: Services, run_id: int, now: datetime,
             listed: ListedInvoices) -> PullSummary:
        overlap = timedelta(seconds=services.settings.pull_overlap_seconds)
        pulled = pull_targets(services.hubspot, services.stripe, services.ledger,
                              services.mirror, run_id, events, Burst(now, overlap))
        notes.update(pulled.notes)
        if read_events is not None:
            read_events.update(pulled.listed)
        return pulled.summary
    return step


def run_targeted_sync(services: Services, as_of: datetime | None = None,
                      on_summary: Callable[[RunSummary], None] | None = None) -> RunSummary:
    """One targeted sync of the events pending now (none: the run does nothing)."""
    as_of = as_of or datetime.now(UTC)

    def work(run_id: int, summary: RunSummary) -> None:
        ledger = services.ledger
        events = ledger.pending_webhook_events()
        summary.webhook_events = len(events)
        if not events:
            return
        notes: dict[str, str] = {}
        listed: set[str] = set()
        cycle(services, run_id, as_of, summary,
              pull_step=targeted_pull(events, notes, read_events=listed))
        # Delivered meanwhile, but read by this run's listing: its object is stored at or
        # after it and was decided on, so it is done too (a burst is still arriving).
        read = [event.id for event in ledger.pending_webhook_events() if event.id in listed]
        ledger.mark_webhook_events_processed(run_id, [event.id for event in events] + read,
                                             notes)
        WEBHOOK_PENDING.set(ledger.webhook_backlog()[0])  # now, not at the trigger's next look
        ledger.prune_webhook_events(ledger.now() - KEEP_PROCESSED)

    return run_job(services, JOB, as_of, work, on_summary)


class WebhookTrigger:
    """Runs ``run`` (the observed job: it returns the run's outcome) a debounce after
    the oldest pending event arrived, until ``stop``; ``wake`` when one is stored."""

    def __init__(self, services: Services, run: Callable[[], str], stop: threading.Event,
                 *, debounce: float, poll: float = POLL_SECONDS) -> None:
        self.services, self.run, self.stop = services, run, stop
        self.debounce, self.poll = debounce, poll
        self._woken = threading.Event()
        self.backoff = 0.0

    def wake(self) -> None:
        self._woken.set()

    def serve(self) -> None:
        """The thread's loop; returns once ``stop`` is set (``wake`` it to hurry)."""
        while not self.stop.is_set():
            delay = self._until_due()
            if delay is None:  # nothing pending: wait for a delivery, or poll
                self._woken.wait(self.poll)
                self._woken.clear()
                continue
            if self.stop.wait(delay):
                return
            self.after(self.run())

    def _until_due(self) -> float | None:
        """Seconds until the next run is due; None when no event is pending."""
        try:
            pending, oldest = self.services.ledger.webhook_backlog()
        except Exception as error:  # the ledger down: the jobs report it; look again later
            log.warning("webhook.backlog_unreadable", error=type(error).__name__)
            return self.poll
        WEBHOOK_PENDING.set(pending)
        if oldest is None:
            return None
        waited = (datetime.now(UTC) - oldest).total_seconds()
        return max(self.debounce - waited, 0.0) + self.backoff

    def after(self, outcome: str) -> None:
        """The wait before the next run, by how this one ended."""
        if outcome == "succeeded":
            self.backoff = 0.0
        elif outcome == "skipped":
            self.backoff = SKIPPED_RETRY_SECONDS
        else:  # failed or stopped: the events stay pending; do not hammer the APIs
            self.backoff = min(max(self.backoff * 2, self.debounce, 5.0), MAX_BACKOFF_SECONDS)


@dataclass
class Receiving:
    """The receivers listening and the trigger's thread, as ``serve`` runs them."""

    server: Listening
    trigger: WebhookTrigger
    thread: threading.Thread

    def stop(self) -> None:
        """Stop receiving (deliveries in progress are stored and answered), then let the
        trigger finish a run in progress; the events it had not taken stay pending."""
        self.server.stop()
        self.trigger.wake()
        self.thread.join()


def start_webhooks(services: Services, run: Callable[[], str],
                   stop: threading.Event) -> Receiving | None:
    """The receivers whose secret is set, on PARTNERSYNC_WEBHOOK_HOST/PORT, and the
    trigger; None (said once in the log) when no secret is set."""
    settings = services.settings
    receivers = Receivers.from_settings(settings, services.props)
    if not settings.webhooks_on:
        log.info("webhooks.off", reason="neither PARTNERSYNC_STRIPE_WEBHOOK_SECRET nor "
                 "PARTNERSYNC_HUBSPOT_CLIENT_SECRET is set: the scheduled syncs alone")
        return None
    start_series(receivers)
    trigger = WebhookTrigger(services, run, stop, debounce=settings.webhook_debounce_seconds)
    app = WebhookApp(receivers, lambda: services.ledger, trigger.wake)
    server = listen(app.wsgi(), settings.resolved_webhook_host, settings.webhook_port,
                    name="webhooks", max_body=MAX_BODY + 1, on_refused=refused_by_server)
    thread = threading.Thread(target=trigger.serve, name="webhook-trigger", daemon=True)
    thread.start()
    log.info("webhooks.on", url=server.url, stripe=receivers.on("stripe"),
             hubspot=receivers.on("hubspot"), public_url=settings.webhook_public_url,
             debounce_seconds=settings.webhook_debounce_seconds)
    return Receiving(server, trigger, thread)
