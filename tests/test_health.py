"""``/healthz`` and ``/readyz`` of ``partnersync serve`` (jobs.health), served on
127.0.0.1: each job's last outcome from the ledger and from the scheduler's wrapper,
``degraded`` (200) after a failed run, ``unhealthy`` (503) once no sync succeeded for
PARTNERSYNC_HEALTH_MAX_SYNC_AGE_SECONDS; and the Dockerfile's HEALTHCHECK command run
against each state (exit 0 keeps the container, 1 marks it unhealthy)."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jobs.health import OutcomeBook, Seen, assess, readiness
from jobs.schedule import observed, serve
from jobs.summary import RunSummary
from sync.config.settings import Settings
from sync.errors import RetriableUpstreamError
from sync.ledger import Ledger
from sync.runtime.metrics import REGISTRY
from sync.wiring import Services

ROOT = Path(__file__).resolve().parents[1]
NEVER_SOON = "0 0 1 1 *"  # New Year's midnight: no job fires during the test
NEXT_RUN = f"{datetime.now(UTC).year + 1}-01-01T00:00:00+00:00"
STARTED = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
NEVER_RAN = {"last_run": None, "last_success": None, "next_run": NEXT_RUN}


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def settings(url: str) -> Settings:
    return Settings(hubspot_access_token="pat-test", stripe_api_key="sk_test_x",  # type: ignore[arg-type]
                    database_url=url, serve_port=0, schedule_sync=NEVER_SOON,
                    schedule_month_close=NEVER_SOON, schedule_pay=NEVER_SOON)


@contextmanager
def serving(services: Services, book: OutcomeBook) -> Iterator[str]:
    stop, ready, urls = threading.Event(), threading.Event(), []

    def announce(url: str) -> None:
        urls.append(url)
        ready.set()

    worker = threading.Thread(target=serve, args=(services, stop, announce, book))
    worker.start()
    try:
        assert ready.wait(10)
        yield urls[0]
    finally:
        stop.set()
        worker.join(10)
        services.close()
    assert not worker.is_alive()


def get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def lasting_threads() -> set[int | None]:
    """The process's threads but werkzeug's per-request ones, which end just after their
    answer is sent (counting them made this check flaky under load: 110 <= 109 in CI)."""
    deadline = time.monotonic() + 5
    while any(_answering(t) for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return {t.ident for t in threading.enumerate() if not _answering(t)}


def _answering(thread: threading.Thread) -> bool:
    return "process_request_thread" in thread.name


def docker_healthcheck(url: str) -> subprocess.CompletedProcess[str]:
    """The Dockerfile's HEALTHCHECK command, as the image runs it."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    found = re.search(r"^HEALTHCHECK .*\\\n\s*CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert found is not None
    python, *arguments = json.loads(found.group(1))
    assert python == "python"
    port = url.rsplit(":", 1)[1]
    return subprocess.run([sys.executable, *arguments], capture_output=True, text=True,
                          timeout=30, env={"PARTNERSYNC_SERVE_PORT": port})


def record_run(url: str, kind: str, status: str, at: datetime, error: str | None = None) -> None:
    """A run as another process (a replica, the command line) leaves it in the ledger."""
    ledger = Ledger.open(url, clock=lambda: at)
    ledger.migrate()
    ledger.finish_run(ledger.start_run(kind, at), status, {}, error)
    ledger.close()


def test_a_fresh_worker_is_ok_until_no_sync_succeeded_for_the_max_age(tmp_path: Path) -> None:
    clock = Clock(STARTED)
    services = Services(settings(f"sqlite:///{tmp_path / 'ledger.db'}"))
    with serving(services, OutcomeBook(clock)) as url:
        assert get(f"{url}/healthz") == (200, {
            "status": "ok", "reasons": [], "checked_at": "2026-11-02T12:00:00+00:00",
            "last_sync_success": None, "max_sync_age_seconds": 7200,
            "jobs": {"sync": NEVER_RAN, "month_close": NEVER_RAN, "pay": NEVER_RAN}})
        clock.at = STARTED + timedelta(hours=2)  # the limit itself is still ok
        assert get(f"{url}/healthz")[1]["status"] == "ok"
        clock.at = STARTED + timedelta(hours=2, minutes=1)
        status, body = get(f"{url}/healthz")
        assert (status, body["status"], body["reasons"]) == (503, "unhealthy", [
            "no sync has succeeded yet, and this worker started 2 h 01 min ago "
            "(limit 2 h 00 min: PARTNERSYNC_HEALTH_MAX_SYNC_AGE_SECONDS)"])


def test_job_outcomes_make_the_worker_degraded_then_unhealthy(tmp_path: Path) -> None:
    url_db = f"sqlite:///{tmp_path / 'ledger.db'}"
    record_run(url_db, "month_close", "succeeded", STARTED - timedelta(hours=11, minutes=30))
    record_run(url_db, "sync", "succeeded", STARTED - timedelta(hours=3))
    record_run(url_db, "pay", "failed", STARTED - timedelta(minutes=15),
               "StripeAuthError: Invalid API Key provided: sk_test_51Hdeadbeef\nrequest req_1")
    clock = Clock(STARTED)
    book = OutcomeBook(clock)
    services = Services(settings(url_db))
    with serving(services, book) as url:
        # The last sync succeeded 3 h ago, but this worker started just now: it gets
        # the max age to catch up. The pay job's failure (another process's) shows.
        status, body = get(f"{url}/healthz")
        assert (status, body) == (200, {
            "status": "degraded",
            "reasons": ["the last pay run failed at 2026-11-02T11:45:00+00:00: "
                        "StripeAuthError: Invalid API Key provided: [redacted]"],
            "checked_at": "2026-11-02T12:00:00+00:00",
            "last_sync_success": "2026-11-02T09:00:00+00:00",
            "max_sync_age_seconds": 7200,
            "jobs": {
                "sync": {"last_run": {"outcome": "succeeded",
                                      "ended_at": "2026-11-02T09:00:00+00:00", "error": None},
                         "last_success": "2026-11-02T09:00:00+00:00", "next_run": NEXT_RUN},
                "month_close": {"last_run": {"outcome": "succeeded",
                                             "ended_at": "2026-11-02T00:30:00+00:00",
                                             "error": None},
                                "last_success": "2026-11-02T00:30:00+00:00",
                                "next_run": NEXT_RUN},
                "pay": {"last_run": {"outcome": "failed", "ended_at": "2026-11-02T11:45:00+00:00",
                                     "error": "StripeAuthError: Invalid API Key provided: "
                                              "[redacted]"},
                        "last_success": None, "next_run": NEXT_RUN}}})
        check = docker_healthcheck(url)
        assert check.returncode == 0 and '"status": "degraded"' in check.stdout

        # The scheduler's wrapper: a pay run that succeeds clears the degradation...
        clock.at = STARTED + timedelta(minutes=15)
        observed("pay", lambda: RunSummary("pay", clock.at), book, lambda: services.ledger)()
        status, body = get(f"{url}/healthz")
        assert (status, body["status"], body["reasons"]) == (200, "ok", [])
        assert body["jobs"]["pay"] == {
            "last_run": {"outcome": "succeeded", "ended_at": "2026-11-02T12:15:00+00:00",
                         "error": None},
            "last_success": "2026-11-02T12:15:00+00:00", "next_run": NEXT_RUN}

        # ...a sync that fails before the ledger records anything shows, scrubbed...
        def unreachable() -> RunSummary:
            raise ConnectionRefusedError(
                "postgresql://partnersync:hunter2@db:5432/ledger refused\nmore detail")

        def upstream_down() -> RunSummary:
            raise RetriableUpstreamError("HubSpot GET /crm/v3/objects/deals: HTTP 503",
                                         api="hubspot", status=503)

        clock.at = STARTED + timedelta(minutes=30)
        observed("sync", unreachable, book, lambda: services.ledger)()
        clock.at = STARTED + timedelta(minutes=45)
        observed("pay", upstream_down, book, lambda: services.ledger)()
        status, body = get(f"{url}/healthz")
        assert (status, body["status"], body["reasons"]) == (200, "degraded", [
            "the last sync run failed at 2026-11-02T12:30:00+00:00: ConnectionRefusedError: "
            "postgresql://[redacted]@db:5432/ledger refused",
            "the last pay run stopped at 2026-11-02T12:45:00+00:00: RetriableUpstreamError: "
            "HubSpot GET /crm/v3/objects/deals: HTTP 503"])
        assert body["jobs"]["sync"]["last_success"] == "2026-11-02T09:00:00+00:00"

        # ...and 2 h after this worker started without a successful sync: unhealthy.
        clock.at = STARTED + timedelta(hours=2, minutes=1)
        status, body = get(f"{url}/healthz")
        assert (status, body["status"], body["reasons"][0]) == (503, "unhealthy", (
            "the last successful sync ended 5 h 01 min ago "
            "(limit 2 h 00 min: PARTNERSYNC_HEALTH_MAX_SYNC_AGE_SECONDS)"))
        assert len(body["reasons"]) == 3
        check = docker_healthcheck(url)
        assert check.returncode == 1 and '"status": "unhealthy"' in check.stderr
        assert "hunter2" not in check.stderr

        with urllib.request.urlopen(f"{url}/metrics", timeout=5) as answer:
            metrics = answer.read().decode()
    # Any process's last success, from the ledger and this worker, by job_name.
    assert sample("partnersync_last_success_timestamp_seconds", "sync") == \
        datetime(2026, 11, 2, 9, tzinfo=UTC).timestamp()
    assert sample("partnersync_last_success_timestamp_seconds", "pay") == \
        datetime(2026, 11, 2, 12, 15, tzinfo=UTC).timestamp()
    assert 'partnersync_runs_total{job_name="sync",outcome="failed"}' in metrics
    assert 'partnersync_runs_total{job_name="pay",outcome="stopped"}' in metrics


def sample(name: str, job: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"job_name": job})


def test_an_unusable_database_is_not_ready_and_degrades_health(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'missing' / 'ledger.db'}"
    with serving(Services(settings(missing)), OutcomeBook(Clock(STARTED))) as url:
        status, ready = get(f"{url}/readyz")
        assert (status, ready["status"], ready["scheduler"]) == (503, "not ready", "running")
        assert ready["database"].startswith("error: ")
        status, body = get(f"{url}/healthz")
        assert (status, body["status"]) == (200, "degraded")
        assert body["reasons"] == [f"the ledger could not be read: {ready['database'][7:]}"]
        # Each probe tries the ledger again, and leaves no engine or thread behind.
        threads = lasting_threads()
        for _ in range(5):
            assert get(f"{url}/readyz")[0] == 503
        assert lasting_threads() <= threads

    newer = tmp_path / "newer.db"  # migrated by a newer worker, then rolled back
    with sqlite3.connect(newer) as database:
        database.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        database.execute("INSERT INTO alembic_version VALUES ('9999_from_a_newer_worker')")
    with serving(Services(settings(f"sqlite:///{newer}")), OutcomeBook(Clock(STARTED))) as url:
        assert get(f"{url}/readyz") == (503, {
            "status": "not ready", "scheduler": "running",
            "database": "error: CommandError: Can't locate revision identified by "
                        "'9999_from_a_newer_worker'"})


def test_a_migrated_database_is_ready(tmp_path: Path) -> None:
    services = Services(settings(f"sqlite:///{tmp_path / 'ledger.db'}"))
    with serving(services, OutcomeBook(Clock(STARTED))) as url:
        assert get(f"{url}/readyz") == (200, {"status": "ready", "database": "ok",
                                              "scheduler": "running"})


class BehindLedger:
    def migrations(self) -> tuple[str | None, str | None]:
        return "0002", "0003"


def test_a_database_behind_the_code_is_not_ready() -> None:
    assert readiness(lambda: BehindLedger(), True) == (503, {  # type: ignore[arg-type,return-value]
        "status": "not ready", "scheduler": "running",
        "database": "not migrated: at 0002, the code needs 0003"})


def test_a_max_age_under_an_hour_reads_in_minutes() -> None:
    status, body = assess(Seen(), now=STARTED + timedelta(minutes=4, seconds=59),
                          started_at=STARTED, max_age=timedelta(seconds=60), next_runs={},
                          scheduler_running=True, ledger_error=None)
    assert (status, body["reasons"]) == (503, [
        "no sync has succeeded yet, and this worker started 4 min ago "
        "(limit 1 min: PARTNERSYNC_HEALTH_MAX_SYNC_AGE_SECONDS)"])
