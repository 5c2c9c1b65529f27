"""Faults injected by the Stripe sandbox: retried by our one policy until success, the
attempt cap re-raises the last error, retries and 429s are counted, and a lost answer
to a transfer never becomes a second transfer (R26)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.core import FaultPlan, NthCallRule
from sync.adapters.pacing import RollingWindowPacer
from sync.adapters.retry import RetryPolicy
from sync.adapters.stripe.gateway import StripeGateway
from sync.errors import NetworkError, RateLimited, ServerError
from tests.adapters.stripe_support import (
    API_KEY,
    DropAnswerOnce,
    StripeEnv,
    counter,
    fixture_objects,
    gateway,
    seed_clones,
    stripe_env,
)


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    with stripe_env() as served:
        yield served


def inject(env: StripeEnv, *rules: NthCallRule, **plan: Any) -> None:
    env.sandbox.faults.replace(FaultPlan(nth=list(rules), **plan))


def statuses(env: StripeEnv, endpoint: str) -> list[int]:
    return [c.status for c in env.sandbox.calls.calls() if c.endpoint == endpoint]


def active_account() -> str:
    return str(next(a["id"] for a in fixture_objects("accounts")
                    if a["capabilities"]["transfers"] == "active"))


TRANSFER: dict[str, Any] = {
    "amount": 5_000, "transfer_group": "po_2026_05_p2", "description": "Partner p2, May 2026",
    "metadata": {"vmc_payout_id": "po_2026_05_p2", "vmc_partner_id": "p2"},
    "idempotency_key": "po_2026_05_p2-1",
}

FAULTS = [  # (sandbox fault, status logged, retry reason, API_CALLS status label)
    ("429", 429, "rate_limited", "429"),
    ("500", 500, "server_error", "5xx"),
    ("502", 502, "server_error", "5xx"),
    ("503", 503, "server_error", "5xx"),
    ("drop", 0, "network", "network"),
]


@pytest.mark.parametrize(("kind", "logged", "reason", "label"), FAULTS)
def test_transient_fault_is_retried_until_success(
    env: StripeEnv, kind: str, logged: int, reason: str, label: str
) -> None:
    retries = counter("partnersync_api_retries", api="stripe", reason=reason)
    failed = counter("partnersync_api_calls", api="stripe", operation="customers.list",
                     status=label)
    inject(env, NthCallRule("/v1/customers", 1, kind))

    listed = list(gateway(env.url).customers())

    assert len(listed) == len(fixture_objects("customers"))
    assert statuses(env, "customers.list") == [logged, 200]
    assert counter("partnersync_api_retries", api="stripe", reason=reason) == retries + 1
    assert counter("partnersync_api_calls", api="stripe", operation="customers.list",
                   status=label) == failed + 1


def test_rate_limited_answers_are_counted(env: StripeEnv) -> None:
    before = counter("partnersync_api_rate_limited", api="stripe")
    inject(env, NthCallRule("/v1/prices", 1, "429"), NthCallRule("/v1/prices", 2, "429"))
    list(gateway(env.url).prices())
    assert counter("partnersync_api_rate_limited", api="stripe") == before + 2


def test_a_failed_page_is_retried_alone(env: StripeEnv) -> None:
    template = fixture_objects("customers")[0]
    seed_clones(env.sandbox, "customer", template, 250)
    inject(env, NthCallRule("/v1/customers", 2, "503"))
    listed = list(gateway(env.url).customers())
    assert len({c["id"] for c in listed}) == len(listed) == 250 + 12
    assert statuses(env, "customers.list") == [200, 503, 200, 200]


def test_attempt_cap_reraises_the_last_error(env: StripeEnv) -> None:
    retries = counter("partnersync_api_retries", api="stripe", reason="server_error")
    inject(env, share=1.0, kinds={"503": 1.0}, paths=["/v1/invoices"])
    with pytest.raises(ServerError) as failed:
        list(gateway(env.url, max_attempts=3).invoices())
    assert failed.value.status == 503 and failed.value.api == "stripe"
    assert statuses(env, "invoices.list") == [503, 503, 503]
    assert counter("partnersync_api_retries", api="stripe", reason="server_error") == retries + 2
    assert API_KEY not in str(failed.value)


def test_persistent_rate_limit_ends_as_rate_limited(env: StripeEnv) -> None:
    inject(env, share=1.0, kinds={"429": 1.0}, paths=["/v1/accounts/*"])
    with pytest.raises(RateLimited):
        gateway(env.url, max_attempts=2).account(active_account())
    assert len(statuses(env, "accounts.retrieve")) == 2


def test_timeout_is_a_network_error_and_retried(env: StripeEnv) -> None:
    inject(env, NthCallRule("/v1/subscriptions", 1, "slow"), slow_seconds=1.0)
    policy = RetryPolicy(max_attempts=2, sleep=lambda _s: None)
    quick = StripeGateway(API_KEY, env.url, retry=policy, pacer=None, timeout=0.3)
    assert len(list(quick.subscriptions())) == len(fixture_objects("subscriptions"))


def test_timeouts_until_the_cap_raise_network_error(env: StripeEnv) -> None:
    inject(env, share=1.0, kinds={"drop": 1.0}, paths=["/v1/events"])
    with pytest.raises(NetworkError) as failed:
        gateway(env.url, max_attempts=2).events(["invoice.paid"], created_gt=0)
    assert "could not reach Stripe" in str(failed.value)
    assert statuses(env, "events.list") == [0, 0]


def test_transfer_dropped_before_stripe_ran_it_is_made_once(env: StripeEnv) -> None:
    inject(env, NthCallRule("/v1/transfers", 1, "drop", method="POST"))
    made = gateway(env.url).create_transfer(destination=active_account(), **TRANSFER)
    assert env.sandbox.state.newest_first("transfer") == [made]
    assert statuses(env, "transfers.create") == [0, 200]


@pytest.mark.parametrize("key_ttl", [24 * 3600.0, 0.0])
def test_transfer_whose_answer_was_lost_is_found_not_repeated(key_ttl: float) -> None:
    """The retry looks for the transfer by its group before sending again, so it holds
    even when Stripe no longer remembers the idempotency key (``key_ttl`` 0)."""
    layers: list[DropAnswerOnce] = []

    def lose_first_transfer_answer(app: Any) -> DropAnswerOnce:
        layers.append(DropAnswerOnce(app, "POST", "/v1/transfers"))
        return layers[0]

    with stripe_env(wrap=lose_first_transfer_answer) as env:
        env.sandbox.idempotency_ttl_seconds = key_ttl
        made = gateway(env.url).create_transfer(destination=active_account(), **TRANSFER)
        assert layers[0].dropped == 1
        assert env.sandbox.state.newest_first("transfer") == [made]  # one, not two
        assert statuses(env, "transfers.create") == [200]  # sent once
        assert statuses(env, "transfers.list") == [200]  # the retry found it


def test_transfer_retried_after_a_refused_attempt_is_sent_again_under_its_key(
        env: StripeEnv) -> None:
    """Nothing made (a 503 before Stripe ran it): the retry finds no transfer and sends
    the same request, same key, once more."""
    inject(env, NthCallRule("/v1/transfers", 1, "503", method="POST"))
    made = gateway(env.url).create_transfer(destination=active_account(), **TRANSFER)
    assert env.sandbox.state.newest_first("transfer") == [made]
    assert statuses(env, "transfers.create") == [503, 200]
    assert statuses(env, "transfers.list") == [200]


def test_every_attempt_waits_for_the_pacer(env: StripeEnv) -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = RollingWindowPacer(1, 1.0, clock=lambda: now[0], sleep=sleep)
    policy = RetryPolicy(max_attempts=3, sleep=lambda _s: None)
    paced = StripeGateway(API_KEY, env.url, retry=policy, pacer=pacer)
    inject(env, NthCallRule("/v1/customers", 1, "500"))
    list(paced.customers())
    list(paced.prices())
    assert len(env.sandbox.calls.calls()) == 3 and slept == [1.0, 1.0]
