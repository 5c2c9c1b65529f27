"""The payment job (every 15 minutes): finance's HubSpot moves, then R26 transfers.

Thin: finance's approvals and manual paid marks are read back from HubSpot, approved
payouts are paid (``jobs.cycle.pay``), and HubSpot shows what moved: the payout and line
records, and -- when money moved -- the deals' and partners' totals too, from the
decisions of the last sync recomputed over the mirror (no pull, no new decision).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs.cycle import intents_for, pay, run_job
from jobs.summary import RunSummary
from mappings.hubspot import partners_from_companies
from sync.adapters.hubspot.lines import LineRecords
from sync.engine.decide import decide
from sync.payments.transfers import payout_intents
from sync.pull.mirror_inputs import Mirrored, inputs_from_mirror
from sync.wiring import Services
from sync.writeback.finance import read_back_finance
from sync.writeback.intents import Intent, ledger_intents
from sync.writeback.line_edits import revert_line_edits, since_last_look


def _moved(summary: RunSummary) -> bool:
    return bool(summary.transfers or summary.payment_failures or summary.manual_payouts
                or summary.finance_transitions)


def _line_edits(services: Services, now: datetime) -> dict[str, str]:
    """Line records edited in HubSpot since the last look: line id -> what it showed."""
    ledger = services.ledger
    overlap = timedelta(seconds=services.settings.pull_overlap_seconds)
    records = LineRecords(services.hubspot).changed(since_last_look(ledger, overlap))
    return revert_line_edits(ledger, records, services.props.commission_line, now)


def _rewrites(services: Services, edited: dict[str, str]) -> list[Intent]:
    """The ledger's values of the edited line records, written back now."""
    if not edited:
        return []
    ledger = services.ledger
    lines = [line for line in ledger.load_state().lines if line.id in edited]
    return ledger_intents(lines, (), ledger.list_payouts(), services.props)


def run_pay(services: Services) -> RunSummary:
    now = datetime.now(UTC)
    ledger, props = services.ledger, services.props

    def intents_after(summary: RunSummary) -> list[Intent]:
        last = ledger.latest_sync()  # a targeted (webhook) sync may be the latest
        if not _moved(summary) or last is None:
            return payout_intents(ledger, props)
        inputs = inputs_from_mirror(services.mirror, props)
        decisions = decide(inputs, ledger.load_state(), last.as_of, services.programme)
        return intents_for(services, inputs, decisions, ledger.list_payouts(), now)

    def work(run_id: int, summary: RunSummary) -> None:
        finance = read_back_finance(ledger, services.hubspot.payouts(), props,
                                    services.finance_controls)
        summary.finance_transitions, summary.refused = len(finance.applied), dict(finance.refused)
        summary.edited = finance.edited | _line_edits(services, now)
        found, _ = partners_from_companies(services.mirror.records(Mirrored.HUBSPOT_PARTNER),
                                           props)
        pay(services, found, run_id, now, summary,
            intents=lambda: intents_after(summary) + _rewrites(services, summary.edited))

    return run_job(services, "pay", now, work)
