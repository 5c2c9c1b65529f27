"""``partnersync webhooks setup``: what to subscribe to, printed; with ``--register``,
Stripe's two endpoints created once through the real SDK over HTTP (a fake of Stripe's
``/v1/webhook_endpoints`` that, like Stripe, shows a secret only when it creates an
endpoint), found by URL the next time, and their secret written to a 0600 file, never
printed."""

from __future__ import annotations

import itertools
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from sync.cli.main import main
from sync.runtime import fastjson
from sync.runtime.http import Listening, listen

PUBLIC = "https://partners.example.com"
URL = f"{PUBLIC}/webhooks/stripe"
ACCOUNT_EVENTS = ["invoice.paid", "invoice.updated", "credit_note.created",
                  "customer.subscription.updated", "customer.subscription.deleted",
                  "customer.updated"]


class FakeStripeEndpoints:
    """Stripe's webhook endpoints API, as much of it as ``--register`` uses."""

    def __init__(self) -> None:
        self.endpoints: dict[str, dict[str, Any]] = {}
        self.secrets: dict[str, str] = {}
        self.ids = itertools.count(1)

    def add(self, url: str, events: list[str], connect: bool = False,
            metadata: dict[str, str] | None = None) -> dict[str, Any]:
        number = next(self.ids)
        endpoint = {"id": f"we_{number}", "object": "webhook_endpoint", "url": url,
                    "enabled_events": events, "status": "enabled", "livemode": False,
                    "metadata": metadata or {}, "api_version": None, "application": None,
                    "created": 1790000000, "description": None}
        self.endpoints[endpoint["id"]] = endpoint
        self.secrets[endpoint["id"]] = f"whsec_fake_{number}"
        self.connect = {**getattr(self, "connect", {}), endpoint["id"]: connect}
        return endpoint

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        form = request.form
        events = [form[key] for key in sorted(form, key=_index) if key.startswith(
            "enabled_events[")]
        parts = request.path.strip("/").split("/")
        if request.method == "GET":
            body: Any = {"object": "list", "url": "/v1/webhook_endpoints", "has_more": False,
                         "data": list(self.endpoints.values())}
        elif len(parts) == 2:  # create: the only answer with the secret
            made = self.add(form["url"], events, form.get("connect") == "true",
                            {key[9:-1]: value for key, value in form.items()
                             if key.startswith("metadata[")})
            body = {**made, "secret": self.secrets[made["id"]]}
        else:
            endpoint = self.endpoints[parts[2]]
            endpoint["enabled_events"] = events
            endpoint["status"] = "disabled" if form.get("disabled") == "true" else "enabled"
            body = endpoint
        return Response(fastjson.dumps(body), content_type="application/json")(
            environ, start_response)


def _index(key: str) -> int:
    return int(key[key.index("[") + 1:-1]) if key.startswith("enabled_events[") else 0


@pytest.fixture
def stripe() -> Iterator[tuple[FakeStripeEndpoints, Listening]]:
    fake = FakeStripeEndpoints()
    served = listen(fake, "127.0.0.1", 0, name="fake-stripe")
    yield fake, served
    served.stop()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, stripe: tuple[FakeStripeEndpoints, Listening]
        ) -> None:
    for name, value in {"PARTNERSYNC_STRIPE_API_KEY": "sk_test_register",
                        "PARTNERSYNC_STRIPE_API_BASE": stripe[1].url,
                        "PARTNERSYNC_WEBHOOK_PUBLIC_URL": PUBLIC}.items():
        monkeypatch.setenv(name, value)


def setup(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["webhooks", "setup", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_it_prints_the_endpoints_and_what_to_subscribe_to(
        env: None, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = setup(capsys)
    assert status == 0
    assert f"  Stripe   {URL}" in out and f"  HubSpot  {PUBLIC}/webhooks/hubspot" in out
    assert "1. events from your account: " + ", ".join(ACCOUNT_EVENTS) in out
    assert "2. events from connected accounts (Connect): account.updated" in out
    assert "  Deals: Created; Property changed: dealname, vmc_stripe_customer_id, " \
           "vmc_referral_code, vmc_referral_at, vmc_registered_by, vmc_registered_at" in out
    assert "  Payouts (vmc_payout): Property changed: vmc_status, vmc_amount, " \
           "vmc_partner_id, vmc_period" in out
    assert "Settings > Integrations > Private Apps > your app > Webhooks" in out


def test_register_creates_both_endpoints_once_and_writes_their_secrets_only_to_the_file(
        env: None, capsys: pytest.CaptureFixture[str],
        stripe: tuple[FakeStripeEndpoints, Listening], tmp_path: Path) -> None:
    fake, _ = stripe
    secret_file = tmp_path / "stripe-webhook-secret"
    status, out, err = setup(capsys, "--register", "--secret-file", str(secret_file))

    assert status == 0, err
    account, connect = fake.endpoints["we_1"], fake.endpoints["we_2"]
    assert (account["url"], account["enabled_events"], fake.connect["we_1"]) == (
        URL, ACCOUNT_EVENTS, False)
    assert (connect["url"], connect["enabled_events"], fake.connect["we_2"]) == (
        URL, ["account.updated"], True)
    assert "Stripe account endpoint we_1: created" in out
    assert "Stripe Connect endpoint we_2: created" in out
    assert secret_file.read_text() == "whsec_fake_1,whsec_fake_2\n"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert "whsec_fake" not in out + err

    # Again: found by URL, nothing created, the file left as it is.
    secret_file.write_text("kept\n")
    status, out, _ = setup(capsys, "--register", "--secret-file", str(secret_file))
    assert status == 0 and len(fake.endpoints) == 2
    assert "we_1: unchanged" in out and "we_2: unchanged" in out
    assert secret_file.read_text() == "kept\n"


def test_register_updates_an_endpoint_whose_events_drifted_and_names_duplicates(
        env: None, capsys: pytest.CaptureFixture[str],
        stripe: tuple[FakeStripeEndpoints, Listening], tmp_path: Path) -> None:
    fake, _ = stripe
    fake.add(URL, ["invoice.paid"])  # made by hand in the Dashboard, events missing
    fake.add(URL, ["account.updated"], connect=True)
    fake.add(URL, ["invoice.paid", "customer.updated"])  # a second one by hand
    status, out, _ = setup(capsys, "--register", "--secret-file", str(tmp_path / "s"))
    assert status == 0
    assert fake.endpoints["we_1"]["enabled_events"] == ACCOUNT_EVENTS
    assert "Stripe account endpoint we_1: updated" in out
    assert "Stripe Connect endpoint we_2: unchanged" in out
    assert f"Also at {URL}: we_3, a duplicate" in out
    assert len(fake.endpoints) == 3 and not (tmp_path / "s").exists()


def test_register_needs_a_secret_file_and_printing_needs_the_public_url(
        env: None, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, err = setup(capsys, "--register")
    assert status == 2 and err.startswith("partnersync: ") and "--secret-file" in err
    monkeypatch.delenv("PARTNERSYNC_WEBHOOK_PUBLIC_URL")
    status, out, err = setup(capsys)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "PARTNERSYNC_WEBHOOK_PUBLIC_URL is not set" in err
