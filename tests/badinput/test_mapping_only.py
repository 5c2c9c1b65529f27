"""Bad input the sandboxes cannot serve, through the mapping and the engine directly.

The stand-ins are seeded from fixture files they index by id (a record without one
cannot be stored), and they re-page an invoice's embedded ``lines`` from its own store
(a ``lines.data`` that is not a list, or an unread ``has_more``, never reaches the
worker through them). The real APIs could still send such shapes, so the mapping and
the engine are run here on the vendor JSON itself, exactly as ``sync.pull.mirror_inputs`` does
with the mirror; the run summary renders what they quarantined.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
from rich.console import Console

from jobs.cycle import summarise_decisions
from jobs.summary import RunSummary
from mappings.assemble import build_inputs
from sandbox.synthetic import Portal
from sync.config.programme_file import load_programme
from sync.domain.decisions import Decisions, LedgerState
from sync.domain.inputs import Quarantined
from sync.engine.decide import decide
from tests.badinput.catalogue import Q
from tests.badinput.portal import JsonObject, Planter, base_portal
from tests.badinput.support import AS_OF
from tests.e2e.support import PROGRAMME_FILE


@dataclass(frozen=True)
class Shape:
    kind: str
    plant: Callable[[Planter], Q]


def _drop_id(record: JsonObject) -> None:
    del record["id"]
    record.get("properties", {}).pop("hs_object_id", None)


def deal_without_id(planter: Planter) -> Q:
    deal = planter.deal(name="Orphan VPS deal", registered_by="39000000001",
                        registered_at="2026-03-01T10:00:00Z")
    _drop_id(deal)
    return Q("deal", "?", "id", "missing object id", "dealname Orphan VPS deal")


def company_without_id(planter: Planter) -> Q:
    company = planter.partner(name="Nameless Id SARL", code="BINOID")
    _drop_id(company)
    return Q("company", "?", "id", "missing object id", "name Nameless Id SARL")


def record_not_an_object(planter: Planter) -> Q:
    planter.portal.deals.append("40000000099")  # type: ignore[arg-type]
    return Q("deal", "?", "id", "expected a CRM object (a JSON object)", "40000000099")


def invoice_without_id(planter: Planter) -> Q:
    clone = planter.clone("no_id")
    invoice = clone.invoices[1]
    number = invoice["number"]
    del invoice["id"]
    return Q("invoice", "?", "id", "missing object id", f"invoice with number {number}")


def customer_without_id(planter: Planter) -> Q:
    clone = planter.clone("customer_no_id")
    del clone.customer["id"]
    return Q("customer", "?", "id", "missing object id",
             f"customer with email {clone.customer['email']}")


def invoice_lines_not_a_list(planter: Planter) -> Q:
    clone = planter.clone("lines_dict")
    invoice = clone.invoices[2]
    invoice["lines"]["data"] = {"il_1": invoice["lines"]["data"][0]}
    return Q("invoice", str(invoice["id"]), "lines.data", "expected a list of lines", "il_1")


def invoice_lines_unread_page(planter: Planter) -> Q:
    clone = planter.clone("has_more")
    invoice = clone.invoices[2]
    invoice["lines"]["has_more"] = True
    return Q("invoice", str(invoice["id"]), "lines.has_more",
             "has_more is true but the remaining pages were not read", "true")


SHAPES = (
    Shape("hubspot_deal_without_id", deal_without_id),
    Shape("hubspot_company_without_id", company_without_id),
    Shape("hubspot_record_not_an_object", record_not_an_object),
    Shape("stripe_invoice_without_id", invoice_without_id),
    Shape("stripe_customer_without_id", customer_without_id),
    Shape("invoice_lines_not_a_list", invoice_lines_not_a_list),
    Shape("invoice_lines_unread_page", invoice_lines_unread_page),
)


def decide_portal(portal: Portal, as_of: datetime = AS_OF) -> Decisions:
    inputs = build_inputs(portal.companies, portal.deals, portal.customers, portal.prices,
                          portal.subscriptions, portal.invoices)
    return decide(inputs, LedgerState(), as_of, load_programme(PROGRAMME_FILE))


@pytest.fixture(scope="module")
def base() -> tuple[Portal, Decisions]:
    portal = base_portal()
    return portal, decide_portal(portal)


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.kind for shape in SHAPES])
def test_unservable_shape_is_quarantined_and_nothing_else_changes(
        base: tuple[Portal, Decisions], shape: Shape) -> None:
    portal, clean = base
    planter = Planter(copy.deepcopy(portal))
    wanted = shape.plant(planter)
    decisions = decide_portal(planter.portal)
    found = [item for item in decisions.quarantined
             if (item.source, item.object_type, item.record_id, item.field)
             == (wanted.source, wanted.object_type, wanted.record_id, wanted.field)]
    assert found, [item.message for item in decisions.quarantined]
    item: Quarantined = found[0]
    assert wanted.reason in item.reason and wanted.value in item.value
    assert item.message.startswith(f"{wanted.source} {wanted.object_type} ?: "
                                   if wanted.record_id == "?" else
                                   f"{wanted.source} {wanted.object_type} {wanted.record_id}")
    # every other record: the base portal's lines, payouts and verdicts are unchanged
    assert decisions.ledger.lines == clean.ledger.lines
    assert decisions.new_payouts == clean.new_payouts
    verdicts = {v.deal_id: v for v in decisions.deals}
    assert all(verdicts[v.deal_id] == v for v in clean.deals)
    # and the run summary lists it, field and all
    summary = RunSummary("sync", AS_OF)
    summarise_decisions(summary, decisions)
    buffer = io.StringIO()
    summary.render(Console(file=buffer, width=4000, color_system=None))
    assert any(item.field in row and item.reason in row and item.value in row
               for row in buffer.getvalue().splitlines())
