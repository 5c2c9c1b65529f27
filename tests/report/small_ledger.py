"""A small programme whose report figures are worked out by hand (tests/report).

Three partners (tiers at their defaults, docs/configuration.md), each with one
registered customer paying the same EUR amount on the 1st of January, February and
March 2025, plus a direct customer and one paying only in USD (R19):

| customer | partner (tier) | MRR | commission a month |
|---|---|---|---|
| cus_a | 7 Agence Lumière (partner, 25%, monthly, minimum 200.00) | 1,000.00 | 250.00 |
| cus_b | 8 Nuage & Fils <SARL> (referral, 20%, quarterly, minimum 100.00) | 500.00 | 100.00 |
| cus_c | 9 Julien Moreau - Nuage Conseil et Associés (partner) | 880.00 | 220.00 |
| cus_z | direct | 2,000.00 | - |
| cus_u | direct, USD only: 2 invoices excluded (R19) | - | - |

Three syncs close January, February and March (the ledger's clock is each month's
1st, 06:00 UTC): payouts vmcpo_7_2025-01/02/03 (250.00), vmcpo_9_2025-01/02/03
(220.00), vmcpo_8_2025-03 (300.00: the quarter's three lines). Finance then pays
vmcpo_7_2025-01 on 10 February, vmcpo_7_2025-02 on 5 March and vmcpo_9_2025-01 on
20 March (by hand); on 2 April vmcpo_9_2025-02 fails, vmcpo_9_2025-03 is held,
vmcpo_8_2025-03 waits to be paid by hand and vmcpo_7_2025-03 waits for approval.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sync.config.programme_file import default_programme
from sync.domain.inputs import Customer, Inputs, Tier
from sync.engine.decide import decide
from sync.ledger import Ledger
from sync.report.data import ReportData, build_report
from tests.engine.builders import (
    at,
    inputs,
    invoice,
    line,
    month_bounds,
    monthly_invoices,
    partner,
    registration,
)
from tests.ledger.conftest import Clock

LONG_NAME = "Julien Moreau - Nuage Conseil et Associés"  # 41 characters
ODD_NAME = "Nuage & Fils <SARL>"
GENERATED_AT = datetime(2025, 4, 2, 12, 0, tzinfo=UTC)


def small_inputs() -> Inputs:
    partners = [replace(partner("7"), name="Agence Lumière"),
                replace(partner("8", tier=Tier.REFERRAL), name=ODD_NAME),
                replace(partner("9"), name=LONG_NAME)]
    deals = [registration("1", "cus_a", "7", "2024-12-20"),
             registration("2", "cus_b", "8", "2024-12-20"),
             registration("3", "cus_c", "9", "2024-12-20")]
    customers = [Customer("cus_a", name="Boréal Analytics"), Customer("cus_b"),
                 Customer("cus_c"), Customer("cus_z"), Customer("cus_u")]
    invoices = [*monthly_invoices("cus_a", 100000, "2025-01", 3, sub="sub_a"),
                *monthly_invoices("cus_b", 50000, "2025-01", 3, sub="sub_b"),
                *monthly_invoices("cus_c", 88000, "2025-01", 3, sub="sub_c"),
                *monthly_invoices("cus_z", 200000, "2025-01", 3, sub="sub_z"),
                *(invoice("cus_u", f"{month}-01T09:00:00",
                          [line(30000, *month_bounds(month), item="si_u", sub="sub_u")],
                          currency="usd", iid=f"in_usd_{month}")
                  for month in ("2025-01", "2025-02"))]
    return inputs(partners, deals, customers, invoices)


def _sync(ledger: Ledger, clock: Clock, data: Inputs, as_of: str) -> None:
    clock.instant = at(as_of).replace(hour=6)
    run_id = ledger.start_run("sync", at(as_of))
    ledger.record_decisions(run_id, decide(data, ledger.load_state(), at(as_of),
                                           default_programme()))
    ledger.finish_run(run_id, "succeeded", {})


def _paid_by_hand(ledger: Ledger, clock: Clock, payout_id: str, when: str) -> None:
    clock.instant = at(when)
    ledger.approve(payout_id, "ana@finance")
    ledger.mark_manual_pending(payout_id)
    ledger.mark_paid(payout_id, "bob", "SEPA")


def small_report(database: Path) -> ReportData:
    """The March 2025 report of the ledger above, built as ``partnersync report`` does."""
    data, clock = small_inputs(), Clock()
    ledger = Ledger.open(f"sqlite:///{database}", clock=clock)
    try:
        ledger.migrate()
        _sync(ledger, clock, data, "2025-02-01")
        _paid_by_hand(ledger, clock, "vmcpo_7_2025-01", "2025-02-10T10:00:00")
        _sync(ledger, clock, data, "2025-03-01")
        _paid_by_hand(ledger, clock, "vmcpo_7_2025-02", "2025-03-05T10:00:00")
        _paid_by_hand(ledger, clock, "vmcpo_9_2025-01", "2025-03-20T10:00:00")
        _sync(ledger, clock, data, "2025-04-01")
        clock.instant = at("2025-04-02T09:00:00")
        ledger.approve("vmcpo_9_2025-02", "ana@finance")
        ledger.start_payment_attempt("vmcpo_9_2025-02")
        ledger.record_failure("vmcpo_9_2025-02", "insufficient balance")
        ledger.hold_payout("vmcpo_9_2025-03", "invoice disputed", "ana@finance")
        ledger.approve("vmcpo_8_2025-03", "ana@finance")
        ledger.mark_manual_pending("vmcpo_8_2025-03")
        decisions = decide(data, ledger.load_state(), at("2025-04-01"), default_programme())
        return build_report(data, decisions, ledger.findings(), decisions.last_closed_month,
                            default_programme(), ledger.list_payouts(), GENERATED_AT)
    finally:
        ledger.close()
