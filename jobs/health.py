"""What ``partnersync serve`` says of itself: ``/healthz`` (alive and working) and
``/readyz`` (its database usable).

``/healthz`` reports each job's last outcome: when the run ended, how, and the first line
of its error with secrets scrubbed. Outcomes come from the ledger's runs (whichever
process, replica or command ran them) and from what this process saw its jobs end with
(a run that failed before the ledger could record it: the database unreachable); for
each job the newer one wins. The status:

- ``unhealthy`` (503): no sync succeeded for ``PARTNERSYNC_HEALTH_MAX_SYNC_AGE_SECONDS``
  (a month close runs the same cycle and counts), counted at the earliest from this
  process's start, so a worker restarted after an outage gets that long to catch up;
  or the scheduler stopped. The worker is not doing its job: a restart may help (a hung
  job, a wedged process) and costs nothing more.
- ``degraded`` (200): a job's last run failed or stopped, or the ledger could not be
  read. The next scheduled run retries from the ledger; a restart would not help and
  would kill a running job.
- ``ok`` (200).

docs/configuration.md (``partnersync serve``) says how Kubernetes and Docker use them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sync.ledger import Ledger
from sync.ledger.errors import scrub
from sync.ledger.records import RunRecord
from sync.runtime.metrics import LAST_SUCCESS

JOBS = ("sync", "month_close", "pay")
WEBHOOK = "webhook"  # the targeted syncs (jobs.webhooks), shown while webhooks are on
SYNCS = ("sync", "month_close")  # both run the whole cycle (a targeted sync reads a part)
ENDED_BADLY = ("failed", "stopped")
REASON_LENGTH = 200
MAX_AGE_SETTING = "PARTNERSYNC_HEALTH_MAX_SYNC_AGE_SECONDS"

Clock = Callable[[], datetime]
Json = dict[str, Any]


def utc_now() -> datetime:
    return datetime.now(UTC)


def one_line(error: str | None) -> str | None:
    """An error as health shows it: its first line, secrets scrubbed, bounded."""
    if not error or not error.strip():
        return None
    line = scrub(error).strip().splitlines()[0].strip()
    return line if len(line) <= REASON_LENGTH else line[:REASON_LENGTH - 1] + "…"


def instant(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Outcome:
    outcome: str  # succeeded, failed, stopped
    ended_at: datetime
    error: str | None = None

    def to_json(self) -> Json:
        return {"outcome": self.outcome, "ended_at": instant(self.ended_at),
                "error": self.error}


@dataclass(frozen=True, slots=True)
class Seen:
    """Each job's last outcome and last success."""

    last: dict[str, Outcome] = field(default_factory=dict)
    succeeded: dict[str, Outcome] = field(default_factory=dict)

    def merged(self, other: Seen) -> Seen:
        return Seen(_newest(self.last, other.last), _newest(self.succeeded, other.succeeded))

    def last_sync_success(self) -> datetime | None:
        return max((self.succeeded[job].ended_at for job in SYNCS if job in self.succeeded),
                   default=None)


def _newest(ours: dict[str, Outcome], theirs: dict[str, Outcome]) -> dict[str, Outcome]:
    newest = dict(ours)
    for job, outcome in theirs.items():
        if job not in newest or outcome.ended_at > newest[job].ended_at:
            newest[job] = outcome
    return newest


def _outcome_of(run: RunRecord) -> Outcome:
    return Outcome(run.status, run.finished_at or run.started_at, one_line(run.error))


def from_ledger(ledger: Ledger) -> Seen:
    last, succeeded = {}, {}
    for job in (*JOBS, WEBHOOK):
        run = ledger.last_finished_run(job)
        if run is None:
            continue
        last[job] = _outcome_of(run)
        if run.status != "succeeded":
            run = ledger.last_finished_run(job, ("succeeded",))
        if run is not None:
            succeeded[job] = _outcome_of(run)
    return Seen(last, succeeded)


class OutcomeBook:
    """What the jobs ended with, as this process saw them and as the ledger last said
    (read at start and after each run, so /healthz answers from memory and never waits
    on the database); and the clock health is judged by. The scheduler's threads write
    it, the health server's read it."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self.clock = clock
        self.started_at = clock()
        self._lock = threading.Lock()
        self._own, self._ledger = Seen(), Seen()
        self._ledger_error: str | None = None

    def record(self, job: str, outcome: str, error: str | None = None) -> None:
        ended = Outcome(outcome, self.clock(), one_line(error))
        succeeded = {job: ended} if outcome == "succeeded" else {}
        with self._lock:
            self._own = self._own.merged(Seen({job: ended}, succeeded))

    def refresh(self, ledger: Callable[[], Ledger]) -> None:
        """Read the ledger's runs: those of other replicas and commands too."""
        try:
            seen, error = from_ledger(ledger()), None
        except Exception as failure:  # the database down is a state to report
            seen, error = None, one_line(f"{type(failure).__name__}: {failure}")
        with self._lock:
            self._ledger = seen if seen is not None else self._ledger
            self._ledger_error = error
        publish_last_successes(self.seen()[0])

    def seen(self) -> tuple[Seen, str | None]:
        """The newer outcome of each job, and why the ledger could not be read."""
        with self._lock:
            return self._ledger.merged(self._own), self._ledger_error


def publish_last_successes(seen: Seen) -> None:
    """``partnersync_last_success_timestamp_seconds`` for each job that ever succeeded,
    any process's: a replica whose runs are skipped (another holds the job lock) and a
    worker just restarted export the same time as the one that ran it."""
    for job, outcome in seen.succeeded.items():
        LAST_SUCCESS.labels(job_name=job).set(outcome.ended_at.timestamp())


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _stale_sync(seen: Seen, now: datetime, started_at: datetime,
                max_age: timedelta) -> str | None:
    last = seen.last_sync_success()
    if now - max(last or started_at, started_at) <= max_age:
        return None
    limit = f"limit {_duration(max_age)}: {MAX_AGE_SETTING}"
    if last is None:
        return (f"no sync has succeeded yet, and this worker started "
                f"{_duration(now - started_at)} ago ({limit})")
    return f"the last successful sync ended {_duration(now - last)} ago ({limit})"


def assess(seen: Seen, *, now: datetime, started_at: datetime, max_age: timedelta,
           next_runs: dict[str, str | None], scheduler_running: bool,
           ledger_error: str | None, jobs: tuple[str, ...] = JOBS) -> tuple[int, Json]:
    """The HTTP status and body of ``/healthz``, reporting ``jobs``."""
    unhealthy = [] if scheduler_running else ["the scheduler is not running"]
    if (stale := _stale_sync(seen, now, started_at, max_age)) is not None:
        unhealthy.append(stale)
    ended_badly = {job: seen.last[job] for job in jobs
                   if job in seen.last and seen.last[job].outcome in ENDED_BADLY}
    degraded = [f"the last {job} run {outcome.outcome} at {instant(outcome.ended_at)}"
                + (f": {outcome.error}" if outcome.error else "")
                for job, outcome in ended_badly.items()]
    if ledger_error is not None:
        degraded.append(f"the ledger could not be read: {ledger_error}")
    status = "unhealthy" if unhealthy else "degraded" if degraded else "ok"
    shown = {job: {"last_run": seen.last[job].to_json() if job in seen.last else None,
                   "last_success": instant(seen.succeeded[job].ended_at)
                   if job in seen.succeeded else None,
                   "next_run": next_runs.get(job)} for job in jobs}
    body = {"status": status, "reasons": unhealthy + degraded,
            "checked_at": instant(now), "last_sync_success": instant(seen.last_sync_success()),
            "max_sync_age_seconds": int(max_age.total_seconds()), "jobs": shown}
    return (503 if unhealthy else 200), body


def readiness(ledger: Callable[[], Ledger], scheduler_running: bool) -> tuple[int, Json]:
    """``/readyz``: the ledger answers and its schema is the code's."""
    try:
        current, head = ledger().migrations()
    except Exception as error:  # unreachable, or a migration the code cannot apply
        database = f"error: {one_line(f'{type(error).__name__}: {error}')}"
    else:
        database = "ok" if current == head else \
            f"not migrated: at {current or 'no revision'}, the code needs {head}"
    scheduler = "running" if scheduler_running else "stopped"
    ready = database == "ok" and scheduler_running
    body = {"status": "ready" if ready else "not ready", "database": database,
            "scheduler": scheduler}
    return (200 if ready else 503), body
