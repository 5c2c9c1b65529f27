"""Write-back through the outbox, against both sandboxes (docs/configuration.md, the names written)."""

from __future__ import annotations

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.ledger import Ledger
from sync.writeback.intents import HUBSPOT_DEAL, Intent
from sync.writeback.send import apply_outbox, enqueue_intents
from tests.apply.support import (
    CUSTOMERS,
    World,
    assert_hubspot_holds,
    bulk_lines,
    seed_deal,
    world,
)

LINE, PAYOUT = PROPS.commission_line, PROPS.payout


def test_every_intent_is_written_and_an_identical_rerun_writes_nothing(w: World) -> None:
    run_id, decisions = w.decide()
    intents = w.intents(decisions)
    assert enqueue_intents(w.ledger, intents, run_id) == len(intents)

    summary = apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS)

    assert summary.failed == {} and summary.held == []
    assert summary.written == len(intents) and w.ledger.pending() == []
    assert_hubspot_holds(w, intents)
    companies = w.records("companies", "hs_object_id")
    for company in ("101", "102", "103"):
        assert companies[company]["vmc_commission_accrued_total"] == "250.00"
        assert companies[company]["vmc_synced_at"] == "2025-03-01T06:00:00.000Z"  # volatile
    for partner_id, customer in CUSTOMERS.items():
        metadata = w.stripe_env.sandbox.state.get("customer", customer)["metadata"]
        assert metadata["vmc_partner_id"] == partner_id
        assert metadata["vmc_attribution_source"] == "deal_registration"
    # 100 a call: one upsert per custom object, one update per standard one
    assert w.portal.count("crm.objects.batch.upsert") == 2
    assert w.portal.count("crm.objects.batch.update") == 2

    w.reset_calls()
    run_id, decisions = w.decide()  # the same inputs again
    assert enqueue_intents(w.ledger, w.intents(decisions), run_id) == 0
    again = apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS)
    assert again.written == 0
    assert (w.hubspot_writes(), w.stripe_writes()) == (0, 0)


def test_a_207_leaves_only_the_failed_records_pending(sqlite_url: str) -> None:
    with world(sqlite_url, deals=("203",)) as w:  # deal 204 is not in HubSpot yet
        w.sync()
        summary = apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS)

        [(key, reason)] = summary.failed.items()
        assert key.startswith(f"{HUBSPOT_DEAL}:204:")
        assert reason.startswith("Could not get some DEAL objects")
        assert [(e.kind, e.target) for e in w.ledger.pending()] == [(HUBSPOT_DEAL, "204")]
        assert w.ledger.outbox_entry(key).attempts == 1  # type: ignore[union-attr]

        seed_deal(w.portal, "204")
        w.reset_calls()
        second = apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS)

        assert dict(second.sent) == {HUBSPOT_DEAL: 1} and second.failed == {}
        assert w.portal.count("crm.objects.batch.update") == 1
        assert w.hubspot_writes() == 1 and w.stripe_writes() == 0
        deal = w.records("deals", "hs_object_id")["204"]
        assert deal["vmc_attribution_status"] == "not_converted"
        assert w.ledger.pending() == []


def test_a_run_killed_between_intent_and_write_writes_once(w: World, sqlite_url: str) -> None:
    run_id, decisions = w.decide()
    intents = w.intents(decisions)
    enqueue_intents(w.ledger, intents, run_id)
    w.ledger.close()  # killed before any write

    reopened = Ledger.open(sqlite_url)
    try:
        w.ledger = reopened
        run_id, decisions = w.decide()  # the next run decides the same again
        assert enqueue_intents(reopened, w.intents(decisions), run_id) == 0
        summary = apply_outbox(reopened, w.hubspot, w.stripe, PROPS)
        assert summary.written == len(intents)
        assert_hubspot_holds(w, intents)
        assert w.portal.count("crm.objects.batch.upsert") == 2
        assert w.stripe_calls("customers.update") == len(CUSTOMERS)

        w.reset_calls()
        assert apply_outbox(reopened, w.hubspot, w.stripe, PROPS).written == 0
        assert (w.hubspot_writes(), w.stripe_writes()) == (0, 0)
    finally:
        reopened.close()


def test_newer_content_replaces_an_unsent_intent(w: World) -> None:
    run_id, decisions = w.decide()
    intents = w.intents(decisions)
    enqueue_intents(w.ledger, intents, run_id)
    deal = next(i for i in intents if i.kind == HUBSPOT_DEAL and i.target == "204")
    newer = Intent(HUBSPOT_DEAL, "204", {**deal.payload, "vmc_commission_paid": "1.00"})
    assert enqueue_intents(w.ledger, [newer], run_id + 1) == 1

    apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS)

    assert w.records("deals", "hs_object_id")["204"]["vmc_commission_paid"] == "1.00"
    assert w.portal.count("crm.objects.batch.update") == 2  # deals once, companies once


def test_more_than_100_records_go_100_a_call(w: World) -> None:
    intents = bulk_lines(250)
    assert enqueue_intents(w.ledger, intents, 1) == 250

    summary = apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS)

    assert summary.written == 250 and summary.failed == {}
    assert w.portal.count("crm.objects.batch.upsert") == 3
    assert w.portal.count("crm.associations.batch.default") == 6  # companies and deals
    assert len(w.records(LINE.object_name, LINE.line_id)) == 250
