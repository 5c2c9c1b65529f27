"""/admin/payouts: payouts waiting for approval, whose word each waits for and the
command that gives it (R25, R33); payouts on hold apart (R35). The demo's programme
approves up to 300.00 EUR at once and asks two approvals above 900.00 EUR."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from sync.domain.decisions import PayoutStatus
from sync.wiring import Services
from tests.portal.admin.pages import grouped, rows_under, text
from tests.portal.conftest import sign_in_as_admin

MANAGER = "manager@vmcloud.example"
SMALL = "vmcpo_30000000003_2025-06"  # Infogérance Rhône-Alpes, 364.50 EUR: one approval
LARGE = "vmcpo_30000000001_2026-06"  # Agence Lumière, 943.63 EUR: above 900.00, two


def _page(client: FlaskClient) -> str:
    answer = client.get("/admin/payouts")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _row(rows: list[list[str]], payout_id: str) -> list[str]:
    return next(row for row in rows if row[0] == payout_id)


def test_every_waiting_payout_is_listed_oldest_first_with_its_command(
        admin_client: FlaskClient, admin_services: Services) -> None:
    sign_in_as_admin(admin_client, admin_services, MANAGER)
    page = _page(admin_client)
    ledger = admin_services.ledger
    waiting = ledger.list_payouts(PayoutStatus.PENDING_APPROVAL)
    rows = rows_under(page, "Waiting for approval")
    assert f"Waiting for approval ({len(waiting)})" in text(page)
    assert sorted(row[0] for row in rows) == sorted(payout.id for payout in waiting)
    assert [row[2] for row in rows] == sorted(row[2] for row in rows)  # periods, oldest first
    small = ledger.get_payout(SMALL)
    assert 30000 < small.amount <= 90000  # above auto-approval, at most dual_above
    assert _row(rows, SMALL) == [
        SMALL, "Infogérance Rhône-Alpes (30000000003)", "2025-06", grouped(small.amount),
        "One approval from finance.",
        f"partnersync payouts approve {SMALL} --by manager@vmcloud.example"]
    assert ledger.get_payout(LARGE).amount > 90000
    assert _row(rows, LARGE)[4] == "Two different people; none has approved yet."
    words = text(page)
    assert "A payout above 300.00 EUR waits for finance (R25)." in words
    assert "Above 900.00 EUR it needs two approvals from two different people (R33)." in words
    assert ("Finance is an operator of the command line, or one of these HubSpot users: "
            "1001, 1002.") in words


def test_amounts_inside_french_sentences_are_written_the_french_way(
        admin_client: FlaskClient, admin_services: Services) -> None:
    sign_in_as_admin(admin_client, admin_services, MANAGER)
    words = text(admin_client.get("/admin/payouts?lang=fr").get_data(as_text=True))
    assert "Un versement de plus de 300,00 EUR attend la finance (R25)." in words
    assert ("Au-delà de 900,00 EUR, il faut deux approbations de deux personnes "
            "différentes (R33).") in words


def test_after_a_first_approval_only_someone_else_gets_the_command(
        admin_app: Flask, admin_services: Services) -> None:
    first = admin_app.test_client()
    sign_in_as_admin(first, admin_services, MANAGER)
    admin_services.ledger.approve(LARGE, MANAGER, dual_above=90000)
    assert admin_services.ledger.get_payout(LARGE).status is PayoutStatus.PENDING_SECOND_APPROVAL
    mine = _row(rows_under(_page(first), "Waiting for approval"), LARGE)
    assert mine[4:] == ["A second person: manager@vmcloud.example gave the first approval.",
                        "Someone other than you: you gave the first approval."]
    second = admin_app.test_client()
    sign_in_as_admin(second, admin_services, "Hugo.Bernard@vmcloud.example")
    theirs = _row(rows_under(_page(second), "Waiting for approval"), LARGE)
    assert theirs[5] == f"partnersync payouts approve {LARGE} --by hugo.bernard@vmcloud.example"


def test_a_held_payout_leaves_the_waiting_list_and_shows_why(
        admin_client: FlaskClient, admin_services: Services) -> None:
    sign_in_as_admin(admin_client, admin_services, MANAGER)
    admin_services.ledger.hold_payout(SMALL, "bank details to check", "alice")
    page = _page(admin_client)
    assert SMALL not in [row[0] for row in rows_under(page, "Waiting for approval")]
    held = rows_under(page, "On hold")
    assert "On hold (1)" in text(page)
    assert held == [[SMALL, "Infogérance Rhône-Alpes (30000000003)", "2025-06",
                     grouped(admin_services.ledger.get_payout(SMALL).amount),
                     "pending_approval", "held by alice: bank details to check (R35)"]]
