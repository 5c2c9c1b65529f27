"""The portal benchmark's "1% changed": deals renamed and invoices paid or touched, as
someone in HubSpot's UI and Stripe's billing run would, through the stand-ins' control
hooks (so HubSpot stamps the change and Stripe records the events it would emit)."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from benchmarks.portal_world import World

PAID_STATUSES = frozenset({"paid", "void", "uncollectible"})


@dataclass(frozen=True)
class Changed:
    deals: tuple[str, ...]
    invoices: tuple[str, ...]
    invoices_paid: int


def change_share(world: World, share: float, seed: int) -> Changed:
    rng = Random(seed)
    deals = _pick(rng, _deal_ids(world), share)
    invoices = _pick(rng, _invoice_ids(world), share)
    world.hubspot.change_records({
        "object_type": "deals", "user_id": 81234567,
        "update": [{"id": deal_id, "properties": {"dealname": f"{name} (renamed)"}}
                   for deal_id, name in _names(world, deals)]})
    paid = 0
    for invoice_id in invoices:
        status = world.stripe.state.get("invoice", invoice_id).get("status")
        if status in PAID_STATUSES:
            world.stripe.control({"action": "update", "object": "invoice", "id": invoice_id,
                                  "fields": {"metadata": {"benchmark": "touched"}}})
        else:
            world.stripe.control({"action": "pay_invoice", "id": invoice_id})
            paid += 1
    return Changed(tuple(deals), tuple(invoices), paid)


def _pick(rng: Random, ids: list[str], share: float) -> list[str]:
    return sorted(rng.sample(ids, max(1, round(len(ids) * share))))


def _deal_ids(world: World) -> list[str]:
    state = world.hubspot.state
    with state.lock:
        return [record.id for record in state.list(state.resolve_type("deals"))]


def _names(world: World, deal_ids: list[str]) -> list[tuple[str, str]]:
    state = world.hubspot.state
    with state.lock:
        deals = state.resolve_type("deals")
        return [(deal_id, str(state.find(deals, deal_id).properties.get("dealname") or ""))
                for deal_id in deal_ids]


def _invoice_ids(world: World) -> list[str]:
    return sorted(str(invoice["id"]) for invoice in world.stripe.state.newest_first("invoice"))
