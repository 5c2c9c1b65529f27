"""Decide and record, or reuse the last decision when nothing it depends on changed
(issue 14, docs/architecture.md "Deciding only when something changed").

A sync decides again only when the mirror's inputs, the ledger's state, the programme
or the month moved since the last complete decision (``sync.ledger.marks``). Then the
decisions would be the ones already recorded and their writes already planned, so the
run reads only the partners (for paying) and skips the engine, the recording and the
planning: the cost of a sync where nothing changed is its reads. Whatever moves the
ledger while paying (a transfer, a hold) is shown as the full path shows it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import structlog

from jobs.summary import RunSummary
from mappings.hubspot.companies import partners_from_companies
from sync.domain.decisions import Decisions
from sync.domain.inputs import Inputs, Partner, Quarantined
from sync.engine.horizon import decision_horizon
from sync.engine.partner_facts import facts_from
from sync.ledger.marks import DecisionInputs, DecisionMark, load_mark, store_mark
from sync.pull.decision_content import DECIDED_TYPES
from sync.pull.mirror_inputs import ListedInvoices, Mirrored
from sync.wiring import Services
from sync.writeback.intents import Intent

log = structlog.get_logger("partnersync.cycle")
Decide = Callable[[Services, datetime, ListedInvoices | None], tuple[Inputs, Decisions]]
BuildIntents = Callable[[Services, Inputs, Decisions], list[Intent]]


@dataclass
class Decided:
    """What the rest of the run needs from the decision step. ``decisions``: None when
    the last decision was reused."""

    partners: Sequence[Partner]
    intents: Callable[[], list[Intent]]
    decisions: Decisions | None = None
    _complete: Callable[[], None] = field(default=lambda: None)

    def complete(self) -> None:
        """Once the run's writes are enqueued: mark the decision reusable, if it is."""
        self._complete()


def taken_from(services: Services) -> DecisionInputs:
    terms = services.programme  # its parts are dataclasses: their repr is their content
    programme = hashlib.sha256(repr((terms.versions, terms.approval, terms.promotion,
                                     terms.payments, terms.portal, services.props)).encode())
    return DecisionInputs(services.mirror.input_marks(DECIDED_TYPES),
                          services.ledger.generation(), programme.hexdigest())


def decide_or_reuse(services: Services, run_id: int, as_of: datetime, summary: RunSummary,
                    listed: ListedInvoices | None, *, force_full: bool,
                    decide_now: Decide, intents_for: BuildIntents,
                    phase: Callable[[str], None]) -> Decided:
    now_from = taken_from(services)
    mark = None if force_full else load_mark(services.ledger)
    if mark is not None and mark.reusable(now_from, as_of):
        return _reuse(services, mark, summary, as_of, decide_now, intents_for)
    store_mark(services.ledger, None)  # until this decision is complete
    inputs, decisions = decide_now(services, as_of, listed)
    phase("record")
    services.ledger.record_decisions(
        run_id, decisions, facts_from(decisions, inputs.deals, inputs.customers))
    at_intents: list[int] = []

    def intents() -> list[Intent]:
        built = intents_for(services, inputs, decisions)
        at_intents.append(services.ledger.generation())
        return built

    def complete() -> None:
        # The mark holds the ledger as the writes were planned from it. Paying since
        # recording moved payout statuses and controls, which ``decide`` does not read,
        # and marked a paid payout's lines paid: those lines are frozen (in a payout),
        # and ``reconcile`` carries frozen lines over as the ledger holds them (R16,
        # R17), so deciding again from this ledger gives the recorded decisions.
        if len(at_intents) == 1:
            horizon = decision_horizon(inputs, as_of, services.programme)
            store_mark(services.ledger, DecisionMark(
                replace(now_from, generation=at_intents[0]), run_id, as_of, horizon))

    return Decided(inputs.partners, intents, decisions, complete)


def _reuse(services: Services, mark: DecisionMark, summary: RunSummary, as_of: datetime,
           decide_now: Decide, intents_for: BuildIntents) -> Decided:
    log.debug("run.decision_reused", decided_by=mark.run_id, horizon=mark.horizon.isoformat())
    summary.reused_decision = mark.run_id
    _findings_of(services, mark.run_id, summary)
    partners, _ = partners_from_companies(services.mirror.records(Mirrored.HUBSPOT_PARTNER),
                                          services.props)

    def intents() -> list[Intent]:
        if services.ledger.generation() == mark.taken_from.generation:
            return []  # nothing moved: the decision's writes are planned already
        # Paying moved payouts or controls: what they show is written as after a
        # decision (the same decision: nothing it is taken from changed before paying).
        inputs, decisions = decide_now(services, as_of, None)
        return intents_for(services, inputs, decisions)

    return Decided(partners, intents)


def _findings_of(services: Services, run_id: int, summary: RunSummary) -> None:
    """The reused decision's quarantined records, reviews and unrecovered amounts are
    this run's too: the summary shows them as a deciding run would."""
    findings = services.ledger.findings(run_id)
    summary.quarantined = [Quarantined(**finding.data) for finding in findings
                           if finding.kind == "quarantined"]
    summary.reviews = sum(1 for finding in findings if finding.kind == "review")
    summary.unrecovered = sum(1 for finding in findings if finding.kind == "unrecovered")
    summary.decided = True
