"""Pull: bring the read mirror up to date with HubSpot and Stripe (R1, docs/configuration.md).

HubSpot and Stripe are read concurrently, one thread each (the ledger's unit of work is
per thread). Each side commits every step with the cursor that covers it in one
transaction, after reading it: a failure leaves the cursors where the stored data is,
and the other side's commits stand. On SQLite the sides take turns on the ledger
(``db_turn``); the network reads still overlap.
Then the partners' Connect accounts are refreshed, since they come from both sides.

``now`` is the instant the pull starts, on the worker's clock: the deals cursor
becomes it, and ``overlap`` covers the clocks' skew and the vendors' indexing lag.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog

from mappings.properties import PropertyMap
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.stripe.gateway import StripeGateway
from sync.domain.months import require_utc
from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.pull.common import JSON, Progress, Tally, db_turn, serialized, store
from sync.pull.hubspot import pull_hubspot
from sync.pull.mirror_inputs import ListedInvoices, Mirrored
from sync.pull.stripe import pull_stripe

log = structlog.get_logger(__name__)
LIST_ACCOUNTS_OVER = 100  # accounts to refresh above which listing them all is cheaper


@dataclass(frozen=True)
class PullSummary:
    """Counts per mirrored type (``Mirrored`` values). ``missing``: known partners
    HubSpot no longer returns, whose last copy the mirror keeps (see ``pull_partners``)."""

    full_hubspot: bool
    full_stripe: bool
    read: dict[str, int]
    changed: dict[str, int]
    removed: dict[str, int]
    missing: dict[str, int] = field(default_factory=dict)
    missing_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def pull(hubspot: HubSpotGateway, stripe: StripeGateway, ledger: Ledger, mirror: Mirror,
         run_id: int, now: datetime, *, force_full: bool = False,
         full_every: timedelta = timedelta(hours=24),
         overlap: timedelta = timedelta(minutes=10),
         progress: Progress | None = None,
         listed: ListedInvoices | None = None) -> PullSummary:
    """``listed`` is given the invoices when Stripe is listed in full (see
    ``ListedInvoices``)."""
    now = require_utc(now, "pull start")
    report = serialized(progress)
    options: dict[str, Any] = {"force_full": force_full, "full_every": full_every,
                               "overlap": overlap, "progress": report,
                               "turn": db_turn(ledger)}
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="pull") as pool:
        sides = [pool.submit(_side, "hubspot", pull_hubspot, hubspot, ledger, mirror, run_id,
                             now, **options),
                 pool.submit(_side, "stripe", pull_stripe, stripe, ledger, mirror, run_id, now,
                             listed=listed, **options)]
        wait(sides)
    hubspot_tally, stripe_tally = _results(sides)
    accounts = pull_accounts(stripe, ledger, mirror, run_id, hubspot.props,
                             refresh_all=stripe_tally.full, progress=report)
    return summary_of(hubspot_tally, stripe_tally, accounts)


def pull_accounts(stripe: StripeGateway, ledger: Ledger, mirror: Mirror, run_id: int,
                  props: PropertyMap, *, refresh_all: bool,
                  progress: Progress | None = None) -> Tally:
    """R26: the mirrored partners' Connect accounts. All of them with a full Stripe
    listing; otherwise only ids not mirrored yet (a new or changed account), so a quiet
    run costs no call per partner -- the payment job checks an account before paying.
    A deleted account, or one no partner names any more, leaves the mirror."""
    kind = Mirrored.STRIPE_ACCOUNT.value
    wanted = partner_account_ids(mirror, props)
    have = mirror.ids(kind)
    found, deleted = read_accounts(stripe, sorted(wanted if refresh_all else wanted - have))
    if progress is not None and (found or deleted):
        progress(kind, len(found) + len(deleted))
    stale = sorted(have & ((have - wanted) | deleted))
    tally = Tally(full=refresh_all)
    with ledger.transaction():
        store(mirror, kind, found, run_id, tally, full=False)
        mirror.remove(kind, stale)
    tally.add(kind, removed=len(stale))
    return tally


def read_accounts(stripe: StripeGateway, ids: list[str]) -> tuple[list[JSON], set[str]]:
    """The accounts found and the ids gone: one retrieve each, or, for more than a
    page's worth, the platform's listing (100 accounts a call)."""
    if len(ids) > LIST_ACCOUNTS_OVER:
        listed = {str(account["id"]): account for account in stripe.accounts()
                  if not account.get("deleted")}
        return [listed[i] for i in ids if i in listed], {i for i in ids if i not in listed}
    found: list[JSON] = []
    deleted: set[str] = set()
    for account_id in ids:
        account = stripe.account(account_id)
        if account is None:
            deleted.add(account_id)
        else:
            found.append(account)
    return found, deleted


def partner_account_ids(mirror: Mirror, props: PropertyMap) -> set[str]:
    name = props.company.stripe_account_id
    ids = {str((partner.get("properties") or {}).get(name) or "").strip()
           for partner in mirror.records(Mirrored.HUBSPOT_PARTNER.value)}
    return ids - {""}


def _side(name: str, pull_side: Callable[..., Tally], *args: Any, **kwargs: Any) -> Tally:
    tally = pull_side(*args, **kwargs)
    log.debug("pull.side_done", side=name)  # the run's timeline (benchmarks.portal)
    return tally


def _results(sides: list[Future[Tally]]) -> tuple[Tally, Tally]:
    """Both sides ran to their end; the first failure is raised, the other logged."""
    errors = [error for side in sides if (error := side.exception()) is not None]
    for extra in errors[1:]:
        log.error("pull.side_failed", error=repr(extra))
    if errors:
        raise errors[0]
    return sides[0].result(), sides[1].result()


def summary_of(*tallies: Tally) -> PullSummary:
    """The sides' tallies merged (HubSpot's first: its ``full`` is ``full_hubspot``)."""
    read: dict[str, int] = {}
    changed: dict[str, int] = {}
    removed: dict[str, int] = {}
    missing: dict[str, tuple[str, ...]] = {}
    for tally in tallies:
        read.update(tally.read)
        changed.update(tally.changed)
        removed.update(tally.removed)
        missing.update({kind: tuple(ids) for kind, ids in tally.missing_ids.items()})
    return PullSummary(
        full_hubspot=tallies[0].full, full_stripe=tallies[1].full, read=read,
        changed=changed, removed=removed,
        missing={kind: len(ids) for kind, ids in missing.items()}, missing_ids=missing)
