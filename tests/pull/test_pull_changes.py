"""Incremental pulls see exactly what changed; full listings forget what is gone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sync.pull.mirror_inputs import Mirrored
from tests.pull.support import JSON, World, change_both_vendors

DEAL, PARTNER = Mirrored.HUBSPOT_DEAL.value, Mirrored.HUBSPOT_PARTNER.value
CUSTOMER, INVOICE = Mirrored.STRIPE_CUSTOMER.value, Mirrored.STRIPE_INVOICE.value
SUBSCRIPTION, ACCOUNT = Mirrored.STRIPE_SUBSCRIPTION.value, Mirrored.STRIPE_ACCOUNT.value


def differences(before: dict[str, list[JSON]], after: dict[str, list[JSON]]
                ) -> dict[str, set[str]]:
    """Record ids added, removed or changed, per mirrored type."""
    found: dict[str, set[str]] = {}
    for kind in before:
        old = {str(r["id"]): r for r in before[kind]}
        new = {str(r["id"]): r for r in after[kind]}
        ids = {i for i in old.keys() | new.keys() if old.get(i) != new.get(i)}
        if ids:
            found[kind] = ids
    return found


def test_first_pull_is_full_and_reports_progress(small: World) -> None:
    seen: list[tuple[str, int]] = []

    summary = small.pull(progress=lambda label, count: seen.append((label, count)))

    assert summary.full_hubspot and summary.full_stripe
    assert summary.read[DEAL] == summary.changed[DEAL] == 12
    assert summary.read[PARTNER] == 15 and summary.missing == {PARTNER: 0}
    reported = dict(seen)  # the last count per label
    assert {kind: reported[kind] for kind in summary.read if summary.read[kind]} == {
        kind: count for kind, count in summary.read.items() if count}


def test_changes_in_both_vendors_change_exactly_those_records(small: World) -> None:
    changed = change_both_vendors(small)
    before, deal_id, customer_id = changed.before, changed.deal_id, changed.customer_id
    open_invoice = changed.open_invoice
    small.reset_calls()
    summary = small.pull()

    assert not summary.full_hubspot and not summary.full_stripe
    assert differences(before, small.snapshot()) == {
        DEAL: {deal_id}, CUSTOMER: {customer_id}, INVOICE: {open_invoice["id"]}}
    assert {k: v for k, v in summary.changed.items() if v} == {DEAL: 1, CUSTOMER: 1,
                                                               INVOICE: 1}
    paid = next(i for i in small.mirror.records(INVOICE) if i["id"] == open_invoice["id"])
    assert paid["status"] == "paid" and paid["amount_paid"] == open_invoice["amount_due"]
    assert small.calls()["stripe events.list"] == 1  # 4 events, one call, no re-reads
    assert "stripe invoices.retrieve" not in small.calls()  # its lines fit the event


def test_an_invoice_with_more_lines_than_the_event_embeds_is_read_whole(small: World) -> None:
    small.stripe_change(action="config", invoice_lines_page_size=1)
    small.pull()
    small.advance(minutes=15)
    two_lines = next(i for i in small.mirror.records(INVOICE) if len(i["lines"]["data"]) == 2)
    small.stripe_change(action="update", object="invoice", id=two_lines["id"],
                        fields={"metadata": {"note": "x"}})
    small.reset_calls()

    summary = small.pull()

    stored = next(i for i in small.mirror.records(INVOICE) if i["id"] == two_lines["id"])
    assert stored["lines"]["data"] == two_lines["lines"]["data"]
    assert stored["lines"]["has_more"] is False and stored["metadata"] == {"note": "x"}
    assert summary.changed[INVOICE] == 1
    assert small.calls()["stripe invoices.retrieve"] == 1
    assert small.calls()["stripe invoices.lines"] == 1


def test_a_deleted_customer_leaves_the_mirror(small: World) -> None:
    small.pull()
    small.advance(minutes=15)
    customer_id = small.mirror.records(CUSTOMER)[0]["id"]

    small.stripe_change(action="delete_customer", id=customer_id)

    summary = small.pull()

    assert summary.removed[CUSTOMER] == 1
    assert customer_id not in small.mirror.ids(CUSTOMER)
    subscriptions = [s for s in small.mirror.records(SUBSCRIPTION)
                     if s["customer"] == customer_id]
    assert subscriptions and all(s["status"] == "canceled" for s in subscriptions)


def test_an_archived_deal_disappears_with_the_next_full_listing(small: World) -> None:
    small.pull()
    small.advance(minutes=15)
    deal_id = small.mirror.records(DEAL)[0]["id"]
    small.hubspot_change(object_type="deals", archive=[deal_id])

    incremental = small.pull()
    assert deal_id in small.mirror.ids(DEAL)  # a search does not return archived deals
    assert incremental.removed.get(DEAL, 0) == 0

    small.advance(minutes=15)
    forced = small.pull(force_full=True)
    assert forced.full_hubspot and forced.full_stripe
    assert deal_id not in small.mirror.ids(DEAL) and forced.removed[DEAL] == 1


def test_an_archived_partner_stays_in_the_mirror_and_is_reported_missing(
        small: World) -> None:
    small.pull()
    small.advance(minutes=15)
    partner = next(p for p in small.mirror.records(PARTNER)
                   if p["properties"].get("vmc_stripe_account_id"))
    small.hubspot_change(object_type="companies", archive=[partner["id"]])

    summary = small.pull()

    assert summary.missing == {PARTNER: 1}
    assert summary.missing_ids == {PARTNER: (partner["id"],)}
    kept = next(p for p in small.mirror.records(PARTNER) if p["id"] == partner["id"])
    assert kept == partner  # the last copy, unchanged
    assert partner["properties"]["vmc_stripe_account_id"] in small.mirror.ids(ACCOUNT)


def test_accounts_are_read_on_full_listings_and_when_a_partner_names_a_new_one(
        small: World) -> None:
    full = small.pull()
    accounts = small.calls()["stripe accounts.retrieve"]
    assert full.read[ACCOUNT] == accounts == len(small.mirror.ids(ACCOUNT)) > 0
    partner = next(p for p in small.mirror.records(PARTNER)
                   if p["properties"].get("vmc_stripe_account_id"))
    old_account = partner["properties"]["vmc_stripe_account_id"]
    small.advance(minutes=15)
    small.reset_calls()
    small.pull()
    assert "stripe accounts.retrieve" not in small.calls()

    small.hubspot_change(object_type="companies", update=[
        {"id": partner["id"], "properties": {"vmc_stripe_account_id": "acct_unknown0000"}}])
    small.reset_calls()
    summary = small.pull()

    assert small.calls()["stripe accounts.retrieve"] == 1  # the new id; it does not exist
    assert old_account not in small.mirror.ids(ACCOUNT)  # no partner names it any more
    assert "acct_unknown0000" not in small.mirror.ids(ACCOUNT)
    assert summary.removed[ACCOUNT] == 1


def test_events_older_than_thirty_days_mean_a_full_stripe_listing(small: World) -> None:
    yearly: dict[str, Any] = {"full_every": timedelta(days=365)}
    small.pull(**yearly)
    small.advance(days=20)
    quiet = small.pull(**yearly)
    assert not quiet.full_stripe  # the cursor followed the clock, though nothing happened
    small.advance(days=20)
    assert not small.pull(**yearly).full_stripe

    small.ledger.set_cursor("stripe.events.created",
                            str(int((small.clock.now() - timedelta(days=31)).timestamp())))
    small.advance(minutes=15)
    summary = small.pull(**yearly)

    assert summary.full_stripe and not summary.full_hubspot


def test_a_full_listing_is_due_after_full_every(small: World) -> None:
    small.pull()
    small.advance(hours=23)
    assert not small.pull().full_hubspot
    small.advance(hours=1)
    later = small.pull()
    assert later.full_hubspot and later.full_stripe


def test_an_event_listed_after_the_pull_read_its_second_is_read_by_the_next(
        small: World) -> None:
    """The cursor is the pull's start less the overlap, never the newest event read: an
    event Stripe lists only after a pull read others of its second (or of the overlap
    before) is still read by the next pull (PARTNERSYNC_PULL_OVERLAP_SECONDS)."""
    small.pull()
    small.advance(minutes=15)
    first, second = sorted(small.mirror.ids(CUSTOMER))[:2]
    small.stripe_change(action="update", object="customer", id=first,
                        fields={"email": "first@renamed.example"})
    small.pull()  # reads the first change; the clock stands still: same second
    small.stripe_change(action="update", object="customer", id=second,
                        fields={"email": "second@renamed.example"})
    small.advance(minutes=1)
    small.pull()

    emails = {record["id"]: record["email"] for record in small.mirror.records(CUSTOMER)}
    assert (emails[first], emails[second]) == ("first@renamed.example",
                                               "second@renamed.example")
