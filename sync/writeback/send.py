"""Write-back: a run's intents into the outbox, then every pending one out (docs/configuration.md).

``enqueue_intents`` records intents through ``plan_write`` (a record whose content did
not change enqueues nothing, so an identical rerun writes nothing). ``apply_outbox``
sends every pending entry, a killed run's included, 100 records a call: custom objects
(payouts, then commission lines) by upsert on their unique id property, then their v4
associations; deals and companies by batch update; HubSpot's two rate windows kept
busy side by side (``sync.writeback.lanes``). Stripe customers' metadata goes one by
one under the outbox key as idempotency key, meanwhile. An entry is confirmed only once
its record and its associations are written; the inputs of a 207 that failed stay
pending and are counted, so the next run sends exactly those. Auth errors, the daily
quota and retriable errors that outlived the retries propagate: what was not confirmed
stays pending. Stripe transfers (``stripe.transfer``) are not sent here: see
``sync.payments.transfers`` (R26).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import structlog

from mappings.properties import PropertyMap
from sync.adapters.hubspot.batch import BatchOutcome, chunked
from sync.adapters.hubspot.gateway import COMPANIES, DEALS, HubSpotGateway
from sync.adapters.stripe.gateway import StripeGateway
from sync.errors import RequestRejected
from sync.ledger import Ledger
from sync.ledger.records import OutboxEntry
from sync.ledger.written import plan_writes
from sync.writeback.finance import (
    FinanceControls,
    hubspot_statuses,
    read_back_finance,
    undoes_finance,
)
from sync.writeback.intents import (
    HUBSPOT_COMPANY,
    HUBSPOT_COMPANY_CONTROLS,
    HUBSPOT_DEAL,
    HUBSPOT_LINE,
    HUBSPOT_PAYOUT,
    STRIPE_CUSTOMER,
    Intent,
)
from sync.writeback.lanes import Task, Upsert, in_parallel, send_side_by_side
from sync.writeback.settle import ApplySummary, SettledInBatches, settle

Properties = dict[str, str]
Link = tuple[str, str]  # (object type to associate with, its record id)
Pairs = dict[str, dict[tuple[str, str], str]]  # to type -> (from id, to id) -> target

log = structlog.get_logger(__name__)


def enqueue_intents(ledger: Ledger, intents: Iterable[Intent], run_id: int) -> int:
    """Record the run's intents in one transaction; returns how many are new."""
    planned = ((intent.kind, intent.target, intent.content_hash,
                {"payload": dict(intent.payload), "volatile": dict(intent.volatile)})
               for intent in intents)
    return plan_writes(ledger, planned, run_id)


def apply_outbox(ledger: Ledger, hubspot: HubSpotGateway, stripe: StripeGateway,
                 props: PropertyMap, *,
                 hubspot_payouts: Iterable[Mapping[str, Any]] | None = None,
                 finance: FinanceControls | None = None) -> ApplySummary:
    """Send every pending write-back entry. ``hubspot_payouts``: HubSpot's payout
    records if just read (the mirror's copy); otherwise they are read before any payout
    record is written (docs/rules.md, R26: never overwrite a transition finance made)."""
    summary = ApplySummary()
    lines = props.commission_line
    # Stripe's writes (one call per customer) go out meanwhile, in their own thread:
    # the two APIs' rate limits are apart, so neither waits for the other.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="apply-stripe") as pool:
        stripe_side = pool.submit(_send_metadata, ledger, stripe,
                                  _pending(ledger, STRIPE_CUSTOMER), summary)
        # Finance's moves are read back before any payout record is written (R26), and
        # the payouts go first, so that check is as fresh as their writes.
        payouts = _writable_payouts(ledger, hubspot, props, hubspot_payouts, finance, summary)
        upserts = [*_upserts(ledger, hubspot, payouts, props.payout.object_name,
                             props.payout.payout_id, _payout_links(props), summary),
                   *_upserts(ledger, hubspot, _pending(ledger, HUBSPOT_LINE),
                             lines.object_name, lines.line_id, _line_links(props), summary)]
        # A partner's totals and its payout controls (R32, R35) go in one update.
        updates = [*_updates(ledger, hubspot, DEALS, _pending(ledger, HUBSPOT_DEAL), summary),
                   *_updates(ledger, hubspot, COMPANIES, _pending(ledger, HUBSPOT_COMPANY)
                             + _pending(ledger, HUBSPOT_COMPANY_CONTROLS), summary)]
        send_side_by_side(upserts, updates)
        log.debug("apply.side_done", side="hubspot")  # the run's timeline (benchmarks.portal)
        stripe_side.result()
    return summary


# -- what to send ---------------------------------------------------------------------


def _pending(ledger: Ledger, kind: str) -> list[OutboxEntry]:
    """Pending entries of ``kind``, one per record: the newest (``plan_write`` already
    supersedes older ones; this guards the invariant rather than sending stale content)."""
    newest: dict[str, OutboxEntry] = {}
    for entry in ledger.pending(kind):  # oldest first
        older = newest.get(entry.target)
        if older is not None:
            ledger.fail(older.key, f"superseded by {entry.key}")
        newest[entry.target] = entry
    return list(newest.values())


def _properties(entry: OutboxEntry) -> Properties:
    """The content, with the volatile fields (the sync instant) merged in."""
    body = entry.payload
    return {**body.get("payload", {}), **body.get("volatile", {})}


def _writable_payouts(ledger: Ledger, hubspot: HubSpotGateway, props: PropertyMap,
                      records: Iterable[Mapping[str, Any]] | None,
                      finance: FinanceControls | None,
                      summary: ApplySummary) -> list[OutboxEntry]:
    """Pending payout entries, less the stale ones that would write over finance's
    approval or paid mark (docs/rules.md, R26). Finance's moves go to the ledger first; an
    entry older than the ledger's status is held, pending until the next enqueue
    replaces it with the ledger's new state. An entry that is the ledger's status is
    written, over a move the ledger refused (R33) or took as the first of two."""
    entries = _pending(ledger, HUBSPOT_PAYOUT)
    if not entries:
        return []
    listed = list(records) if records is not None else hubspot.payouts()
    summary.finance_applied += read_back_finance(ledger, listed, props, finance).applied
    current = {payout.id: payout.status.value for payout in ledger.list_payouts()}
    shown = hubspot_statuses(listed, props)
    writable = []
    for entry in entries:
        written = _properties(entry).get(props.payout.status)
        stale = written != current.get(entry.target)
        if stale and undoes_finance(shown.get(entry.target), written):
            summary.held.append(entry.target)
        else:
            writable.append(entry)
    return writable


def _line_links(props: PropertyMap) -> Callable[[Properties], list[Link]]:
    names = props.commission_line

    def links(values: Properties) -> list[Link]:
        found = [(COMPANIES, values.get(names.partner_id, "")),
                 (DEALS, values.get(names.deal_id, ""))]
        return [(kind, record_id) for kind, record_id in found if record_id]
    return links


def _payout_links(props: PropertyMap) -> Callable[[Properties], list[Link]]:
    def links(values: Properties) -> list[Link]:
        partner = values.get(props.payout.partner_id, "")
        return [(COMPANIES, partner)] if partner else []
    return links


# -- sending --------------------------------------------------------------------------


def _upserts(ledger: Ledger, hubspot: HubSpotGateway, entries: Sequence[OutboxEntry],
             object_name: str, id_property: str, links: Callable[[Properties], list[Link]],
             summary: ApplySummary) -> list[Upsert]:
    """Per 100 entries: upsert on the unique id property; the task that associates what
    was written and settles the chunk (None: settled already, nothing to associate)."""
    def upsert(chunk: Sequence[OutboxEntry]) -> Task | None:
        records = [(entry.target, _properties(entry)) for entry in chunk]
        outcome = hubspot.upsert_records(object_name, id_property, records)
        failed = {key: failure.message for key, failure in outcome.failed.items()}
        pairs = _pairs(records, outcome, links)
        if not pairs:
            settle(ledger, chunk, outcome.succeeded, failed, summary)
            return None

        def associate() -> None:
            failed.update(_associate(hubspot, object_name, pairs))
            settle(ledger, chunk, outcome.succeeded, failed, summary)
        return associate

    return [partial(upsert, chunk) for chunk in chunked(entries)]


def _pairs(records: list[tuple[str, Properties]], written: BatchOutcome[str],
           links: Callable[[Properties], list[Link]]) -> Pairs:
    """The written records' links: to type -> (record id, linked id) -> target."""
    pairs: Pairs = defaultdict(dict)
    for target, values in records:
        record_id = written.succeeded.get(target)
        if record_id is None:
            continue
        for to_type, to_id in links(values):
            pairs[to_type][(record_id, to_id)] = target
    return pairs


def _associate(hubspot: HubSpotGateway, object_name: str, pairs: Pairs) -> dict[str, str]:
    """v4 default associations; target -> why one failed."""
    failed: dict[str, str] = {}
    for to_type, owners in pairs.items():
        outcome = hubspot.associate(object_name, to_type, list(owners))
        for pair, failure in outcome.failed.items():
            failed[owners[pair]] = f"association to {to_type} {pair[1]}: {failure.message}"
    return failed


def _updates(ledger: Ledger, hubspot: HubSpotGateway, object_type: str,
             entries: Sequence[OutboxEntry], summary: ApplySummary) -> list[Task]:
    """Batch updates by HubSpot record id, 100 records a task (deals, companies); the
    entries of one record (a company's totals and controls) are one input."""
    by_target: dict[str, list[OutboxEntry]] = defaultdict(list)
    for entry in entries:
        by_target[entry.target].append(entry)

    def update(targets: Sequence[str]) -> None:
        chunk = [entry for target in targets for entry in by_target[target]]
        outcome = hubspot.update_records(object_type, [
            (target, {k: v for entry in by_target[target] for k, v in _properties(entry).items()})
            for target in targets])
        failed = {key: failure.message for key, failure in outcome.failed.items()}
        settle(ledger, chunk, outcome.succeeded, failed, summary)

    return [partial(update, targets) for targets in chunked(list(by_target))]


def _send_metadata(ledger: Ledger, stripe: StripeGateway, entries: Sequence[OutboxEntry],
                   summary: ApplySummary) -> None:
    """Stripe has no batch update: one call per customer, keyed by the outbox key, a
    few at a time (one at a time waits on round trips, not on Stripe's rate limit)."""
    settled = SettledInBatches(ledger, summary)

    def send(entry: OutboxEntry) -> None:
        metadata = dict(entry.payload.get("payload", {}))
        try:
            stripe.update_customer_metadata(entry.target, metadata, idempotency_key=entry.key)
        except RequestRejected as error:
            settled.add(entry, failure=str(error))
            return
        settled.add(entry)

    try:
        in_parallel(partial(send, entry) for entry in entries)
    finally:  # what was written before a failure is confirmed
        settled.flush()
    log.debug("apply.side_done", side="stripe")
