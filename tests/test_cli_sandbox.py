"""``partnersync sandbox`` as a user runs it: a real process, URLs, then ``ready``."""

import argparse
import signal
import subprocess
import sys
from pathlib import Path

import hubspot
import stripe
from hubspot.crm.companies import SimplePublicObjectInput as CompanyInput

from sync.cli.main import build_parser
from tests.sandbox.webhooks.checks import hubspot_signature_is_valid, verified
from tests.sandbox.webhooks.receiver import receiving

ROOT = Path(__file__).resolve().parents[1]
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


def test_sandbox_command_posts_signed_webhooks_with_the_default_secrets() -> None:
    """`--webhook-url BASE`: Stripe's events to BASE/webhooks/stripe, signed with the
    documented default whsec_sandbox; HubSpot's to BASE/webhooks/hubspot, signed with
    sandbox-client-secret. SIGTERM stops the senders with the servers (exit 0)."""
    with receiving() as receiver:
        process = subprocess.Popen(
            [sys.executable, "-m", "sync.cli", "sandbox", "--fixtures", str(FIXTURES),
             "--webhook-url", receiver.url], stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline().strip() for _ in range(3)]
            hubspot_url, stripe_url = lines[0].split(" ", 1)[1], lines[1].split(" ", 1)[1]
            stripe.StripeClient("sk_test_any", base_addresses={"api": stripe_url},
                                max_network_retries=0).v1.customers.create()
            hubspot.HubSpot(access_token="any-token", host=hubspot_url, retry=False
                            ).crm.companies.basic_api.update("103", CompanyInput(
                                properties={"name": "Contoso Partners"}))
            receiver.wait_for(lambda seen: {r.path for r in seen} == {
                "/webhooks/stripe", "/webhooks/hubspot"})
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
    (created,) = receiver.received("/webhooks/stripe")
    assert verified(created, "whsec_sandbox").type == "customer.created"
    (change,) = receiver.received("/webhooks/hubspot")
    assert hubspot_signature_is_valid(change, f"{receiver.url}/webhooks/hubspot",
                                      "sandbox-client-secret")


def test_the_documented_default_secrets_are_the_stand_ins() -> None:
    from sandbox.hubspot.webhooks import DEFAULT_CLIENT_SECRET
    from sandbox.stripe.webhooks import DEFAULT_SECRET

    commands = next(action for action in build_parser()._actions
                    if isinstance(action, argparse._SubParsersAction))
    helps = {action.dest: action.help or "" for action in commands.choices["sandbox"]._actions}
    assert f"default: {DEFAULT_SECRET};" in helps["stripe_webhook_secret"]
    assert f"default: {DEFAULT_CLIENT_SECRET};" in helps["hubspot_client_secret"]
    documented = (ROOT / "docs/sandbox.md").read_text(encoding="utf-8")
    assert f"`{DEFAULT_SECRET}`" in documented and f"`{DEFAULT_CLIENT_SECRET}`" in documented


def test_webhook_secrets_without_a_webhook_url_are_refused() -> None:
    result = subprocess.run([sys.executable, "-m", "sync.cli", "sandbox",
                             "--stripe-webhook-secret", "whsec_x"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "partnersync: configuration error: --stripe-webhook-secret and "
        "--hubspot-client-secret sign webhooks: give --webhook-url too"]
