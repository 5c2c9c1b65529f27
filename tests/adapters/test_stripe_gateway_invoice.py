"""``StripeGateway.invoice``: one invoice as it is now, with every line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.stripe.fixtures import add_object
from sync.errors import RequestRejected
from tests.adapters.stripe_support import (
    StripeEnv,
    fixture_objects,
    gateway,
    invoice_with_lines,
    stripe_env,
)


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    with stripe_env() as served:
        yield served


def test_invoice_beyond_the_first_page_comes_with_every_line(env: StripeEnv) -> None:
    big = invoice_with_lines(fixture_objects("invoices")[0], 235, "in_gwone0001")
    add_object(env.sandbox.state, "invoice", big, emit_event=False)

    got = gateway(env.url).invoice("in_gwone0001")

    assert [line["id"] for line in got["lines"]["data"]] == [
        line["id"] for line in big["lines"]["data"]]
    assert got["lines"]["has_more"] is False
    # 1 retrieve; 10 lines embedded, 225 more in pages of 100.
    assert env.sandbox.calls.counters() == {"invoices.retrieve": 1, "invoices.lines": 3}
    assert got == next(i for i in gateway(env.url).invoices() if i["id"] == "in_gwone0001")


def test_invoice_whose_lines_fit_costs_one_call(env: StripeEnv) -> None:
    small = next(i for i in fixture_objects("invoices") if len(i["lines"]["data"]) == 1)

    assert gateway(env.url).invoice(small["id"]) == small
    assert env.sandbox.calls.counters() == {"invoices.retrieve": 1}


def test_unknown_invoice_is_rejected_not_retried(env: StripeEnv) -> None:
    with pytest.raises(RequestRejected):
        gateway(env.url).invoice("in_doesnotexist00")
    assert env.sandbox.calls.count(endpoint="invoices.retrieve") == 1
