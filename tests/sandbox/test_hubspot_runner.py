"""`run_sandbox`: both stand-ins, the three lines docs/sandbox.md shows, and a clean stop."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

from sandbox.core import SandboxControl
from sandbox.runner import WebhookSettings, run_sandbox
from tests.sandbox.conftest import hubspot_client
from tests.sandbox.webhooks.receiver import receiving, sender_threads


def test_run_sandbox_prints_urls_then_ready_and_serves(fixtures_dir: Path) -> None:
    out, stop = io.StringIO(), threading.Event()
    runner = threading.Thread(target=run_sandbox, args=(fixtures_dir / "basic", 0, 0, out),
                              kwargs={"stop": stop}, daemon=True)
    runner.start()
    deadline = time.monotonic() + 10
    while "ready" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        lines = out.getvalue().splitlines()
        assert [line.split(":", 1)[0] for line in lines] == ["hubspot", "stripe", "ready"]
        hubspot_url = lines[0].split(": ", 1)[1]
        assert hubspot_url.startswith("http://127.0.0.1:")
        assert lines[1].split(": ", 1)[1].startswith("http://127.0.0.1:")
        company = hubspot_client(hubspot_url, token="any-token").crm.companies.basic_api
        assert company.get_by_id("101").properties["name"] == "Northwind Partners"
    finally:
        stop.set()
        runner.join(timeout=5)
    assert not runner.is_alive()


def test_a_clean_stop_stops_the_webhook_senders(fixtures_dir: Path) -> None:
    """With webhooks on, both stand-ins deliver from their sender threads; stopping the
    run stops those threads too, and the server threads: none is left behind."""
    before = set(threading.enumerate())
    out, stop = io.StringIO(), threading.Event()
    with receiving() as receiver:
        runner = threading.Thread(
            target=run_sandbox, args=(fixtures_dir / "basic", 0, 0, out),
            kwargs={"stop": stop, "webhooks": WebhookSettings(receiver.url)}, daemon=True)
        runner.start()
        try:
            deadline = time.monotonic() + 10
            while "ready" not in out.getvalue() and time.monotonic() < deadline:
                time.sleep(0.02)
            urls = [line.split(": ", 1)[1] for line in out.getvalue().splitlines()[:2]]
            SandboxControl(urls[0]).records(object_type="companies", update=[
                {"id": "103", "properties": {"name": "Contoso"}}])
            SandboxControl(urls[1]).records(action="add", object="customer", data={
                "id": "cus_RunnerTest0001", "object": "customer"})
            receiver.wait_for(lambda seen: len(seen) == 2)
            assert sorted(sender_threads()) == ["hubspot-webhooks-1", "stripe-webhooks-1"]
        finally:
            stop.set()
            runner.join(timeout=10)
    assert not runner.is_alive()
    assert sender_threads() == []
    assert set(threading.enumerate()) <= before
