"""The payment job (every 15 minutes): finance's HubSpot moves, then R26 transfers.

Thin: partners from the mirror, ``sync.payments.run_payments`` does the rest (read
finance's approvals back, pay approved and failed payouts, show what moved in HubSpot).
"""

from __future__ import annotations

from datetime import UTC, datetime

from jobs.cycle import run_job
from jobs.summary import RunSummary
from mappings.hubspot import partners_from_companies
from sync.inputs import Mirrored
from sync.payments import run_payments
from sync.wiring import Services


def run_pay(services: Services) -> RunSummary:
    now = datetime.now(UTC)

    def work(run_id: int, summary: RunSummary) -> None:
        found, _ = partners_from_companies(services.mirror.records(Mirrored.HUBSPOT_PARTNER),
                                           services.props)
        partners = {partner.id: partner for partner in found}
        result = run_payments(services.ledger, services.hubspot, services.stripe, partners, {},
                              services.props, run_id, now)
        summary.finance_transitions = len(result.finance.applied)
        summary.transfers = len(result.payments.paid) + len(result.payments.adopted)
        summary.payment_failures = len(result.payments.failed)
        summary.manual_payouts = len(result.payments.manual)
        summary.writes_planned = result.enqueued
        summary.writes_sent, summary.writes_failed = (result.applied.written,
                                                      len(result.applied.failed))

    return run_job(services, "pay", now, work)
