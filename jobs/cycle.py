"""The sync cycle: gather, decide, apply, commit (docs/configuration.md ``partnersync sync``).

1. pull what changed into the mirror (HubSpot and Stripe concurrently), or, for a
   targeted sync (``jobs.webhooks``), the objects webhooks named: the one step that
   differs (``PullStep``);
2. read finance's transitions made in HubSpot back into the ledger;
3. decide (the pure engine) over the whole mirrored portal at ``as_of``;
4. record the decisions and the intended writes (outbox) in the ledger;
5. make the writes, confirm them; pay approved payouts (R26).
A run killed anywhere resumes from the ledger: recorded intents are sent once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import structlog

from jobs.decision import decide_or_reuse
from jobs.summary import ApiUsage, RunSummary
from sync.domain.decisions import Decisions, LineChange, PayoutStatus
from sync.domain.inputs import Inputs, Partner
from sync.engine.decide import decide
from sync.errors import DailyLimitReached, RetriableUpstreamError
from sync.ledger.records import PayoutRecord
from sync.payments.destinations import review_destinations, stripe_accounts
from sync.payments.transfers import pay_approved, payout_intents
from sync.pull.mirror_inputs import ListedInvoices, Mirrored, inputs_from_mirror
from sync.pull.portal import PullSummary, pull
from sync.wiring import Services
from sync.writeback.finance import read_back_finance
from sync.writeback.intents import Intent, build_intents
from sync.writeback.registrations import send_pending_registrations
from sync.writeback.send import apply_outbox, enqueue_intents

Progress = Callable[[str, int], None]
# The cycle's first step: bring the mirror up to date for run ``run_id`` started at
# ``now``; ``listed`` is given a full Stripe listing's invoices (``pull``).
PullStep = Callable[[Services, int, datetime, ListedInvoices], PullSummary]
log = structlog.get_logger("partnersync.cycle")


def phase(name: str, run_id: int) -> None:
    """A debug line per phase, so an operator (and the crash tests) can tell where a run
    was when it stopped."""
    log.debug("run.phase", phase=name, run_id=run_id)


def customer_metadata(inputs: Inputs) -> dict[str, dict[str, str]]:
    return {customer.id: dict(customer.metadata) for customer in inputs.customers}


def summarise_decisions(summary: RunSummary, decisions: Decisions) -> None:
    summary.count_changes([change.action for change in decisions.changes])
    summary.accrued_cents = sum(_accrued_delta(change) for change in decisions.changes)
    summary.payouts_created = len(decisions.new_payouts)
    summary.quarantined = list(decisions.quarantined)
    summary.decided = True
    summary.reviews = len(decisions.reviews)
    summary.unrecovered = len(decisions.unrecovered)


def _accrued_delta(change: LineChange) -> int:
    if change.action == "voided":
        return -change.line.amount
    previous = change.previous.amount if change.previous is not None else 0
    return change.line.amount - previous


def decide_now(services: Services, as_of: datetime,
               listed: ListedInvoices | None = None) -> tuple[Inputs, Decisions]:
    inputs = inputs_from_mirror(services.mirror, services.props, listed)
    return inputs, decide(inputs, services.ledger.load_state(), as_of, services.programme)


def intents_for(services: Services, inputs: Inputs, decisions: Decisions,
                payouts: list[PayoutRecord], now: datetime) -> list[Intent]:
    return build_intents(decisions, payouts, customer_metadata(inputs), services.props, now,
                         services.ledger.controls())


def pull_changes(*, force_full: bool = False, progress: Progress | None = None) -> PullStep:
    """The scheduled sync's step: what changed since the cursors (everything when due)."""
    def step(services: Services, run_id: int, now: datetime,
             listed: ListedInvoices) -> PullSummary:
        return pull(services.hubspot, services.stripe, services.ledger, services.mirror,
                    run_id, now, force_full=force_full, progress=progress, listed=listed,
                    overlap=timedelta(seconds=services.settings.pull_overlap_seconds))
    return step


def cycle(services: Services, run_id: int, as_of: datetime, summary: RunSummary, *,
          force_full: bool = False, progress: Progress | None = None,
          pull_step: PullStep | None = None) -> None:
    """``pull_step``: how the mirror is brought up to date (by default ``pull_changes``
    with ``force_full`` and ``progress``); the rest of the cycle is the same for all."""
    ledger, now = services.ledger, datetime.now(UTC)
    phase("pull", run_id)
    listed = ListedInvoices()  # a full Stripe listing's invoices, mapped as they arrive
    step = pull_step or pull_changes(force_full=force_full, progress=progress)
    pulled = step(services, run_id, now, listed)
    summary.read, summary.changed = dict(pulled.read), dict(pulled.changed)
    finance = read_back_finance(ledger, services.mirror.records(Mirrored.HUBSPOT_PAYOUT),
                                services.props, services.finance_controls)
    summary.finance_transitions, summary.refused = len(finance.applied), dict(finance.refused)
    summary.edited = dict(finance.edited)
    phase("decide", run_id)
    decided = decide_or_reuse(services, run_id, as_of, summary, listed, force_full=force_full,
                              decide_now=decide_now, intents_for=run_intents(now),
                              phase=lambda name: phase(name, run_id))
    if decided.decisions is not None:
        summarise_decisions(summary, decided.decisions)
    pay(services, decided.partners, run_id, now, summary, intents=decided.intents)
    decided.complete()


def run_intents(now: datetime) -> Callable[[Services, Inputs, Decisions], list[Intent]]:
    def intents(services: Services, inputs: Inputs, decisions: Decisions) -> list[Intent]:
        # Built after paying, from the payouts as the ledger then holds them, so the
        # deals' and partners' paid totals include this run's transfers. A run killed
        # before they are enqueued loses nothing: the next run decides them again.
        return intents_for(services, inputs, decisions, services.ledger.list_payouts(), now)

    return intents


def pay(services: Services, partners_read: Iterable[Partner], run_id: int, now: datetime,
        summary: RunSummary, *, intents: Callable[[], list[Intent]] | None = None) -> None:
    """R26 for approved and failed payouts, then every pending write goes out (the
    cycle's and the payouts that moved), even when paying stopped half-way.
    ``intents``: the run's writes, rebuilt after paying (by default only the payout and
    line records), so what was paid shows everywhere it is totalled."""
    ledger, props = services.ledger, services.props
    partners = {partner.id: partner for partner in partners_read}
    phase("pay", run_id)
    try:
        accounts = stripe_accounts(services.stripe,
                                   lambda: services.mirror.records(Mirrored.STRIPE_ACCOUNT))
        review = review_destinations(ledger, accounts, partners.values(),
                                     services.finance_controls,
                                     services.programme.payments.confirm_new_destinations)
        summary.refused |= review.refused
        # No accounts passed: each is read from Stripe just before its payout is paid.
        paid = pay_approved(ledger, services.stripe, partners, {}, now, props=props)
        summary.transfers = len(paid.paid) + len(paid.adopted)
        summary.paid_cents = sum(ledger.get_payout(payout_id).amount
                                 for payout_id in (*paid.paid, *paid.adopted))
        summary.payment_failures, summary.manual_payouts = len(paid.failed), len(paid.manual)
        summary.held = {payout.id: payout.hold_reason or ""
                        for payout in ledger.list_payouts(PayoutStatus.ON_HOLD)}
    finally:
        moved = intents() if intents is not None else payout_intents(ledger, props)
        summary.writes_planned += enqueue_intents(ledger, moved, run_id)
    phase("write", run_id)
    applied = apply_outbox(ledger, services.hubspot, services.stripe, props,
                           hubspot_payouts=services.mirror.records(Mirrored.HUBSPOT_PAYOUT),
                           finance=services.finance_controls)
    summary.writes_sent, summary.writes_failed = applied.written, len(applied.failed)
    # Deal registrations the portal could not write at once (docs/portal.md).
    registrations = send_pending_registrations(ledger, services.hubspot,
                                               portal=services.programme.portal)
    summary.writes_sent += registrations.sent
    summary.writes_failed += len(registrations.failed) + len(registrations.pending)


def run_job(services: Services, job: str, as_of: datetime,
            work: Callable[[int, RunSummary], None],
            on_summary: Callable[[RunSummary], None] | None = None) -> RunSummary:
    """Hold the job lock, record the run, do the work, finish the run, summarise."""
    started, usage = time.monotonic(), ApiUsage()
    summary = RunSummary(job, as_of)
    ledger = services.ledger
    with ledger.job_lock("partnersync") as held:
        if not held:
            summary.outcome = "skipped"  # another replica is running a job
            return summary
        abandoned = ledger.close_abandoned_runs()
        if abandoned:
            log.warning("run.abandoned_closed", count=abandoned)
        run_id = ledger.start_run(job, as_of)
        try:
            work(run_id, summary)
        except BaseException as error:
            summary.outcome = outcome_of(error)
            summary.error = f"{type(error).__name__}: {error}"
            raise
        finally:
            summary.retries, summary.rate_limited = usage.since()
            summary.seconds = time.monotonic() - started
            ledger.finish_run(run_id, summary.outcome, summary.log_fields(), summary.error)
            summary.record_metrics()
            if on_summary is not None:
                on_summary(summary)
    return summary


def outcome_of(error: BaseException) -> str:
    if isinstance(error, DailyLimitReached | RetriableUpstreamError | KeyboardInterrupt):
        return "stopped"
    return "failed"


def run_sync(services: Services, as_of: datetime, *, force_full: bool = False,
             job: str = "sync", progress: Progress | None = None,
             on_summary: Callable[[RunSummary], None] | None = None) -> RunSummary:
    def work(run_id: int, summary: RunSummary) -> None:
        cycle(services, run_id, as_of, summary, force_full=force_full, progress=progress)

    return run_job(services, job, as_of, work, on_summary)
