"""``partnersync serve``: the three jobs scheduled, /healthz and /metrics answering; the
waitress servers stopping gracefully."""

import json
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from jobs.schedule import serve
from jobs.summary import RunSummary
from sync.cli.common import require_portal_listenable
from sync.config.settings import Settings
from sync.domain.inputs import Quarantined
from sync.errors import ConfigurationError
from sync.runtime.http import listen
from sync.wiring import Services

NEVER_SOON = "0 0 1 1 *"  # New Year's midnight: no job fires during the test


def settings(tmp_path: Path, **extra: str) -> Settings:
    values = {"hubspot_access_token": "pat-test", "stripe_api_key": "sk_test_x",
              "database_url": f"sqlite:///{tmp_path / 'ledger.db'}", "serve_port": 0,
              "schedule_sync": NEVER_SOON, "schedule_month_close": NEVER_SOON,
              "schedule_pay": NEVER_SOON, **extra}
    return Settings(**values)  # type: ignore[arg-type]


def test_serve_schedules_the_jobs_and_answers_healthz_and_metrics(tmp_path: Path) -> None:
    services, stop, urls = Services(settings(tmp_path)), threading.Event(), []
    ready = threading.Event()

    def announce(url: str) -> None:
        urls.append(url)
        ready.set()

    worker = threading.Thread(target=serve, args=(services, stop, announce))
    worker.start()
    try:
        assert ready.wait(10)
        with urllib.request.urlopen(f"{urls[0]}/healthz", timeout=5) as answer:
            health = json.load(answer)
        assert health["status"] == "ok"
        assert sorted(health["jobs"]) == ["month_close", "pay", "sync"]
        assert all(job["next_run"].endswith("+00:00") for job in health["jobs"].values())
        RunSummary("sync", datetime(2026, 11, 1, tzinfo=UTC), decided=True, quarantined=[
            Quarantined("hubspot", "deal", "7", "vmc_referral_at", "bad")]).record_metrics()
        with urllib.request.urlopen(f"{urls[0]}/metrics", timeout=5) as answer:
            metrics = answer.read().decode()
        assert 'partnersync_quarantined_records{source="hubspot"} 1.0' in metrics.splitlines()
        # Series a first failure, 429 or run increments exist from the start, so that
        # Prometheus sees their first increase (ops/prometheus/partnersync-alerts.yml).
        names = {line.rsplit(" ", 1)[0] for line in metrics.splitlines()}
        assert {'partnersync_payouts_total{status="failed"}',
                'partnersync_api_rate_limited_total{api="hubspot"}',
                'partnersync_api_rate_limited_total{api="stripe"}',
                'partnersync_runs_total{job_name="pay",outcome="failed"}',
                'partnersync_runs_total{job_name="sync",outcome="stopped"}',
                'partnersync_commission_lines_total{action="voided"}'} <= names
        assert "sk_test_x" not in metrics and "pat-test" not in metrics
    finally:
        stop.set()
        worker.join(10)
        services.close()
    assert not worker.is_alive()


def test_a_bad_cron_expression_names_its_setting(tmp_path: Path) -> None:
    services = Services(settings(tmp_path, schedule_pay="every fifteen minutes"))
    with pytest.raises(ConfigurationError, match="PARTNERSYNC_SCHEDULE_PAY"):
        serve(services, threading.Event(), lambda url: None)
    services.close()


def slow_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Answers after 0.5 s: a request in progress when the server is told to stop."""
    time.sleep(0.5)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"finished"]


def test_a_stop_lets_the_request_in_progress_finish_then_refuses_new_ones() -> None:
    running = listen(slow_app, "127.0.0.1", 0, name="slow")
    answers: list[str] = []

    def ask() -> None:
        with urllib.request.urlopen(running.url, timeout=10) as answer:
            answers.append(answer.read().decode())

    asking = threading.Thread(target=ask)
    asking.start()
    time.sleep(0.2)  # the request is in the application now
    running.stop()
    asking.join(10)
    assert answers == ["finished"]
    assert not running.thread.is_alive()
    with pytest.raises(urllib.error.URLError, match="Connection refused"):
        urllib.request.urlopen(running.url, timeout=2)


def test_the_portal_and_the_health_server_need_two_ports(tmp_path: Path) -> None:
    clash = settings(tmp_path, serve_port="9300", portal_port="9300",
                     portal_secret_key="s" * 32)
    with pytest.raises(ConfigurationError, match="PARTNERSYNC_PORTAL_PORT: 9300 is "
                                                 "PARTNERSYNC_SERVE_PORT too"):
        require_portal_listenable(clash)
