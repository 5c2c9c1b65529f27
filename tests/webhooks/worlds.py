"""Worlds for the targeted syncs: the small synthetic portal after one full sync, with
changes made in the stand-ins and the webhook events that name them."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sync.ledger.webhooks import WebhookEvent
from sync.pull.mirror_inputs import Mirrored
from tests.e2e.support import DEMO_AS_OF, World, ledger_lines, open_world, sqlite_url

AS_OF = datetime(2026, 12, 2, tzinfo=UTC)  # the syncs after the first: November closed
NOVEMBER_INVOICE = "in_webhook_november"
PAID_AT = int((DEMO_AS_OF + timedelta(hours=6)).timestamp())


@contextmanager
def synced(fixtures: Path, directory: Path, database_url: str | None = None
           ) -> Iterator[World]:
    """The portal after one uninterrupted full sync as of DEMO_AS_OF (on SQLite in
    ``directory`` unless ``database_url`` says where)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open_world(fixtures, database_url or sqlite_url(directory)) as world:
        world.run(DEMO_AS_OF)
        yield world


def open_invoices(world: World) -> list[str]:
    return sorted(invoice["id"] for invoice in world.services().mirror.records(
        Mirrored.STRIPE_INVOICE.value) if invoice["status"] == "open")


def pay_open_invoices(world: World) -> list[str]:
    """Stripe marks every open invoice paid (as its billing run would)."""
    paid = open_invoices(world)
    for invoice_id in paid:
        world.stripe.control({"action": "pay_invoice", "id": invoice_id, "paid_at": PAID_AT})
    return paid


def accrued_customer(world: World) -> tuple[str, str]:
    """A partner and a customer of theirs whose recurring commission runs."""
    accrued = sorted(line_id for line_id, (_, _, status) in ledger_lines(world.ledger()).items()
                     if status == "accrued" and line_id.endswith("_recurring"))
    _, partner, rest = accrued[0].split("_", 2)
    return partner, "cus_" + rest.removeprefix("cus_").split("_", 1)[0]


def bill_november(world: World, customer: str) -> str:
    """Stripe's billing run: the customer's next monthly invoice, for November, paid."""
    invoices = world.stripe.state.newest_first("invoice")
    last = copy.deepcopy(max((i for i in invoices if i["customer"] == customer),
                             key=lambda i: (i["created"], i["id"])))
    created, paid = epoch(datetime(2026, 11, 1, 9, 38)), epoch(datetime(2026, 11, 1, 9, 41))
    last |= {"id": NOVEMBER_INVOICE, "number": "WEBHOOK-0001", "created": created,
             "effective_at": created, "status_transitions": {
                 **last["status_transitions"], "finalized_at": created, "paid_at": paid}}
    (line,) = last["lines"]["data"]
    line |= {"id": "il_webhook_november", "invoice": NOVEMBER_INVOICE, "period": {
        "start": created, "end": epoch(datetime(2026, 12, 1, 9, 38))}}
    last["lines"]["url"] = f"/v1/invoices/{NOVEMBER_INVOICE}/lines"
    world.stripe.control({"action": "add", "object": "invoice", "data": last})
    return NOVEMBER_INVOICE


def epoch(at: datetime) -> int:
    return int(at.replace(tzinfo=UTC).timestamp())


def change_billing(world: World) -> list[str]:
    """The changes both worlds of a comparison make: open invoices paid, and an accrued
    customer's November invoice (its line once November closes)."""
    _, customer = accrued_customer(world)
    return [*pay_open_invoices(world), bill_november(world, customer)]


def paid_events(invoices: list[str], prefix: str = "evt_paid") -> list[WebhookEvent]:
    at = datetime.fromtimestamp(PAID_AT, UTC)
    return [WebhookEvent(f"{prefix}_{n}", "stripe", "invoice.paid", "invoice", invoice, at)
            for n, invoice in enumerate(invoices)]
