"""``partnersync sandbox`` as a user runs it: a real process, URLs, then ``ready``."""

import signal
import subprocess
import sys
from pathlib import Path

import hubspot
import stripe

FIXTURES = Path(__file__).parent / "sandbox" / "fixtures" / "basic"


def test_sandbox_command_prints_urls_then_ready_and_serves_the_sdks() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sync.cli", "sandbox", "--fixtures", str(FIXTURES)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(3)]
        assert lines[0].startswith("hubspot: http://127.0.0.1:")
        assert lines[1].startswith("stripe: http://127.0.0.1:")
        assert lines[2] == "ready"
        hubspot_url, stripe_url = lines[0].split(" ", 1)[1], lines[1].split(" ", 1)[1]
        client = hubspot.HubSpot(access_token="any-token", host=hubspot_url, retry=False)
        page = client.crm.companies.basic_api.get_page(limit=10)
        assert len(page.results) == 3
        customers = stripe.StripeClient("sk_test_any", base_addresses={"api": stripe_url},
                                        max_network_retries=0).v1.customers.list()
        assert customers.data == []
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_sandbox_command_rejects_a_missing_fixture_directory(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "sync.cli", "sandbox", "--fixtures",
                             str(tmp_path / "nope")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "--fixtures" in result.stderr and "not a directory" in result.stderr
