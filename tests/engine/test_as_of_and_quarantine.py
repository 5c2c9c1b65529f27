"""``--as-of`` semantics (docs/rules.md, replaying the past), and bad records quarantined by the engine."""

from dataclasses import replace
from datetime import datetime

import pytest

from sync.config.programme_file import default_programme
from sync.domain.decisions import LedgerState
from sync.domain.inputs import BillingInterval, Price, Quarantined, Subscription, Tier
from sync.engine.decide import decide
from tests.engine.builders import (
    at,
    history,
    inputs,
    invoice,
    line,
    month_bounds,
    monthly_invoices,
    partner,
    registration,
    run,
)

DEAL = [registration("1", "cus_a", "7", "2025-01-05")]


def test_as_of_a_date_alone_closes_the_previous_month() -> None:
    data = inputs([partner("7")], DEAL, ["cus_a"], monthly_invoices("cus_a", 10000, "2025-02", 3))
    assert run(data, "2025-03-01").last_closed_month == 2025 * 12 + 1  # February
    assert len(run(data, "2025-03-01").ledger.lines) == 1
    assert len(run(data, "2025-02-28T23:59:59.999999").ledger.lines) == 0


def test_as_of_ignores_touches_payments_history_and_ends_dated_after_it() -> None:
    tier = history(("2024-01-01", Tier.PARTNER), ("2025-06-01", Tier.PREMIER))
    late_touch = registration("2", "cus_b", "7", "2025-04-10")
    subs = (Subscription("sub_1", "cus_a", ended_at=at("2025-05-15")),)
    data = inputs([partner("7", tier=tier)], [*DEAL, late_touch], ["cus_a", "cus_b"],
                  monthly_invoices("cus_a", 10000, "2025-02", 5) + monthly_invoices("cus_b", 10000, "2025-04", 2),
                  subs)
    replay = run(data, "2025-04-01")
    assert [(ln.month % 12 + 1, ln.amount) for ln in replay.ledger.lines] == [(2, 2500), (3, 2500)]
    assert [d.status.value for d in replay.deals] == ["attributed", "not_converted"]
    # Removing everything dated after the instant changes nothing.
    cut = inputs([partner("7")], DEAL, ["cus_a", "cus_b"], monthly_invoices("cus_a", 10000, "2025-02", 2))
    assert run(cut, "2025-04-01").ledger == replay.ledger


def test_as_of_must_be_an_aware_utc_instant() -> None:
    with pytest.raises(ValueError, match="as_of must be a timezone-aware UTC datetime"):
        decide(inputs(), LedgerState(), datetime(2025, 3, 1), default_programme())


def test_quarantine_missing_price_negative_amount_unknown_currency_and_bad_period() -> None:
    feb = month_bounds("2025-02")
    good = monthly_invoices("cus_a", 10000, "2025-02", 1)
    bad = [
        invoice("cus_a", "2025-02-02", [line(10000, *feb, price="price_gone", item="si_9")], iid="in_noprice"),
        replace(invoice("cus_a", "2025-02-03", [line(500, *feb, item="si_8")], iid="in_negative"), amount_paid=-5),
        invoice("cus_a", "2025-02-04", [line(500, *feb, item="si_7")], currency="€", iid="in_currency"),
        invoice("cus_a", "2025-02-05", [line(500, feb[1], feb[0], item="si_6")], iid="in_period"),
        invoice("cus_a", "2025-02-06", [line(-500, *feb, item="si_5")], total=0, iid="in_negline"),
    ]
    decisions = run(inputs([partner("7")], DEAL, ["cus_a"], good + bad), "2025-03-01")
    assert [(q.record_id, q.field) for q in decisions.quarantined] == [
        ("in_noprice", f"lines[{bad[0].lines[0].id}].pricing.price_details.price"),
        ("in_negative", "amount_paid"),
        ("in_currency", "currency"),
        ("in_period", f"lines[{bad[3].lines[0].id}].period"),
        ("in_negline", f"lines[{bad[4].lines[0].id}].amount"),
    ]
    assert decisions.quarantined[0].message.startswith(
        "stripe invoice in_noprice: lines[")
    # The rest proceeds: the good invoice still earns its line.
    assert [ln.amount for ln in decisions.ledger.lines] == [2500]


def test_quarantine_bad_price_interval_count_and_duplicate_partner() -> None:
    prices = (Price("price_month", "eur", BillingInterval.MONTH, 1),
              Price("price_bad", "eur", BillingInterval.MONTH, 0))
    data = inputs([partner("7"), partner("7", tier=Tier.PREMIER)], DEAL, ["cus_a"],
                  monthly_invoices("cus_a", 10000, "2025-02", 1), prices=prices)
    decisions = run(data, "2025-03-01")
    assert [(q.object_type, q.record_id, q.field) for q in decisions.quarantined] == [
        ("price", "price_bad", "recurring.interval_count"), ("company", "7", "id")]
    assert [ln.amount for ln in decisions.ledger.lines] == [2500]  # first record of 7 kept


def test_quarantined_inputs_from_the_mapping_are_carried_into_the_decisions() -> None:
    item = Quarantined("hubspot", "deal", "42", "vmc_referral_at", "expected an ISO datetime", "yesterday")
    data = replace(inputs(), quarantined=(item,))
    assert run(data, "2025-03-01").quarantined == (item,)
    assert item.message == "hubspot deal 42: vmc_referral_at: expected an ISO datetime (got 'yesterday')"


def test_r18_a_negative_total_is_not_quarantined_and_contributes_nothing() -> None:
    feb = month_bounds("2025-02")
    downgrade = invoice("cus_a", "2025-02-10", [line(3000, *feb, item="si_2")], total=-500, amount_paid=0)
    data = inputs([partner("7")], DEAL, ["cus_a"], [*monthly_invoices("cus_a", 10000, "2025-02", 1), downgrade])
    decisions = run(data, "2025-03-01")
    assert decisions.quarantined == ()
    assert [(ln.basis, ln.amount) for ln in decisions.ledger.lines] == [(10000, 2500)]


def test_r1_a_partner_not_read_this_run_keeps_its_lines_and_customers_unchanged() -> None:
    data = inputs([partner("7", tier=Tier.REFERRAL), partner("8")],
                  [registration("1", "cus_a", "7", "2025-01-05"), registration("2", "cus_a", "8", "2025-01-06")],
                  ["cus_a"], monthly_invoices("cus_a", 10000, "2025-02", 2))
    first = run(data, "2025-04-01")  # quarterly referral: both lines unassigned
    assert {ln.partner_id for ln in first.ledger.lines} == {"7"}
    without_7 = replace(data, partners=(partner("8"),))
    second = run(without_7, "2025-05-01", first.ledger)
    # No void, no move to partner 8 (whose touch would now win), no unrecovered: held.
    assert second.ledger.lines == first.ledger.lines
    assert second.changes == () and second.unrecovered == ()
    assert [(r.rule, r.subject) for r in second.reviews if r.rule == "R1"] == [("R1", "7")]
