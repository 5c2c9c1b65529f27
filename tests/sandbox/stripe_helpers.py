"""Serve a seeded Stripe stand-in to the real stripe-python client, for the Stripe tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import stripe

from sandbox.core import SandboxClock, SandboxControl
from sandbox.stripe import StripeSandbox
from tests.reference import pinned_keys
from tests.sandbox.conftest import FIXTURES, served

API_KEY = "sk_test_sandbox"
BILLING_SET = FIXTURES / "stripe_billing"
# After every fixture object was created (May 2026), so new objects sort newest.
START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class StripeEnv:
    sandbox: StripeSandbox
    url: str
    client: stripe.StripeClient
    control: SandboxControl
    clock: SandboxClock


@contextmanager
def stripe_env(
    fixtures: Path | None = BILLING_SET, *, rate_limited: bool = False
) -> Iterator[StripeEnv]:
    """A stand-in seeded from `fixtures`, served on loopback, with an SDK client on it.

    The clock is frozen at START (time_scale 0) so tests move it explicitly; rate
    limits are off unless a test is about them.
    """
    clock = SandboxClock(start=START, time_scale=0.0)
    sandbox = StripeSandbox.from_fixtures(fixtures, clock=clock)
    if not rate_limited:
        sandbox.limits.configure({"enabled": False})
    with served(sandbox.wsgi_app) as url:
        yield StripeEnv(sandbox, url, make_client(url), SandboxControl(url), clock)


def make_client(url: str, api_key: str = API_KEY) -> stripe.StripeClient:
    return stripe.StripeClient(api_key, base_addresses={"api": url}, max_network_retries=0)


def fixture_objects(name: str) -> list[dict[str, Any]]:
    """The objects of `stripe_billing/stripe/<name>.json`, as written."""
    data: list[dict[str, Any]] = json.loads(
        (BILLING_SET / "stripe" / f"{name}.json").read_text(encoding="utf-8")
    )
    return data


def raw(obj: Any) -> dict[str, Any]:
    """The JSON body the SDK received for `obj` (what the sandbox actually served)."""
    response = obj.last_response
    assert response is not None
    body: dict[str, Any] = json.loads(response.body)
    return body


def reference_keys(kind: str) -> set[str]:
    """The top-level keys of `kind` in the pinned version: Stripe's published example
    (tests/reference/) without the keys the version removed."""
    return pinned_keys(kind)
