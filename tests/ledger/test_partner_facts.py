"""The partner portal's read model, stored with a run's decisions (sync/ledger/facts.py):
written in the same transaction, only the rows whose content changed, a customer no
partner wins any more removed; never by a dry run. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from sync.domain.decisions import Decisions, LedgerState, TierMetrics
from sync.domain.inputs import CommissionOption, Tier, TouchKind
from sync.engine.partner_facts import ProgrammeFacts, WonCustomer
from sync.ledger import Ledger, RunStateError
from sync.ledger.facts import FACTS_CURSOR, FactsWritten, partner_metrics, won_customers
from sync.ledger.facts_models import CustomerFactsRow, PartnerFactsRow
from tests.engine.builders import at
from tests.ledger.conftest import Clock

APRIL = 2026 * 12 + 3
METRICS = TierMetrics("p1", APRIL, 2, 2, 38000, 90000, Tier.REFERRAL, 0)
ALPINE = WonCustomer("cus_a", "p1", "d1", "alpine.example", TouchKind.DEAL_REGISTRATION,
                     at("2026-02-10T09:30:00"), CommissionOption.RECURRING, True, 2028 * 12 + 1)
ORBITE = WonCustomer("cus_b", "p1", "d2", "orbite.example", TouchKind.REFERRAL_LINK,
                     None, None, False, None)
OTHER = WonCustomer("cus_c", "p2", "d3", "", TouchKind.REFERRAL_LINK,
                    at("2026-03-05"), CommissionOption.FLAT, False, None)
FACTS = ProgrammeFacts({"p1": (METRICS,)}, {"cus_a": ALPINE, "cus_b": ORBITE, "cus_c": OTHER})


def _nothing_decided(as_of: datetime) -> Decisions:
    """Decisions with no line, payout or attribution: only the facts are written."""
    return Decisions(as_of, APRIL, (), (), LedgerState(), (), (), (), (), (), (), ())


def _record(ledger: Ledger, facts: ProgrammeFacts, as_of: str = "2026-05-01"
            ) -> tuple[int, FactsWritten | None]:
    run_id = ledger.start_run("sync", at(as_of))
    written = ledger.record_decisions(run_id, _nothing_decided(at(as_of)), facts)
    ledger.finish_run(run_id, "succeeded", {})
    return run_id, written


def _rows(ledger: Ledger) -> dict[str, tuple[int, datetime]]:
    """Each stored row's (writing run, updated_at), by partner or customer id."""
    with ledger.transaction() as session:
        partners = session.execute(select(PartnerFactsRow.partner_id, PartnerFactsRow.run_id,
                                          PartnerFactsRow.updated_at))
        customers = session.execute(select(CustomerFactsRow.customer_id,
                                           CustomerFactsRow.run_id, CustomerFactsRow.updated_at))
        return {key: (run, when) for key, run, when in [*partners, *customers]}


def test_facts_are_written_with_the_decisions_and_read_back(ledger: Ledger,
                                                              clock: Clock) -> None:
    run_id, written = _record(ledger, FACTS)
    assert written == FactsWritten(partners=1, customers=3, deleted=0)
    assert ledger.get_cursor(FACTS_CURSOR) == str(run_id)
    with ledger.transaction() as session:
        assert partner_metrics(session, "p1") == (METRICS,)
        assert partner_metrics(session, "p2") == ()
        assert won_customers(session, "p1") == (ALPINE, ORBITE)  # converted first
        assert won_customers(session, "p2") == (OTHER,)
    assert _rows(ledger) == {key: (run_id, clock()) for key in ("p1", "cus_a", "cus_b", "cus_c")}


def test_an_identical_run_rewrites_no_row(ledger: Ledger, clock: Clock) -> None:
    first, _ = _record(ledger, FACTS)
    before = _rows(ledger)
    clock.advance(hours=1)
    second, written = _record(ledger, FACTS, "2026-05-02")
    assert written == FactsWritten(partners=0, customers=0, deleted=0)
    assert _rows(ledger) == before  # same run and instant on every row
    assert ledger.get_cursor(FACTS_CURSOR) == str(second) != str(first)


def test_a_changed_customer_is_rewritten_and_a_lost_one_removed(ledger: Ledger,
                                                                 clock: Clock) -> None:
    first, _ = _record(ledger, FACTS)
    created = clock()
    later = clock.advance(hours=1)
    orbite = WonCustomer("cus_b", "p1", "d2", "orbite.example", TouchKind.REFERRAL_LINK,
                         at("2026-05-01T08:00:00"), CommissionOption.FLAT, False, None)
    second, written = _record(ledger, ProgrammeFacts(
        {"p1": (METRICS,)}, {"cus_a": ALPINE, "cus_b": orbite}), "2026-05-02")
    assert written == FactsWritten(partners=0, customers=1, deleted=1)
    assert _rows(ledger) == {"p1": (first, created), "cus_a": (first, created),
                             "cus_b": (second, later)}
    with ledger.transaction() as session:
        assert won_customers(session, "p1") == (ALPINE, orbite)
        assert won_customers(session, "p2") == ()


def test_a_partner_changing_hands_moves_the_customer(ledger: Ledger) -> None:
    _record(ledger, FACTS)
    moved = WonCustomer("cus_c", "p1", "d3", "", TouchKind.REFERRAL_LINK,
                        at("2026-03-05"), CommissionOption.FLAT, False, None)
    _, written = _record(ledger, ProgrammeFacts(
        {"p1": (METRICS,)}, {"cus_a": ALPINE, "cus_b": ORBITE, "cus_c": moved}), "2026-05-02")
    assert written == FactsWritten(partners=0, customers=1, deleted=0)
    with ledger.transaction() as session:
        assert won_customers(session, "p1") == (ALPINE, moved, ORBITE)
        assert won_customers(session, "p2") == ()


def test_a_dry_run_stores_no_facts(ledger: Ledger) -> None:
    run_id = ledger.start_run("sync", at("2026-05-01"), dry_run=True)
    with pytest.raises(RunStateError):
        ledger.record_decisions(run_id, _nothing_decided(at("2026-05-01")), FACTS)
    assert _rows(ledger) == {}
    assert ledger.get_cursor(FACTS_CURSOR) is None
