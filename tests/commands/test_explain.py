"""``partnersync explain``: a line, a deal, a customer, rule by rule (R4, R10, R20)."""

from __future__ import annotations

from pathlib import Path

from sync.domain.decisions import AttributionStatus, CustomerAttribution
from sync.domain.money import eur
from sync.ledger import Ledger
from tests.commands.conftest import Cli, Synced

MALFORMED_DEAL = "40000000058"  # vmc_referral_at = "next tuesday"


def _contested(synced: Synced) -> CustomerAttribution:
    """A won customer whose earlier candidate failed: two or more touches."""
    return next(a for a in synced.decisions.attributions if a.won and len(a.candidates) > 1)


def test_explain_line_prints_its_explanation_history_and_payout(
        cli: Cli, synced: Synced, ledger: Ledger) -> None:
    line = next(item for item in synced.decisions.ledger.lines if item.payout_id)
    result = cli("explain", line.id)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert line.explanation in lines  # exactly, on its own line (R20)
    assert "Explanation (R20):" in lines
    for text in (line.customer_id, line.partner_id, f"{eur(line.amount)} EUR",
                 f"{eur(line.basis)} EUR", "created", "assigned", f"Payout {line.payout_id}"):
        assert text in result.out


def test_explain_unknown_line_exits_1(cli: Cli, ledger: Ledger) -> None:
    result = cli("explain", "vmcl_1_cus_x_2026-01_recurring")
    assert result.code == 1
    assert "line vmcl_1_cus_x_2026-01_recurring is not in the ledger" in result.err


def test_explain_deal_lists_the_customers_candidates_in_r4_order(
        cli: Cli, synced: Synced, ledger: Ledger) -> None:
    customer = _contested(synced)
    losing = next(c for c in customer.candidates if c.status is not AttributionStatus.ATTRIBUTED)
    result = cli("explain", "--deal", losing.touch.deal_id)
    assert result.code == 0, result.err
    assert "R10 status" in result.out and "attributed (R4)" in result.out
    rows = [line for line in result.out.splitlines()
            if any(c.touch.deal_id in line for c in customer.candidates) and "│" in line]
    candidate_rows = [row for row in rows if row.split("│")[1].strip().isdigit()]
    assert len(candidate_rows) == len(customer.candidates)
    ordered = sorted(customer.candidates, key=lambda c: c.touch.order_key)
    for row, candidate in zip(candidate_rows, ordered, strict=True):
        assert candidate.touch.deal_id in row and candidate.status.value in row
        assert ("winner" in row) == (candidate.status is AttributionStatus.ATTRIBUTED)
    for line in synced.decisions.ledger.lines:
        if line.customer_id == customer.customer_id:
            assert line.id in result.out and line.explanation in result.out


def test_explain_deal_with_a_malformed_referral_date_shows_its_quarantine(
        cli: Cli, ledger: Ledger) -> None:
    result = cli("explain", "--deal", MALFORMED_DEAL)
    assert result.code == 0, result.err
    assert "not_linked (R10)" in result.out
    quarantine = next(line for line in result.out.splitlines() if "quarantined" in line)
    assert MALFORMED_DEAL in quarantine and "vmc_referral_at" in quarantine
    assert "next tuesday" in quarantine


def test_explain_customer_shows_deals_winner_and_lines(
        cli: Cli, synced: Synced, ledger: Ledger) -> None:
    customer = _contested(synced)
    result = cli("explain", "--customer", customer.customer_id)
    assert result.code == 0, result.err
    for candidate in customer.candidates:
        assert candidate.touch.deal_id in result.out
    assert customer.partner_id is not None and customer.partner_id in result.out
    winner = next(line for line in result.out.splitlines() if line.startswith("R4 winner"))
    assert customer.partner_id in winner
    total = sum(line.amount for line in synced.decisions.ledger.lines
                if line.customer_id == customer.customer_id)
    assert f"{eur(total)} EUR" in result.out


def test_explain_unknown_deal_or_customer_exits_1(cli: Cli, ledger: Ledger) -> None:
    deal = cli("explain", "--deal", "999")
    assert deal.code == 1 and "deal 999 is not in the data of the last sync" in deal.err
    customer = cli("explain", "--customer", "cus_nobody")
    assert customer.code == 1 and "customer cus_nobody" in customer.err


def test_explain_before_any_sync_says_what_to_run(cli: Cli, empty_ledger: Path) -> None:
    result = cli("explain", "--deal", MALFORMED_DEAL)
    assert result.code == 1
    assert "no sync has run yet; run `partnersync sync` or `partnersync demo` first" in result.err


def test_explain_needs_exactly_one_target(cli: Cli, ledger: Ledger) -> None:
    refused = cli("explain", "vmcl_x", "--deal", "1")
    assert refused.code == 2 and refused.err.startswith("partnersync: explain: ")
