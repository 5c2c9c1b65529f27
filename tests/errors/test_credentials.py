"""Credentials HubSpot or Stripe refuse: configuration (exit 2), one line naming the
variable to fix, and never any part of the secret -- not the masked copy Stripe quotes
(``Invalid API Key provided: bogus-SE****-123``) -- on the terminal, in the logs or in
the ledger (docs/configuration.md, "Command line")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from sqlalchemy import text

from sandbox.core import SandboxServer
from sandbox.hubspot import HubSpotSandbox
from sandbox.stripe import StripeSandbox
from sync.adapters.hubspot.setup import ensure_setup
from sync.adapters.stripe.errors import redact
from sync.cli.main import main
from sync.config.settings import Settings
from sync.ledger import Ledger
from sync.wiring import Services

TOKEN, KEY = "pat-na1-GOOD-TOKEN-0001", "sk_test_GOODKEY0002"
WRONG_KEY = "bogus-SECRET-123"  # not shaped like a Stripe key: Stripe masks it anyway
WRONG_TOKEN = "pat-na1-WRONG-TOKEN-9"
PIECES = ("bogus", "SECRET", "-123", "WRONG", "TOKEN-9", "GOOD")


@pytest.fixture
def apis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Empty stand-ins that accept only ``TOKEN`` and ``KEY``, set up; the worker's
    environment points at them."""
    hubspot = SandboxServer(HubSpotSandbox.from_fixtures(None, token=TOKEN).wsgi_app)
    stripe = SandboxServer(StripeSandbox.from_fixtures(None, api_key=KEY).wsgi_app)
    database = tmp_path / "ledger.db"
    with hubspot, stripe:
        settings = Settings(hubspot_access_token=TOKEN, hubspot_base_url=hubspot.url,
                            stripe_api_key=KEY)
        services = Services(settings)
        ensure_setup(services.hubspot, services.props)
        services.close()
        for name, value in {"HUBSPOT_BASE_URL": hubspot.url, "STRIPE_API_BASE": stripe.url,
                            "HUBSPOT_ACCESS_TOKEN": TOKEN, "STRIPE_API_KEY": KEY,
                            "DATABASE_URL": f"sqlite:///{database}",
                            "LOG_FORMAT": "json"}.items():
            monkeypatch.setenv(f"PARTNERSYNC_{name}", value)
        yield database
    structlog.reset_defaults()


def stored_errors(database: Path) -> str:
    ledger = Ledger.open(f"sqlite:///{database}")
    try:
        with ledger.engine.connect() as connection:
            return json.dumps([list(row) for row in connection.execute(
                text("select status, error, summary from runs"))])
    finally:
        ledger.close()


@pytest.mark.parametrize(("variable", "wrong", "expected"), [
    ("PARTNERSYNC_STRIPE_API_KEY", WRONG_KEY,
     "partnersync: configuration error: Stripe refused PARTNERSYNC_STRIPE_API_KEY (Stripe "
     "events.list failed (HTTP 401): Invalid API Key provided: [redacted key] [request "),
    ("PARTNERSYNC_HUBSPOT_ACCESS_TOKEN", WRONG_TOKEN,
     "partnersync: configuration error: HubSpot refused PARTNERSYNC_HUBSPOT_ACCESS_TOKEN "
     "(HubSpot "),
])
def test_refused_credentials_exit_2_naming_the_variable_and_showing_no_part_of_them(
        apis: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        variable: str, wrong: str, expected: str) -> None:
    monkeypatch.setenv(variable, wrong)
    assert main(["sync", "--as-of", "2026-11-01"]) == 2
    captured = capsys.readouterr()
    logs = [json.loads(line) for line in captured.err.splitlines() if line.startswith("{")]
    message = [line for line in captured.err.splitlines() if not line.startswith("{")]
    assert len(message) == 1 and message[0].startswith(expected), message
    assert message[0].endswith("invalid or expired.") or "set it to a valid" in message[0]
    (finished,) = [entry for entry in logs if entry["event"] == "sync.finished"]
    assert (finished["level"], finished["outcome"]) == ("error", "failed")
    stored = stored_errors(apis)
    assert "AuthenticationError" in stored
    for where in (captured.out, captured.err, stored):
        assert not [piece for piece in PIECES if piece in where], where


@pytest.mark.parametrize(("quoted", "clean"), [
    ("Invalid API Key provided: bogus-SE****-123",
     "Invalid API Key provided: [redacted key]"),
    ("Expired API Key provided: rk_live_*********abcd", "Expired API Key provided: [redacted key]"),
    ("The provided key 'mykey-12******wxyz' does not have access to account 'acct_1'",
     "The provided key '[redacted key]' does not have access to account 'acct_1'"),
])
def test_stripe_messages_lose_every_quoted_key_whatever_its_shape(quoted: str, clean: str) -> None:
    assert redact(quoted) == clean
