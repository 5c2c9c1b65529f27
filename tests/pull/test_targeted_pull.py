"""The targeted pull (webhooks): the objects events name, read again by id, stored in the
mirror exactly as the regular pull stores them; no cursor moves; an object gone is
noted, never a failure."""

from __future__ import annotations

from datetime import UTC, datetime

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.ledger.webhooks import WebhookEvent
from sync.pull.mirror_inputs import Mirrored
from sync.pull.targeted import TargetedPull, pull_targets
from tests.pull.support import JSON, World, change_both_vendors
from tests.pull.test_pull_changes import differences

DEAL, PARTNER = Mirrored.HUBSPOT_DEAL.value, Mirrored.HUBSPOT_PARTNER.value
COMPANY, PAYOUT = Mirrored.HUBSPOT_COMPANY.value, Mirrored.HUBSPOT_PAYOUT.value
CUSTOMER, INVOICE = Mirrored.STRIPE_CUSTOMER.value, Mirrored.STRIPE_INVOICE.value
SUBSCRIPTION, ACCOUNT = Mirrored.STRIPE_SUBSCRIPTION.value, Mirrored.STRIPE_ACCOUNT.value
AT = datetime(2026, 12, 1, tzinfo=UTC)


def event(n: int, vendor: str, object_type: str, object_id: str) -> WebhookEvent:
    return WebhookEvent(f"evt_{n}", vendor, f"{object_type}.updated", object_type,
                        str(object_id), AT)


def targeted(world: World, events: list[WebhookEvent]) -> TargetedPull:
    run_id = world.ledger.start_run("webhook", world.clock.now())
    return pull_targets(world.hubspot, world.stripe, world.ledger, world.mirror, run_id,
                        events)


def one_of_each(world: World) -> list[WebhookEvent]:
    """An event for an object of every kind the receivers accept."""
    first = {kind: world.mirror.records(kind)[0] for kind in
             (DEAL, PARTNER, COMPANY, CUSTOMER, INVOICE, SUBSCRIPTION, ACCOUNT)}
    return [event(1, "hubspot", "deal", first[DEAL]["id"]),
            event(2, "hubspot", "company", first[PARTNER]["id"]),
            event(3, "hubspot", "company", first[COMPANY]["id"]),
            event(4, "stripe", "customer", first[CUSTOMER]["id"]),
            event(5, "stripe", "invoice", first[INVOICE]["id"]),
            event(6, "stripe", "subscription", first[SUBSCRIPTION]["id"]),
            event(7, "stripe", "account", first[ACCOUNT]["id"])]


def test_objects_read_again_unchanged_leave_the_mirror_as_the_full_pull_stored_them(
        small: World) -> None:
    small.pull()
    before, cursors = small.snapshot(), small.cursors()
    small.reset_calls()

    pulled = targeted(small, one_of_each(small))

    assert differences(before, small.snapshot()) == {}
    assert {kind: count for kind, count in pulled.summary.changed.items() if count} == {}
    assert {kind: count for kind, count in pulled.summary.read.items() if count} == {
        DEAL: 1, PARTNER: 1, COMPANY: 1, CUSTOMER: 1, INVOICE: 1, SUBSCRIPTION: 1,
        ACCOUNT: 1}
    assert pulled.notes == {}
    assert small.cursors() == cursors  # the hourly pull still reads from its own
    calls = small.calls()
    assert calls["stripe invoices.retrieve"] == calls["stripe customers.retrieve"] == 1
    assert calls["stripe subscriptions.retrieve"] == calls["stripe accounts.retrieve"] == 1
    assert "stripe events.list" not in calls


def test_changed_objects_are_stored_as_the_regular_pull_then_finds_them(small: World) -> None:
    changed = change_both_vendors(small)
    before, deal_id, customer_id = changed.before, changed.deal_id, changed.customer_id
    open_invoice = changed.open_invoice

    pulled = targeted(small, [event(1, "hubspot", "deal", deal_id),
                              event(2, "stripe", "customer", customer_id),
                              event(3, "stripe", "invoice", open_invoice["id"]),
                              event(4, "stripe", "invoice", open_invoice["id"])])

    after_targeted = small.snapshot()
    assert differences(before, after_targeted) == {
        DEAL: {deal_id}, CUSTOMER: {customer_id}, INVOICE: {open_invoice["id"]}}
    assert {k: v for k, v in pulled.summary.changed.items() if v} == {DEAL: 1, CUSTOMER: 1,
                                                                       INVOICE: 1}
    paid = next(i for i in after_targeted[INVOICE] if i["id"] == open_invoice["id"])
    assert paid["status"] == "paid" and paid["amount_paid"] == open_invoice["amount_due"]
    # The regular pull, reading the same changes from Stripe's events and HubSpot's
    # search, stores the same records in the same shape: a search answer has HubSpot's
    # hs_object_id too, which a listing and a batch read (the targeted pull's) have not.
    small.advance(minutes=15)
    small.pull()
    assert differences(after_targeted, without_search_id(small.snapshot())) == {}


def without_search_id(snapshot: dict[str, list[JSON]]) -> dict[str, list[JSON]]:
    for deal in snapshot[DEAL]:
        deal["properties"].pop("hs_object_id", None)
    return snapshot


def test_a_credit_note_names_its_invoice(small: World) -> None:
    small.pull()
    invoice = small.mirror.records(INVOICE)[0]
    credit_note = WebhookEvent("evt_cn", "stripe", "credit_note.created", "invoice",
                               invoice["id"], AT)
    small.reset_calls()
    assert targeted(small, [credit_note]).summary.read[INVOICE] == 1
    assert small.calls()["stripe invoices.retrieve"] == 1


def test_objects_gone_are_noted_and_the_pull_goes_on(small: World) -> None:
    small.pull()
    deal_id = small.mirror.records(DEAL)[0]["id"]
    customer = small.mirror.records(CUSTOMER)[0]["id"]
    small.hubspot_change(object_type="deals", archive=[deal_id])
    small.stripe_change(action="delete_customer", id=customer)
    events = [event(1, "hubspot", "deal", deal_id),
              event(2, "stripe", "invoice", "in_never_was"),
              event(3, "stripe", "customer", customer),
              event(4, "hubspot", "company", "999999999"),
              event(5, "stripe", "account", "acct_nobody_names"),
              event(6, "hubspot", "deal", small.mirror.records(DEAL)[1]["id"])]

    pulled = targeted(small, events)

    assert pulled.notes == {
        "evt_1": f"HubSpot deal {deal_id} no longer exists: not read",
        "evt_2": "Stripe invoice in_never_was no longer exists: not read",
        "evt_3": f"Stripe customer {customer} no longer exists: not read",
        "evt_4": "HubSpot company 999999999 no longer exists: not read",
        "evt_5": "Stripe account acct_nobody_names is no partner's Connect account: not read"}
    assert customer not in small.mirror.ids(CUSTOMER)  # as the events pull removes it
    assert deal_id in small.mirror.ids(DEAL)  # until the next full listing, as the pull
    assert pulled.summary.read[DEAL] == 1


def test_a_company_newly_given_a_tier_is_read_as_a_partner(small: World) -> None:
    small.pull()
    company = small.mirror.records(COMPANY)[0]["id"]
    small.hubspot_change(object_type="companies", update=[
        {"id": company, "properties": {PROPS.company.tier: "referral"}}])

    targeted(small, [event(1, "hubspot", "company", company)])

    partner = next(p for p in small.mirror.records(PARTNER) if p["id"] == company)
    assert partner["properties"][PROPS.company.tier] == "referral"
    assert PROPS.company.tier in partner["propertiesWithHistory"]  # R1 needs its history


def test_payout_records_are_read_by_id_other_custom_objects_are_not(small: World) -> None:
    small.pull()
    names = PROPS.payout
    made = small.hubspot_sandbox.change_records({"object_type": names.object_name, "create": [
        {names.payout_id: "vmcpo_1_2026-11", names.status: "approved", names.amount: "250"}]})
    record_id = made["records"][0]["id"]
    payouts = small.hubspot.object_type_id(names.object_name)
    lines = small.hubspot.object_type_id(PROPS.commission_line.object_name)

    pulled = targeted(small, [event(1, "hubspot", payouts, record_id),
                              event(2, "hubspot", lines, "123")])

    (stored,) = small.mirror.records(PAYOUT)
    assert stored["properties"][names.status] == "approved"
    assert pulled.notes == {"evt_2": f"HubSpot object type {lines} is not the payout "
                                     "records: not read"}
