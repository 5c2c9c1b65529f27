"""Stripe stand-in: restricted keys (`rk_...`) with some permissions, answering what
Stripe answers a key lacking one (HTTP 403, `invalid_request_error` without code, the
message naming the `rak_` permission), through stripe-python over loopback HTTP."""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from sandbox.core import SandboxControl
from tests.sandbox.stripe_helpers import StripeEnv, make_client, stripe_env

KEY = "rk_test_51RestrictedKey0123456789abcdef3Kgd9x"


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    with stripe_env() as served:
        yield served


def test_a_missing_permission_is_stripes_403(env: StripeEnv) -> None:
    env.sandbox.restrict_key(KEY, {"invoices": "read"})
    client = make_client(env.url, KEY)
    assert len(client.v1.invoices.list({"limit": 1}).data) == 1
    with pytest.raises(stripe.PermissionError) as denied:
        client.v1.transfers.list({"limit": 1})
    error: Any = denied.value
    assert error.http_status == 403
    assert error.json_body == {"error": {
        "type": "invalid_request_error",
        "message": "The provided key 'rk_test_" + "*" * 31 + "3Kgd9x' does not have the "
                   "required permissions for this endpoint on account "
                   "'acct_1SandboxPlatform00'. Having the 'rak_transfer_read' permission "
                   "would allow this request to continue."}}


def test_read_does_not_allow_writing_and_write_allows_reading(env: StripeEnv) -> None:
    env.sandbox.restrict_key(KEY, {"customers": "read", "transfers": "write"})
    client = make_client(env.url, KEY)
    client.v1.customers.list({"limit": 1})
    with pytest.raises(stripe.PermissionError, match="'rak_customer_write'"):
        client.v1.customers.create({"email": "ops@example.com"})
    assert client.v1.transfers.list({"limit": 1}).data == []
    with pytest.raises(stripe.PermissionError, match="'rak_balance_read'"):
        client.v1.balance.retrieve()


def test_the_sandbox_key_and_unregistered_keys_keep_every_permission(env: StripeEnv) -> None:
    env.sandbox.restrict_key(KEY, {})
    env.client.v1.balance.retrieve()
    with pytest.raises(stripe.PermissionError):
        make_client(env.url, KEY).v1.balance.retrieve()


def test_keys_are_restricted_through_the_control_api(env: StripeEnv) -> None:
    control = SandboxControl(env.url)
    answer = control.records(action="restrict_key", key=KEY,
                             permissions={"balance": "read"})
    assert answer["key_permissions"]["balance"] == "read"
    assert answer["key_permissions"]["transfers"] == "none"
    make_client(env.url, KEY).v1.balance.retrieve()
    for body, error in (
            ({"key": KEY, "permissions": {"balance": "all"}},
             "ValueError: unknown levels ['all']; one of ['none', 'read', 'write']"),
            ({"key": KEY, "permissions": {"payouts": "read"}},
             "ValueError: unknown resources ['payouts']; one of ['accounts', 'balance', "
             "'coupons', 'customers', 'events', 'invoices', 'prices', 'products', "
             "'subscriptions', 'transfers']"),
            ({"key": "sk_test_x", "permissions": {}},
             "ValueError: a restricted key starts with rk_, not 'sk_'")):
        with pytest.raises(urllib.error.HTTPError) as refused:
            control.records(action="restrict_key", **body)
        assert (refused.value.code, json.loads(refused.value.read())) == (400, {"error": error})
