"""The full listing reads invoices as consecutive time ranges side by side
(sync.pull_stripe): together they hold every invoice exactly once, wherever the splits."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from sync.pull_stripe import INVOICE_PARTS, invoice_listings
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


def test_the_splits_fall_at_the_square_roots_of_the_shares(demo: World) -> None:
    w = demo
    created = [invoice["created"] for invoice in w.stripe.invoices()]
    oldest, now = min(created) - 1_000, max(created) + 1_000
    splits = [oldest + int((now - oldest) * math.sqrt(part / INVOICE_PARTS))
              for part in range(1, INVOICE_PARTS)]
    bounds = [*splits[::-1], None]
    upper = None
    for listing, lower in zip(invoice_listings(w.stripe, oldest, now), bounds, strict=True):
        for invoice in listing:  # newest range first
            assert lower is None or invoice["created"] >= lower
            assert upper is None or invoice["created"] < upper
        upper = lower
