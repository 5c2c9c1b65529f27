"""``partnersync report``: R31 KPIs on the terminal and as one self-contained HTML page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from html import escape
from pathlib import Path

import pytest

from sync.domain.decisions import Decisions
from sync.domain.money import eur
from sync.domain.months import month_label, month_of, parse_month_label
from sync.ledger import Ledger
from tests.commands.conftest import ODD_PARTNER_NAME, Cli, Synced


def _row(out: str, label: str) -> str:
    return next(line for line in out.splitlines() if f" {label} " in line)


def _grouped(cents: int) -> str:
    """EUR as people read it, formatted here independently of the code under test."""
    return format(Decimal(cents).scaleb(-2), ",.2f")


def _partner_mrr(decisions: Decisions, month: int) -> int:
    """R27's MRR brought, summed over partners: the won customers' bases (R11)."""
    return sum(row.mrr_brought for row in decisions.metrics if row.month == month)


def _accrued(decisions: Decisions, month: int) -> int:
    return sum(line.amount for line in decisions.ledger.lines if line.payable_month == month)


def _conversions(decisions: Decisions, month: int) -> int:
    return sum(1 for a in decisions.attributions
               if a.won and a.converted_at is not None and month_of(a.converted_at) == month)


@pytest.mark.parametrize("month", [None, "2026-03"])
def test_report_shows_the_months_kpis(cli: Cli, synced: Synced, ledger: Ledger,
                                      month: str | None) -> None:
    decisions = synced.decisions
    number = decisions.last_closed_month if month is None else parse_month_label(month)
    result = cli("report", *(["--month", month] if month else []))
    assert result.code == 0, result.err
    assert f"Programme KPIs (R31), {month_label(number)}" in result.out
    partner_mrr = _partner_mrr(decisions, number)
    assert partner_mrr > 0
    assert f"{_grouped(partner_mrr)} EUR" in _row(result.out, "Partner-sourced MRR")
    assert f"{_grouped(_accrued(decisions, number))} EUR" in _row(result.out, "Commission accrued")
    assert f" {_conversions(decisions, number)} " in _row(result.out, "Conversions (partner-sourced)")
    assert "15%" in _row(result.out, "Target share")


def test_report_counts_commission_paid_by_payment_date(
        cli: Cli, synced: Synced, ledger: Ledger, tmp_path: Path) -> None:
    """February's payout paid on 10 March counts in March; March's paid on 2 April does
    not: the ledger's clock is set to each payment's instant."""
    february, march = (next(p for p in synced.decisions.ledger.payouts
                            if p.partner_id == "30000000001" and month_label(p.month) == month)
                       for month in ("2026-02", "2026-03"))
    for payout, paid_at in ((february, datetime(2026, 3, 10, 9, tzinfo=UTC)),
                            (march, datetime(2026, 4, 2, 9, tzinfo=UTC))):
        at_payment = Ledger.open(str(ledger.engine.url), clock=lambda when=paid_at: when)
        try:
            if at_payment.get_payout(payout.id).status.value == "pending_approval":
                at_payment.approve(payout.id, "alice")
            at_payment.mark_manual_pending(payout.id)
            at_payment.mark_paid(payout.id, "bob", "SEPA-1")
        finally:
            at_payment.close()
    page = tmp_path / "report.html"
    result = cli("report", "--month", "2026-03", "--html", str(page))
    row = _row(result.out, "Commission paid in 2026-03 (by payment date)")
    assert f" {_grouped(february.amount)} EUR" in row, row
    assert "last payment 2026-04-02 09:00 UTC" in result.out
    assert (f"Paid after 2026-03, so in no month above: 1 payout, {_grouped(march.amount)} EUR, "
            "the last on 2026-04-02 09:00 UTC.") in page.read_text(encoding="utf-8")


def test_report_lists_quarantine_reviews_and_r19_exclusions(
        cli: Cli, synced: Synced, ledger: Ledger) -> None:
    result = cli("report")
    assert result.code == 0, result.err
    assert f"Quarantined records of the last run ({len(synced.decisions.quarantined)})" in result.out
    assert "next tuesday" in result.out and "40000000058" in result.out
    for review in synced.decisions.reviews:
        assert review.subject in result.out
    excluded = synced.decisions.excluded_invoices
    assert len(excluded) == 45  # fixtures/demo: three customers pay in USD
    assert ("Invoices excluded by R19 (45): 45 invoices not in EUR take no part in "
            "conversion (R3) or the basis (R11): USD: 45 invoices of 3 customers") in result.out
    assert all(invoice in result.out for invoice in excluded)
    assert "Unrecovered differences (R17): none" in result.out


def test_report_refuses_a_month_not_closed_yet(cli: Cli, ledger: Ledger) -> None:
    result = cli("report", "--month", "2026-11")
    assert result.code == 1 and "2026-11 was not closed at the last sync" in result.err


def test_report_before_any_sync_says_what_to_run(cli: Cli, empty_ledger: Path) -> None:
    result = cli("report")
    assert result.code == 1 and "no sync has run yet" in result.err


def test_report_html_is_one_self_contained_escaped_page(
        cli: Cli, synced: Synced, ledger: Ledger, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = cli("report", "--html", str(target))
    assert result.code == 0, result.err
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 3
    assert "target 15%" in page
    assert "<script" not in page and "http" not in page and "@import" not in page
    assert not re.search(r"""(src|href)\s*=""", page)
    assert escape(ODD_PARTNER_NAME) in page and ODD_PARTNER_NAME not in page
    month = synced.decisions.last_closed_month
    assert f"{_grouped(_partner_mrr(synced.decisions, month))} EUR" in page
    assert "next tuesday" in page
    assert "Partner-sourced MRR and its share of MRR" in page


def test_configuration_errors_exit_2(cli: Cli, ledger: Ledger,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERSYNC_SERVE_PORT", "not-a-port")
    result = cli("payouts", "list")
    assert result.code == 2 and "PARTNERSYNC_SERVE_PORT" in result.err


def test_report_lists_the_payouts_on_hold_and_why(cli: Cli, synced: Synced, ledger: Ledger,
                                                  tmp_path: Path) -> None:
    assert "Payouts on hold (R32, R35): none" in cli("report").out
    payout = next(p for p in synced.decisions.ledger.payouts if p.partner_id == "30000000001")
    ledger.hold_payout(payout.id, "customer <disputes> March", "claire")
    page = tmp_path / "report.html"

    result = cli("report", "--html", str(page))

    row = next(line for line in result.out.splitlines() if payout.id in line)
    assert "R35" in row and "Agence Lumière" in row and eur(payout.amount) in row
    assert "held by claire: customer <disputes> March (R35)" in result.out
    html = page.read_text(encoding="utf-8")
    assert "Payouts on hold (R32, R35) (1)" in html
    assert escape("held by claire: customer <disputes> March (R35)") in html
