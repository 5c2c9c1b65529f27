"""The webhook tests' stand-ins and receiver; a stand-in's sender must be gone after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sandbox.stripe_helpers import StripeEnv, stripe_env
from tests.sandbox.webhooks.receiver import Receiver, receiving, sender_threads


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    """A Stripe stand-in seeded with `stripe_billing`, closed (sender stopped) after."""
    with stripe_env() as served:
        try:
            yield served
        finally:
            served.sandbox.close()
    assert sender_threads() == []


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as started:
        yield started
