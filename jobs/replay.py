"""What a replay (``sync --as-of T --dry-run`` before the latest recorded sync) takes
from the worker's own write memory, for facts the ledger does not date otherwise.

``Ledger.view`` gives the ledger as it stood at T from its dated rows. Two things the
worker set are dated only by the writes it recorded in the outbox, run by run: the
attribution metadata on Stripe customers (Stripe shows today's, written after T), and a
payout's failed attempt or ``manual_pending`` mark (R26), which the payout record it
wrote to HubSpot after that run shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from mappings.properties import PropertyMap
from sync.domain.decisions import PayoutStatus
from sync.ledger import Ledger, PayoutRecord
from sync.ledger.views import Replay
from sync.writeback.intents import HUBSPOT_PAYOUT, STRIPE_CUSTOMER

WORKER_MOVES = (PayoutStatus.FAILED, PayoutStatus.MANUAL_PENDING)  # from approved (R26)
Metadata = dict[str, dict[str, str]]


def then(ledger: Ledger, replay: Replay, payouts: list[PayoutRecord], metadata: Metadata,
         props: PropertyMap) -> tuple[list[PayoutRecord], Metadata]:
    """The payouts and the customers' metadata as the replay's instant saw them."""
    written_payouts = ledger.merged_intents(HUBSPOT_PAYOUT, replay.cut)
    written_metadata = ledger.merged_intents(STRIPE_CUSTOMER, replay.cut)
    return (payouts_then(payouts, written_payouts, props),
            metadata_then(metadata, written_metadata, props))


def metadata_then(now: Metadata, written: Mapping[str, Mapping[str, Any]],
                  props: PropertyMap) -> Metadata:
    """The keys the worker writes hold what it had written by then (none: empty); the
    other keys keep today's values."""
    keys = props.stripe_metadata
    own = (keys.partner_id, keys.attribution_source, keys.attributed_at)
    return {customer: {**values, **{key: str(written.get(customer, {}).get(key, ""))
                                    for key in own}}
            for customer, values in now.items()}


def payouts_then(payouts: list[PayoutRecord], written: Mapping[str, Mapping[str, Any]],
                 props: PropertyMap) -> list[PayoutRecord]:
    """A payout the dated steps leave ``approved`` had failed or gone manual by then when
    the last record the worker wrote for it before the cut says so (with its reason and
    method): only the worker moves an approved payout there."""
    names = props.payout
    out = []
    for payout in payouts:
        shown = written.get(payout.id, {})
        held = payout.status is PayoutStatus.ON_HOLD
        reached = payout.held_from if held else payout.status
        moved = next((s for s in WORKER_MOVES if s.value == shown.get(names.status)), None)
        if reached is PayoutStatus.APPROVED and moved is not None:
            fields: dict[str, Any] = {"failure_reason": shown.get(names.failure_reason) or None,
                                      "method": shown.get(names.method) or None}
            fields["held_from" if held else "status"] = moved
            payout = replace(payout, **fields)
        out.append(payout)
    return out
