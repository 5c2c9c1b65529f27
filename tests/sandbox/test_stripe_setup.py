"""Building the stand-in: fixture paths, loading more while serving, form decoding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.core import SandboxClock
from sandbox.stripe import StripeSandbox
from sandbox.stripe.errors import StripeError
from sandbox.stripe.forms import decode_params
from tests.sandbox.stripe_helpers import BILLING_SET, fixture_objects, raw, stripe_env


def test_from_fixtures_takes_the_set_or_its_stripe_folder() -> None:
    for path in (BILLING_SET, BILLING_SET / "stripe"):
        sandbox = StripeSandbox.from_fixtures(path, clock=SandboxClock())
        assert len(sandbox.state.newest_first("customer")) == len(fixture_objects("customers"))
    empty = StripeSandbox.from_fixtures(None)
    assert empty.state.newest_first("customer") == []


def test_absent_files_are_fine_and_bad_ones_are_refused(tmp_path: Path) -> None:
    (tmp_path / "stripe").mkdir()
    assert StripeSandbox.from_fixtures(tmp_path).state.newest_first("invoice") == []
    (tmp_path / "stripe" / "customers.json").write_text(json.dumps([{"id": "prod_x",
                                                                     "object": "product"}]))
    with pytest.raises(ValueError, match="customer"):
        StripeSandbox.from_fixtures(tmp_path)


def test_fixtures_loaded_while_serving_record_created_events(tmp_path: Path) -> None:
    folder = tmp_path / "more" / "stripe"
    folder.mkdir(parents=True)
    customer = dict(fixture_objects("customers")[0], id="cus_LoadedLater01")
    (folder / "customers.json").write_text(json.dumps([customer]))
    with stripe_env() as env:
        assert env.control.load_fixtures(tmp_path / "more") == {"loaded": {"customers": 1}}
        assert raw(env.client.v1.customers.retrieve("cus_LoadedLater01")) == customer
        event = env.client.v1.events.list().data[0]
        assert event.type == "customer.created" and event.data.object["id"] == customer["id"]


def test_fixture_account_metadata_is_served_exactly_as_given(tmp_path: Path) -> None:
    """The worker finds a partner's Connect account by `metadata.hubspot_company_id`."""
    folder = tmp_path / "stripe"
    folder.mkdir()
    metadata = {"hubspot_company_id": "501"}
    account = dict(fixture_objects("accounts")[0], id="acct_Partner501", metadata=metadata)
    (folder / "accounts.json").write_text(json.dumps([account]))
    with stripe_env(tmp_path) as env:
        retrieved = env.client.v1.accounts.retrieve("acct_Partner501")
        assert raw(retrieved)["metadata"] == metadata and raw(retrieved) == account
        assert retrieved.metadata.to_dict() == metadata
        listed = raw(env.client.v1.accounts.list())["data"]
        assert [a["metadata"] for a in listed] == [metadata]


def test_decode_nested_lists_and_appends() -> None:
    pairs = [
        ("metadata[a]", "1"), ("metadata[b]", ""), ("expand[0]", "customer"),
        ("expand[1]", "data.x"), ("types[]", "a.b"), ("types[]", "c.d"),
        ("items[0][price]", "price_1"), ("items[0][quantity]", "2"),
        ("created[gte]", "10"), ("limit", "3"),
    ]
    assert decode_params(pairs) == {
        "metadata": {"a": "1", "b": ""},
        "expand": ["customer", "data.x"],
        "types": ["a.b", "c.d"],
        "items": [{"price": "price_1", "quantity": "2"}],
        "created": {"gte": "10"},
        "limit": "3",
    }


def test_decode_refuses_conflicting_shapes() -> None:
    with pytest.raises(StripeError):
        decode_params([("metadata", "x"), ("metadata[a]", "1")])
