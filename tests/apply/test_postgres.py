"""The write-back and payment flow on PostgreSQL (skipped with the reason when
``PARTNERSYNC_TEST_POSTGRES_URL`` is unset; when it is set and the server does not
answer, they fail, as CI requires)."""

from __future__ import annotations

import pytest

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.domain.decisions import PayoutStatus
from sync.payments.transfers import run_payments
from sync.writeback.send import apply_outbox
from tests.apply.support import PAYOUT, partners, world
from tests.engine.builders import at


@pytest.mark.postgres
def test_sync_pay_and_rerun_on_postgresql(postgres_schema_url: str) -> None:
    with world(postgres_schema_url) as w:
        w.sync()
        assert apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS).failed == {}
        w.finance_sets(PAYOUT["101"], "approved")
        w.ledger.approve(PAYOUT["102"], by="finance@example.com")

        run = run_payments(w.ledger, w.hubspot, w.stripe, partners(), {}, PROPS, 9,
                           at("2025-03-02"), controls=w.finance)

        assert (run.payments.paid, run.payments.manual) == ([PAYOUT["101"]], [PAYOUT["102"]])
        assert w.ledger.get_payout(PAYOUT["101"]).status is PayoutStatus.PAID
        assert [w.hubspot_status(PAYOUT[p]) for p in ("101", "102", "103")] == [
            "paid", "manual_pending", "pending_approval"]
        assert len(w.transfers()) == 1

        assert w.sync() == 2  # partner 101's and deal 201's paid totals
        apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS)
        w.reset_calls()
        assert w.sync() == 0
        again = run_payments(w.ledger, w.hubspot, w.stripe, partners(), {}, PROPS, 10,
                             at("2025-03-03"), controls=w.finance)
        assert again.enqueued == 0 and again.applied.written == 0
        assert (w.hubspot_writes(), w.stripe_writes()) == (0, 0)
