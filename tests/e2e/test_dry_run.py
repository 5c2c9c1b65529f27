"""``partnersync sync --dry-run`` (README.md, Operations): the plan changes nothing anywhere, and
lists exactly the writes the real run then makes."""

from __future__ import annotations

from pathlib import Path

from jobs.dry_run import plan_lines, plan_run
from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.domain.decisions import PayoutStatus
from sync.ledger.models import OutboxRow
from sync.writeback.intents import HUBSPOT_DEAL
from tests.e2e.support import DEMO_AS_OF, World, ledger_tables, open_world, sqlite_url

DEAL, PAYOUT = PROPS.deal, PROPS.payout
TOUCHES = (DEAL.referral_code, DEAL.registered_by)


def outbox_keys(world: World) -> set[str]:
    return {row[0] for row in ledger_tables(world.ledger())[OutboxRow.__tablename__]}


def test_dry_run_changes_nothing_anywhere(demo_world: World) -> None:
    """The plan reads both vendors but records nothing in the ledger (runs, lines,
    payouts, outbox, mirror, cursors) and writes nothing to HubSpot or Stripe; after a
    completed cycle it plans no write."""
    services = demo_world.services()
    before = ledger_tables(services.ledger)
    demo_world.reset_calls()
    plan = plan_run(services, DEMO_AS_OF)
    text = plan_lines(plan)
    assert ledger_tables(services.ledger) == before
    assert demo_world.hubspot_writes() == {}
    assert demo_world.stripe_posts() == 0
    assert demo_world.hubspot.calls.calls(), "the plan reads HubSpot"
    assert plan.writes == []
    assert plan.decisions.changes == () and plan.decisions.new_payouts == ()
    assert text[0].startswith("Plan as of 2026-11-01")


def link_a_deal_to_an_unconverted_customer(world: World) -> str:
    """Sales links a deal that had no customer to one that has not paid yet, in
    HubSpot's UI: only that deal's attribution changes (R10: not converted)."""
    deals = world.deals()
    unlinked = next(deal_id for deal_id, values in sorted(deals.items())
                    if values.get(DEAL.attribution_status) == "not_linked"
                    and not any(values.get(name) for name in TOUCHES))
    customer = next(values[DEAL.stripe_customer_id] for values in deals.values()
                    if values.get(DEAL.attribution_status) == "not_converted")
    world.hubspot.change_records({"object_type": "deals", "user_id": 7, "update": [
        {"id": unlinked, "properties": {DEAL.stripe_customer_id: customer}}]})
    return unlinked


def test_dry_run_plan_lists_the_writes_the_next_run_makes(
        small_fixtures: Path, tmp_path: Path) -> None:
    with open_world(small_fixtures, sqlite_url(tmp_path)) as world:
        world.run(DEMO_AS_OF)
        deal_id = link_a_deal_to_an_unconverted_customer(world)
        services = world.services()
        before, keys_before = ledger_tables(services.ledger), outbox_keys(world)
        world.reset_calls()

        plan = plan_run(services, DEMO_AS_OF)
        text = "\n".join(plan_lines(plan))
        assert ledger_tables(services.ledger) == before
        assert world.hubspot_writes() == {} and world.stripe_posts() == 0
        assert [(w.kind, w.target) for w in plan.writes] == [(HUBSPOT_DEAL, deal_id)]
        planned = dict(plan.writes[0].payload)
        assert planned[DEAL.attribution_status] == "not_converted"
        assert f"{HUBSPOT_DEAL} {deal_id}: {planned}" in text

        world.reset_calls()
        world.run(DEMO_AS_OF)
        new_entries = outbox_keys(world) - keys_before
        assert [key.split(":")[:2] for key in new_entries] == [[HUBSPOT_DEAL, deal_id]]
        assert world.hubspot_writes() == {"crm.objects.batch.update": 1}
        assert world.stripe_posts() == 0
        shown = world.deals()[deal_id]
        assert {name: shown[name] for name in planned} == planned


def finance_approves_in_hubspot(world: World) -> str:
    """An approver (HubSpot user 1001, R33) moves the largest pending payout that one
    approval settles (at most the demo programme's dual_above, 900.00) to approved in
    HubSpot's UI (R25)."""
    waiting = [p for p in world.ledger().list_payouts()
               if p.status is PayoutStatus.PENDING_APPROVAL and p.amount <= 90000]
    payout = max(waiting, key=lambda p: p.amount)
    record_id = world.payout_records()[payout.id]["hs_object_id"]
    world.hubspot.change_records({"object_type": PAYOUT.object_name, "user_id": 1001, "update": [
        {"id": record_id, "properties": {PAYOUT.status: "approved"}}]})
    return payout.id


def test_dry_run_plans_the_transfer_of_a_payout_finance_approved_in_hubspot(
        small_fixtures: Path, tmp_path: Path) -> None:
    """README.md, Operations: the plan lists every Stripe write the run would make. The run reads
    finance's approval back and pays it (R25, R26); the plan must show that transfer."""
    with open_world(small_fixtures, sqlite_url(tmp_path)) as world:
        world.run(DEMO_AS_OF)
        payout_id = finance_approves_in_hubspot(world)
        services = world.services()
        before = ledger_tables(services.ledger)
        world.reset_calls()

        plan = plan_run(services, DEMO_AS_OF)
        text = "\n".join(plan_lines(plan))
        assert ledger_tables(services.ledger) == before
        assert world.hubspot_writes() == {} and world.stripe_posts() == 0
        assert [payout.id for payout in plan.payable] == [payout_id]
        assert f"transfer for {payout_id}:" in text

        transfers_before = {t["id"] for t in world.transfers()}
        world.run(DEMO_AS_OF)
        made = [t for t in world.transfers() if t["id"] not in transfers_before]
        assert [t["transfer_group"] for t in made] == [payout_id]
