"""A worker killed between storing an event and syncing it loses nothing: the event stays
pending and the next worker's targeted sync takes it. Once with a REAL ``partnersync
serve`` process killed by SIGKILL after answering the delivery; once with a targeted
sync killed inside (``tests.e2e.kills``' fakes) before it marks its events."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from jobs.webhooks import run_targeted_sync
from tests.e2e.kills import COLLABORATORS, Doomed, Killed, KillPoint, Process
from tests.e2e.support import DEMO_AS_OF, ROOT, Outcome, World, ledger_lines, outcome
from tests.faults.support import serve_world, sqlite_file_url
from tests.webhooks.support import (
    NEVER_SOON,
    STRIPE_SECRET,
    get,
    metric,
    post,
    stripe_body,
    stripe_signature,
)
from tests.webhooks.test_targeted_sync import assert_same_outcome, regular_reference
from tests.webhooks.worlds import (
    AS_OF,
    accrued_customer,
    bill_november,
    change_billing,
    paid_events,
    synced,
)

RUNS_SUCCEEDED = 'partnersync_runs_total{job_name="webhook",outcome="succeeded"}'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def listening(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port} after {seconds} s")


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m sync.cli serve``, reaped whatever happens."""
    with log.open("wb") as errors:
        process = subprocess.Popen([sys.executable, "-m", "sync.cli", "serve"], cwd=ROOT,
                                   env=env, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


def serve_env(base: dict[str, str], debounce: float) -> tuple[dict[str, str], int, int]:
    health, webhooks = free_port(), free_port()
    return base | {
        "PARTNERSYNC_SERVE_PORT": str(health), "PARTNERSYNC_WEBHOOK_PORT": str(webhooks),
        "PARTNERSYNC_STRIPE_WEBHOOK_SECRET": STRIPE_SECRET,
        "PARTNERSYNC_WEBHOOK_DEBOUNCE_SECONDS": str(debounce),
        "PARTNERSYNC_SCHEDULE_SYNC": NEVER_SOON, "PARTNERSYNC_SCHEDULE_MONTH_CLOSE": NEVER_SOON,
        "PARTNERSYNC_SCHEDULE_PAY": NEVER_SOON, "PARTNERSYNC_LOG_LEVEL": "info",
    }, health, webhooks


def test_an_event_stored_by_a_worker_killed_before_syncing_it_is_synced_by_the_next(
        small_fixtures: Path, tmp_path: Path) -> None:
    with serve_world(small_fixtures, sqlite_file_url(tmp_path)) as world:
        world.run(DEMO_AS_OF)
        partner, customer = accrued_customer(world)
        invoice = bill_november(world, customer)
        november = f"vmcl_{partner}_{customer}_2026-11_recurring"
        assert november not in ledger_lines(world.ledger())

        # A worker that would wait an hour before syncing: killed once it answered.
        env, _, port = serve_env(world.env(), debounce=3600)
        with serving(env, tmp_path / "first.log") as first:
            listening(port)
            body = stripe_body("evt_before_kill", "invoice.paid",
                               {"id": invoice, "object": "invoice"}, livemode=True)  # sk_live_
            status, _ = post(f"http://127.0.0.1:{port}/webhooks/stripe", body,
                             {"Stripe-Signature": stripe_signature(body)})
            assert status == 200
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=30) == -signal.SIGKILL
        ledger = world.ledger()
        assert [e.id for e in ledger.pending_webhook_events()] == ["evt_before_kill"]

        # The next worker takes it at start.
        env, health, port = serve_env(world.env(), debounce=0.2)
        with serving(env, tmp_path / "second.log") as second:
            listening(health)
            deadline = time.monotonic() + 90
            while ledger.pending_webhook_events() and time.monotonic() < deadline:
                time.sleep(0.2)
            stored = ledger.webhook_event("evt_before_kill")
            assert stored is not None and stored.processed_at is not None, (
                (tmp_path / "second.log").read_text()[-3000:])
            # The run marks the event, then ends, is counted and noted for /healthz: read
            # both until they show it (these reads race the run's end by milliseconds).
            while True:
                metrics = get(f"http://127.0.0.1:{health}/metrics")
                healthz = json.loads(get(f"http://127.0.0.1:{health}/healthz"))
                seen = (healthz["jobs"]["webhook"].get("last_run") or {}).get("outcome")
                if seen is not None and metric(metrics, RUNS_SUCCEEDED) >= 1 and metric(
                        metrics, "partnersync_webhook_events_pending") == 0:
                    break
                if time.monotonic() > deadline:
                    break  # the assertions below say what is missing
                time.sleep(0.2)
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=60) == 0
        assert healthz["jobs"]["webhook"]["last_run"]["outcome"] == "succeeded"
        assert metric(metrics, RUNS_SUCCEEDED) == 1
        assert metric(metrics, "partnersync_webhook_events_pending") == 0
        assert november in ledger_lines(ledger)  # the November invoice's commission
        run = ledger.last_run("webhook")
        assert run is not None and run.status == "succeeded"
        assert stored.processed_run == run.id
        logs = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
        assert "webhooks.on" in logs and STRIPE_SECRET not in logs


def kill_targeted_sync(world: World, point: KillPoint) -> str:
    """A targeted sync on fresh services that dies at ``point`` (``tests.e2e.kills``)."""
    services = world.services()
    process = Process()
    reals = {name: getattr(services, name) for name in COLLABORATORS}
    for name, real in reals.items():
        services.__dict__[name] = Doomed(real, process, point if name == point.collaborator
                                         else None)
    try:
        with pytest.raises(Killed):
            run_targeted_sync(services, AS_OF)
    finally:
        services.__dict__.update(reals)
        services.__dict__.pop("mirror", None)
    assert process.dead_at is not None
    return process.dead_at


def kill_then_resume(world: World, point: KillPoint, reference: Outcome) -> None:
    events = paid_events(change_billing(world))
    world.ledger().store_webhook_events(events)

    kill_targeted_sync(world, point)
    assert {e.id for e in world.ledger().pending_webhook_events()} == {e.id for e in events}

    time.sleep(1.1)  # a restarted process: Stripe's 1-second window has passed
    summary = run_targeted_sync(world.services(), AS_OF)
    assert summary.outcome == "succeeded" and summary.webhook_events == len(events)
    assert world.ledger().pending_webhook_events() == []
    assert_same_outcome(outcome(world), reference)


@pytest.mark.parametrize("point", [
    KillPoint("ledger", frozenset({"record_decisions"})),
    KillPoint("ledger", frozenset({"mark_webhook_events_processed"}), after=False)],
    ids=["after-decisions-recorded", "before-events-marked"])
def test_a_targeted_sync_killed_inside_leaves_its_events_for_the_next(
        point: KillPoint, small_fixtures: Path, tmp_path: Path) -> None:
    _, reference = regular_reference(small_fixtures, tmp_path / "regular")
    with synced(small_fixtures, tmp_path / "killed") as world:
        kill_then_resume(world, point, reference)


@pytest.mark.postgres
def test_a_targeted_sync_killed_before_marking_resumes_on_postgresql(
        postgres_schema_url: str, small_fixtures: Path, tmp_path: Path) -> None:
    """The same on the production database (PARTNERSYNC_TEST_POSTGRES_URL)."""
    _, reference = regular_reference(small_fixtures, tmp_path / "regular")
    with synced(small_fixtures, tmp_path / "killed", postgres_schema_url) as world:
        kill_then_resume(world, KillPoint("ledger", frozenset({
            "mark_webhook_events_processed"}), after=False), reference)
