"""``partnersync serve``: the scheduled jobs, ``/healthz`` and Prometheus ``/metrics``.

APScheduler 3.11 runs three jobs on cron expressions from the settings (UTC):
``sync`` (pull, reconcile, write back; hourly), ``month_close`` (the same with full
listings, so months close and payouts are decided on a complete portal; daily) and
``pay`` (finance's approvals read back and R26 transfers; every 15 minutes). Each job
has ``max_instances=1`` and coalesces missed runs; the ledger's job lock keeps
replicas from running two jobs at once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from jobs.cycle import run_sync
from jobs.pay import run_pay
from jobs.summary import RunSummary
from sync.errors import ConfigurationError
from sync.runtime.metrics import LAST_SUCCESS, REGISTRY, RUN_SECONDS, RUNS
from sync.wiring import Services

log = structlog.get_logger("partnersync.serve")


def _observed(job: str, run: Callable[[], RunSummary]) -> Callable[[], None]:
    """Run a job, count it, and log its one summary line; never let it kill the
    scheduler (the next run retries from the ledger)."""

    def observed() -> None:
        try:
            summary = run()
        except Exception as error:  # logged and counted; the scheduler keeps going
            RUNS.labels(job=job, outcome="failed").inc()
            log.error("job.failed", job=job, error=f"{type(error).__name__}: {error}")
            return
        RUNS.labels(job=job, outcome=summary.outcome).inc()
        RUN_SECONDS.labels(job=job).observe(summary.seconds)
        if summary.outcome == "succeeded":
            LAST_SUCCESS.labels(job=job).set(datetime.now(UTC).timestamp())
        summary.log(log, "job.finished")

    return observed


def _trigger(expression: str, setting: str) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(expression, timezone=UTC)
    except ValueError as error:
        raise ConfigurationError(f"PARTNERSYNC_{setting.upper()}: {error}") from None


def build_scheduler(services: Services) -> BackgroundScheduler:
    settings = services.settings
    scheduler = BackgroundScheduler(timezone=UTC)
    jobs: Iterable[tuple[str, str, Callable[[], RunSummary]]] = (
        ("sync", "schedule_sync", lambda: run_sync(services, datetime.now(UTC))),
        ("month_close", "schedule_month_close",
         lambda: run_sync(services, datetime.now(UTC), force_full=True, job="month_close")),
        ("pay", "schedule_pay", lambda: run_pay(services)),
    )
    for name, setting, run in jobs:
        scheduler.add_job(_observed(name, run), _trigger(getattr(settings, setting), setting),
                          id=name, name=name, max_instances=1, coalesce=True,
                          misfire_grace_time=300)
    return scheduler


class HealthApp:
    """``/healthz``: 200 while the scheduler runs, with each job's next run; ``/metrics``."""

    def __init__(self, scheduler: BackgroundScheduler) -> None:
        self.scheduler = scheduler

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/metrics":
            response = Response(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
        elif request.path == "/healthz":
            running = self.scheduler.running
            jobs = {job.id: job.next_run_time.isoformat() if job.next_run_time else None
                    for job in self.scheduler.get_jobs()}
            body = {"status": "ok" if running else "stopped", "next_runs": jobs}
            response = Response(json.dumps(body), status=200 if running else 503,
                                content_type="application/json")
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Scrapes and probes are not worth a log line each."""


def serve(services: Services, stop: threading.Event, ready: Callable[[str], None]) -> None:
    """Start the jobs and the health server; return when ``stop`` is set."""
    settings = services.settings
    scheduler = build_scheduler(services)
    server = make_server(settings.serve_host, settings.serve_port, HealthApp(scheduler),
                         threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="health", daemon=True)
    scheduler.start()
    thread.start()
    try:
        ready(f"http://{settings.serve_host}:{server.server_port}")
        stop.wait()
    finally:
        server.shutdown()
        scheduler.shutdown(wait=True)  # a running job finishes; none starts
