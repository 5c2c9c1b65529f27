"""The full listing reads invoices as consecutive time ranges side by side
(sync.pull.stripe): together they hold every invoice exactly once, wherever the splits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sync.pull.stripe import INVOICE_PARTS, invoice_listings
from tests.pull.support import DEMO, World, world


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("split")
    with world(DEMO, f"sqlite:///{directory / 'ledger.db'}") as opened:
        yield opened


def test_the_ranges_hold_every_invoice_once_wherever_the_splits(demo: World) -> None:
    w = demo
    listed = list(w.stripe.invoices())
    every = [invoice["id"] for invoice in listed]
    created = sorted({invoice["created"] for invoice in listed})
    now = created[-1] + 1
    for oldest in (created[0], now - 1):  # a split mid-way; one after every invoice
        parts = [[invoice["id"] for invoice in listing]
                 for listing in invoice_listings(w.stripe, oldest, now)]
        assert 2 <= len(parts) <= INVOICE_PARTS  # equal split instants make one range
        together = [invoice_id for part in parts for invoice_id in part]
        assert sorted(together) == sorted(every)  # each once: no repeat, none missing


def test_one_listing_without_a_customer_to_date_the_account_by(demo: World) -> None:
    w = demo
    listings = invoice_listings(w.stripe, None, 1_800_000_000)
    assert len(listings) == 1
    assert [i["id"] for i in listings[0]] == [i["id"] for i in w.stripe.invoices()]


class RangeListings:
    """Stands in for the gateway: each invoice listing is just its ``created`` range."""

    def invoices(self, created_gte: int | None = None, created_lt: int | None = None,
                 **_: object) -> list[tuple[int | None, int | None]]:
        return [(created_gte, created_lt)]


def test_two_ranges_split_at_the_square_root_of_a_half_of_the_account_s_life() -> None:
    # A customer base grown steadily over 100,000,000 s: half the invoices are younger
    # than 100,000,000 x sqrt(1/2) = 70,710,678.1 s after the first customer.
    assert INVOICE_PARTS == 2
    listings = invoice_listings(RangeListings(), 1_000_000_000,  # type: ignore[arg-type]
                                1_100_000_000)
    assert [list(listing) for listing in listings] == [  # newest first, as Stripe lists
        [(1_070_710_678, None)], [(None, 1_070_710_678)]]
