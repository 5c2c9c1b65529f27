"""A full Stripe listing maps its invoices as it stores them (``ListedInvoices``): the
engine's inputs are then exactly what reading the mirror back gives, bad records and
their reasons included; an incremental pull lists nothing and the mirror is read."""

from __future__ import annotations

from pathlib import Path

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sandbox.synthetic import write_portal
from sync.pull.mirror_inputs import ListedInvoices, Mirrored, inputs_from_mirror
from tests.badinput.catalogue import plant_all
from tests.badinput.portal import base_portal
from tests.pull.support import DEMO, World, world

INVOICE = Mirrored.STRIPE_INVOICE.value


def test_the_demo_s_listed_invoices_are_the_mirror_s(sqlite_url: str) -> None:
    with world(DEMO, sqlite_url) as demo:
        listed = ListedInvoices()
        demo.pull(listed=listed)
        assert listed.complete
        back = inputs_from_mirror(demo.mirror, PROPS)
        assert inputs_from_mirror(demo.mirror, PROPS, listed) == back
        assert not listed.complete  # the invoices were taken from it, not read back
        # The demo lists 1,402 invoices; two are refused: "1 200 €" paid, an unknown price.
        assert len(back.invoices) == 1_400
        assert sorted(q.record_id for q in back.quarantined if q.object_type == "invoice") == [
            "in_5YLz7EkZlZBWsk", "in_6ik9kyKKs39qy5"]


def test_the_bad_input_catalogue_s_invoices_map_alike_reasons_included(
        tmp_path: Path, sqlite_url: str) -> None:
    planted = plant_all(base_portal())
    bad_invoices = {q.record_id for expect in planted.expected.values()
                    for q in expect.quarantined if q.object_type == "invoice"}
    write_portal(planted.planter.portal, tmp_path / "bad")
    with world(tmp_path / "bad", sqlite_url) as bad:
        listed = ListedInvoices()
        bad.pull(listed=listed)
        assert listed.complete
        back = inputs_from_mirror(bad.mirror, PROPS)
        assert inputs_from_mirror(bad.mirror, PROPS, listed) == back
        assert not listed.complete and listed.take() == ([], [])  # taken, once
        mapping_issues = {q.record_id for q in back.quarantined if q.object_type == "invoice"}
        # Only planted invoices are refused by the mapping (the engine refuses the rest),
        # unknown currency, missing price, absurd amounts... among them.
        assert len(mapping_issues) >= 5 and mapping_issues <= bad_invoices
        assert [invoice.id for invoice in back.invoices] == sorted(i.id for i in back.invoices)


def test_an_incremental_pull_leaves_the_invoices_to_the_mirror(small: World) -> None:
    small.pull()
    small.advance(minutes=15)
    unpaid = next(i for i in small.mirror.records(INVOICE) if i["status"] == "open")
    small.stripe_change(action="pay_invoice", id=unpaid["id"])
    listed = ListedInvoices()
    summary = small.pull(listed=listed)

    assert not summary.full_stripe and not listed.complete
    assert listed.take() == ([], [])
    inputs = inputs_from_mirror(small.mirror, PROPS, listed)
    assert inputs == inputs_from_mirror(small.mirror, PROPS)
    assert next(i for i in inputs.invoices if i.id == unpaid["id"]).status == "paid"
