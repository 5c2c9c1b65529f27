"""A cursor moves only with what it covers: a failure midway leaves both unchanged."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pytest

from sync.adapters.retry import RetryPolicy
from sync.adapters.stripe.gateway import Decode, StripeGateway
from sync.errors import ServerError
from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.pull.mirror_inputs import Mirrored
from sync.pull.stripe import events_after
from sync.runtime import fastjson
from tests.pull.support import JSON, World

CUSTOMER, INVOICE = Mirrored.STRIPE_CUSTOMER.value, Mirrored.STRIPE_INVOICE.value
DEAL, COMPANY = Mirrored.HUBSPOT_DEAL.value, Mirrored.HUBSPOT_COMPANY.value
NO_RETRY = RetryPolicy(max_attempts=1, sleep=lambda _: None)


class InvoicesFailMidway(StripeGateway):
    """The real gateway, except that the invoice listing breaks after a few pages."""

    def invoices(self, created_gte: int | None = None, created_lt: int | None = None, *,
                 decode: Decode = fastjson.loads) -> Iterator[JSON]:
        for count, invoice in enumerate(super().invoices(created_gte, created_lt,
                                                         decode=decode)):
            if count == 5:
                raise ServerError("Stripe invoices.list: HTTP 500", api="stripe", status=500)
            yield invoice


class FailingMirror(Mirror):
    """Fails when storing ``kind``, after the same transaction stored other types."""

    def __init__(self, ledger: Ledger, kind: str) -> None:
        super().__init__(ledger)
        self.kind = kind

    def replace_all(self, object_type: str, records: Iterable[tuple[str, dict[str, Any]]],
                    run_id: int) -> tuple[int, int]:
        self._check(object_type)
        return super().replace_all(object_type, records, run_id)

    def upsert(self, object_type: str, records: Iterable[tuple[str, dict[str, Any]]],
               run_id: int) -> int:
        self._check(object_type)
        return super().upsert(object_type, records, run_id)

    def _check(self, object_type: str) -> None:
        if object_type == self.kind:
            raise RuntimeError(f"disk full while storing {object_type}")


def _change_a_customer_and_a_deal(small: World) -> None:
    small.advance(minutes=15)
    small.stripe_change(action="update", object="customer",
                        id=small.mirror.records(CUSTOMER)[0]["id"], fields={"email": "x@y.z"})
    small.hubspot_change(object_type="deals", update=[
        {"id": small.mirror.records(DEAL)[0]["id"], "properties": {"dealname": "Changed"}}])


def test_a_listing_failing_midway_stores_nothing_of_stripe(small: World) -> None:
    small.pull()
    _change_a_customer_and_a_deal(small)
    before, cursors = small.snapshot(), small.cursors()
    small.stripe = InvoicesFailMidway("sk_test_pull", small.stripe_url, retry=NO_RETRY,
                                      pacer=None)

    with pytest.raises(ServerError):
        small.pull(force_full=True)

    after = small.snapshot()
    for kind in (CUSTOMER, INVOICE, Mirrored.STRIPE_PRICE.value,
                 Mirrored.STRIPE_SUBSCRIPTION.value, Mirrored.STRIPE_ACCOUNT.value):
        assert after[kind] == before[kind]  # customers were listed, not stored
    assert small.ledger.get_cursor("stripe.events.created") == cursors["stripe.events.created"]
    assert small.ledger.get_cursor("stripe.full_at") == cursors["stripe.full_at"]
    # HubSpot ran in its own thread and its own transactions: it completed.
    assert after[DEAL] != before[DEAL]
    assert small.ledger.get_cursor("hubspot.deals.full_at") != cursors["hubspot.deals.full_at"]


@pytest.mark.parametrize(("kind", "cursor_names"), [
    (INVOICE, ("stripe.events.created", "stripe.full_at")),  # after customers, prices, subs
    (COMPANY, ("hubspot.deals.modified_since", "hubspot.deals.full_at")),  # after deals
])
def test_a_transaction_failing_midway_moves_no_cursor(
        small: World, kind: str, cursor_names: Sequence[str]) -> None:
    small.pull()
    _change_a_customer_and_a_deal(small)
    before, cursors = small.snapshot(), small.cursors()
    small.mirror = FailingMirror(small.ledger, kind)

    with pytest.raises(RuntimeError, match="disk full"):
        small.pull(force_full=True)

    after = small.snapshot()
    side = "stripe." if kind == INVOICE else "hubspot."
    assert {k: v for k, v in after.items() if k.startswith(side)} == {
        k: v for k, v in before.items() if k.startswith(side)}
    assert {name: small.ledger.get_cursor(name) for name in cursor_names} == {
        name: cursors[name] for name in cursor_names}


class RecordedEvents:
    """A fake with the gateway's ``events``: each call answers one event per type."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def events(self, types: Sequence[str], created_gt: int) -> list[JSON]:
        assert len(types) <= 20
        self.calls.append(list(types))
        return [{"type": t, "created": created_gt + 1 + (n * 7) % 45}
                for n, t in enumerate(types)]


def test_more_than_twenty_event_types_are_asked_twenty_at_a_time() -> None:
    fake = RecordedEvents()
    types = tuple(f"type.{n}" for n in range(45))

    events = events_after(fake, 100, types)  # type: ignore[arg-type]

    assert [len(call) for call in fake.calls] == [20, 20, 5]
    assert sorted(e["type"] for e in events) == sorted(types)
    assert [e["created"] for e in events] == sorted(e["created"] for e in events)
