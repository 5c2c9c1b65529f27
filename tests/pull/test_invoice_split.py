"""The full listing reads invoices as two time ranges side by side (sync.pull_stripe):
together they hold every invoice exactly once, wherever the split falls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sync.pull_stripe import invoice_listings
from tests.pull.support import DEMO, World, world


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("split")
    with world(DEMO, f"sqlite:///{directory / 'ledger.db'}") as opened:
        yield opened


def test_the_two_ranges_hold_every_invoice_once_wherever_the_split(demo: World) -> None:
    w = demo
    listed = list(w.stripe.invoices())
    every = [invoice["id"] for invoice in listed]
    created = sorted({invoice["created"] for invoice in listed})
    now = created[-1] + 1
    for oldest in (created[0], now - 1):  # a split mid-way; one after every invoice
        parts = [[invoice["id"] for invoice in listing]
                 for listing in invoice_listings(w.stripe, oldest, now)]
        assert len(parts) == 2
        assert sorted(parts[0] + parts[1]) == sorted(every)
        assert not set(parts[0]) & set(parts[1])


def test_one_listing_without_a_customer_to_date_the_account_by(demo: World) -> None:
    w = demo
    listings = invoice_listings(w.stripe, None, 1_800_000_000)
    assert len(listings) == 1
    assert [i["id"] for i in listings[0]] == [i["id"] for i in w.stripe.invoices()]


def test_the_split_falls_at_seven_tenths_of_the_account_s_life(demo: World) -> None:
    w = demo
    created = [invoice["created"] for invoice in w.stripe.invoices()]
    oldest, now = min(created) - 1_000, max(created) + 1_000
    split = oldest + int((now - oldest) * 0.7)
    newer, older = invoice_listings(w.stripe, oldest, now)
    assert all(i["created"] >= split for i in newer)
    assert all(i["created"] < split for i in older)
