"""``partnersync serve``: the scheduled jobs, ``/healthz`` and Prometheus ``/metrics``.

APScheduler 3.11 runs three jobs on cron expressions from the settings (UTC):
``sync`` (pull, reconcile, write back; hourly), ``month_close`` (the same with full
listings, so months close and payouts are decided on a complete portal; daily) and
``pay`` (finance's approvals read back and R26 transfers; every 15 minutes). Each job
has ``max_instances=1`` and coalesces missed runs; the ledger's job lock keeps
replicas from running two jobs at once. ``jobs.health`` says what ``/healthz`` and
``/readyz`` answer, on PARTNERSYNC_SERVE_HOST/PORT: internal, for probes and scrapes,
not logged. With PARTNERSYNC_PORTAL_SECRET_KEY set, the partner portal (``sync.portal``,
docs/portal.md) listens on a port of its own, PARTNERSYNC_PORTAL_PORT: the only one to
expose with the webhook receivers, on PARTNERSYNC_WEBHOOK_PORT when a vendor's webhook
secret is set (``jobs.webhooks``: their targeted syncs are the ``webhook`` job). All are
served by waitress (``sync.runtime.http``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Request, Response

from jobs.cycle import outcome_of, run_sync
from jobs.health import JOBS, WEBHOOK, OutcomeBook, assess, readiness
from jobs.pay import run_pay
from jobs.summary import RunSummary, start_series
from jobs.webhooks import Receiving, run_targeted_sync, start_webhooks
from sync.errors import ConfigurationError
from sync.ledger import Ledger
from sync.portal.server import start_portal
from sync.runtime.http import Listening, listen
from sync.runtime.metrics import REGISTRY, RUN_SECONDS, RUNS
from sync.wiring import Services

log = structlog.get_logger("partnersync.serve")


def observed(job: str, run: Callable[[], RunSummary], book: OutcomeBook,
             ledger: Callable[[], Ledger]) -> Callable[[], str]:
    """Run a job, count it, note how it ended for /healthz, and log its one summary
    line; never let it kill the scheduler (the next run retries from the ledger).
    Returns the run's outcome."""

    def observed_run() -> str:
        try:
            summary = run()
        except Exception as error:  # logged and counted; the scheduler keeps going
            reason = f"{type(error).__name__}: {error}"
            outcome = outcome_of(error)
            RUNS.labels(job_name=job, outcome=outcome).inc()
            book.record(job, outcome, reason)
            log.error("job.failed", job=job, error=reason)
        else:
            outcome = summary.outcome
            RUNS.labels(job_name=job, outcome=outcome).inc()
            RUN_SECONDS.labels(job_name=job).observe(summary.seconds)
            if outcome != "skipped":  # skipped: another replica runs it
                book.record(job, outcome, summary.error)
            summary.log(log, "job.finished")  # at the level its outcome deserves
        book.refresh(ledger)  # and what other replicas and commands did meanwhile
        return outcome

    return observed_run


def _trigger(expression: str, setting: str) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(expression, timezone=UTC)
    except ValueError as error:
        raise ConfigurationError(f"PARTNERSYNC_{setting.upper()}: {error}") from None


def build_scheduler(services: Services, book: OutcomeBook) -> BackgroundScheduler:
    settings = services.settings
    scheduler = BackgroundScheduler(timezone=UTC)
    jobs: tuple[tuple[str, str, Callable[[], RunSummary]], ...] = (
        ("sync", "schedule_sync", lambda: run_sync(services, datetime.now(UTC))),
        ("month_close", "schedule_month_close",
         lambda: run_sync(services, datetime.now(UTC), force_full=True, job="month_close")),
        ("pay", "schedule_pay", lambda: run_pay(services)),
    )
    start_series(tuple(name for name, _, _ in jobs))
    for name, setting, run in jobs:
        scheduler.add_job(observed(name, run, book, lambda: services.ledger),
                          _trigger(getattr(settings, setting), setting),
                          id=name, name=name, max_instances=1, coalesce=True,
                          misfire_grace_time=300)
    return scheduler


class HealthApp:
    """``/healthz`` (each job's last outcome, ``jobs.health``), ``/readyz``, ``/metrics``;
    any other path 404 (the portal has its own port)."""

    def __init__(self, scheduler: BackgroundScheduler, services: Services,
                 book: OutcomeBook) -> None:
        self.scheduler, self.services, self.book = scheduler, services, book
        self.jobs = (*JOBS, WEBHOOK) if services.settings.webhooks_on else JOBS

    def ledger(self) -> Ledger:
        return self.services.ledger  # opened (and migrated) on first use

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/metrics":
            response = Response(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
        elif request.path == "/healthz":
            response = _json(*self.health())
        elif request.path == "/readyz":
            response = _json(*readiness(self.ledger, self.scheduler.running))
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def health(self) -> tuple[int, dict[str, Any]]:
        seen, ledger_error = self.book.seen()
        next_runs = {job.id: job.next_run_time.isoformat() if job.next_run_time else None
                     for job in self.scheduler.get_jobs()}
        max_age = timedelta(seconds=self.services.settings.health_max_sync_age_seconds)
        return assess(seen, now=self.book.clock(), started_at=self.book.started_at,
                      max_age=max_age, next_runs=next_runs,
                      scheduler_running=self.scheduler.running, ledger_error=ledger_error,
                      jobs=self.jobs)


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body, indent=2) + "\n", status=status,
                    content_type="application/json")


def serve(services: Services, stop: threading.Event, ready: Callable[[str], None],
          book: OutcomeBook | None = None, *,
          portal_ready: Callable[[str], None] | None = None,
          webhooks_ready: Callable[[str], None] | None = None) -> None:
    """Start the jobs, the health server, the portal (with a secret key) and the webhook
    receivers (with a vendor's secret); return when ``stop`` is set. ``ready`` gets the
    health server's URL, ``portal_ready`` the portal's, ``webhooks_ready`` the
    receivers', once they listen. ``book``: what the jobs ended with, and the clock
    /healthz judges by (tests pass their own)."""
    settings = services.settings
    book = book if book is not None else OutcomeBook()
    book.refresh(lambda: services.ledger)  # opens and migrates the ledger, if it answers
    scheduler = build_scheduler(services, book)
    health = listen(HealthApp(scheduler, services, book), settings.serve_host,
                    settings.serve_port, name="health")
    portal: Listening | None = None
    webhooks: Receiving | None = None
    try:
        if settings.portal_secret_key is not None:
            portal = start_portal(services)
        scheduler.start()
        start_series((WEBHOOK,) if settings.webhooks_on else ())
        webhooks = start_webhooks(services, observed(
            WEBHOOK, lambda: run_targeted_sync(services), book, lambda: services.ledger), stop)
        if portal is not None and portal_ready is not None:
            portal_ready(portal.url)
        if webhooks is not None and webhooks_ready is not None:
            webhooks_ready(webhooks.server.url)
        ready(health.url)  # last: everything listens
        stop.wait()
    finally:
        for server in (portal, health):
            if server is not None:
                server.stop()
        stop.set()  # the webhook trigger starts no run after this
        if webhooks is not None:
            webhooks.stop()
        if scheduler.running:
            scheduler.shutdown(wait=True)  # a running job finishes; none starts
