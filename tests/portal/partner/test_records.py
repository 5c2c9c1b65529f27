"""Customers, commission lines, payouts, statements and the referral link of the small
portal's partners: literals from tests/e2e/fixtures/small_portal (README and
tests/e2e/test_small_portal.py), never the code's own answers."""

from __future__ import annotations

import re
from pathlib import Path

from sync.portal.app import create_portal
from sync.wiring import Services
from tests.portal.conftest import sign_in_as_partner
from tests.portal.partner.conftest import (
    ATELIER,
    CAMILLE,
    NOW,
    NUAGE,
    PREMIER,
    WITHOUT_LINK,
    SignIn,
    services_on,
)
from tests.portal.partner.pages import Page

CUSTOMER_HEADER = ["Domain", "Source", "Converted at", "Attribution",
                   "Months of commission left", "Basis of 2026-04"]
FROZEN = "attributed, frozen (R10a)"  # every won customer has a line in a payout


def page(signed_in: SignIn, partner_id: str, path: str) -> Page:
    response = signed_in(partner_id).get(path)
    assert response.status_code == 200, path
    return Page(response.get_data(as_text=True))


def test_customers_with_their_window_and_last_basis(signed_in: SignIn) -> None:
    # R13: 24 months from 2026-02 end with 2028-01, 21 months after April 2026; from
    # 2026-04, 2028-03: 23 months. Bases of April: 500.00 and 13000.00 / 12 = 1083.33.
    assert page(signed_in, NUAGE, "/customers").rows("customers") == [
        CUSTOMER_HEADER,
        ["fromagerie-alpine.example", "Deal registration", "2026-02-10", FROZEN, "21",
         "€500.00"],
        ["studio-orbite.example", "Referral link", "2026-04-02", FROZEN, "23", "€1,083.33"],
    ]
    # 12 months from 2026-01 end with 2026-12: 8 after April.
    assert page(signed_in, ATELIER, "/customers").rows("customers")[1:] == [
        ["brasserie-lune.example", "Referral link", "2026-01-05", FROZEN, "8", "€200.00"]]
    # Flat (R15): its one line in February, nothing left and no line in April.
    assert page(signed_in, CAMILLE, "/customers").rows("customers")[1:] == [
        ["cave-saint-roch.example", "Referral link", "2026-02-03", FROZEN, "0", "no line"]]
    assert page(signed_in, PREMIER, "/customers").rows("customers")[1:] == [
        ["veto-azur.example", "Deal registration", "2026-01-12", FROZEN, "permanent",
         "€245.50"]]


NUAGE_APRIL = [
    ["vmcl_7102_cus_e2eC2Partner_2026-04_recurring", "Recurring", "€125.00", "In a payout",
     "R11 basis 500.00 (sub_e2eC2Partner: 500.00) x R12 25% (partner) = 125.00; "
     "month 3/24 (R13)"],
    ["vmcl_7102_cus_e2eC3Bonus_2026-04_recurring", "Recurring", "€325.00", "In a payout",
     "R11 basis 1083.33 (sub_e2eC3Bonus: 1083.33) x R12 30% (partner + bonus) = 325.00; "
     "month 1/24 (R13)"],
]


def test_lines_by_month_default_to_the_latest(signed_in: SignIn) -> None:
    shown = page(signed_in, NUAGE, "/lines")
    assert shown.rows("lines") == [
        ["Line", "Kind", "Amount", "Status", "Explanation"], *NUAGE_APRIL,
        ["Total", "€450.00", ""]]
    assert shown.text("month") == "2026-04 2026-03 2026-02"
    march = page(signed_in, NUAGE, "/lines?month=2026-03").rows("lines")
    assert march[1:] == [
        ["vmcl_7102_cus_e2eC2Partner_2026-03_recurring", "Recurring", "€100.00", "Paid",
         "R11 basis 400.00 (sub_e2eC2Partner: 400.00) x R12 25% (partner) = 100.00; "
         "month 2/24 (R13)"],
        ["Total", "€100.00", ""]]
    empty = page(signed_in, NUAGE, "/lines?month=2025-01")
    assert "No line in 2025-01." in empty.text("main")


def test_a_malformed_month_is_refused_with_the_reason(signed_in: SignIn) -> None:
    response = signed_in(NUAGE).get("/lines?month=2026-13")
    assert response.status_code == 400
    shown = Page(response.get_data(as_text=True))
    assert shown.text("error") == "The month must be written YYYY-MM, such as 2026-04."
    assert shown.rows("lines")[1:] == [*NUAGE_APRIL, ["Total", "€450.00", ""]]


def test_a_line_with_its_explanation_and_versions(signed_in: SignIn) -> None:
    shown = page(signed_in, NUAGE, "/lines/vmcl_7102_cus_e2eC3Bonus_2026-04_recurring")
    assert shown.text("line") == (
        "Customer cus_e2eC3Bonus Month 2026-04 Kind Recurring Tier (R12) Partner "
        "Rate (R12) 30% Basis (R11) €1,083.33 Amount €325.00 Status In a payout "
        "Payout vmcpo_7102_2026-04")
    assert shown.text("explanation") == (
        "R11 basis 1083.33 (sub_e2eC3Bonus: 1083.33) x R12 30% (partner + bonus) = 325.00; "
        "month 1/24 (R13)")
    versions = shown.rows("versions")
    assert [row[:2] + row[3:4] for row in versions[1:]] == [
        ["1", "created", "€325.00"], ["2", "assigned", "€325.00"]]


def test_payouts_with_status_and_transfer(signed_in: SignIn, services: Services) -> None:
    transfers = {event.payout_id: event.data["transfer_id"]
                 for event in services.ledger.audit_events(NUAGE)
                 if event.action == "transfer_created"}
    rows = page(signed_in, NUAGE, "/payouts").rows("payouts")
    assert rows == [
        ["Payout", "Payout point", "Amount", "Status", "Stripe transfer", "Statement"],
        # 125.00 + 325.00 = 450.00 > 300.00: waits for finance (R25).
        ["vmcpo_7102_2026-04", "2026-04", "€450.00", "Waiting for approval", "",
         "Statement · CSV"],
        # 125.00 + 100.00 = 225.00 <= 300.00: approved at once, paid by transfer (R26).
        ["vmcpo_7102_2026-03", "2026-03", "€225.00", "Paid",
         transfers["vmcpo_7102_2026-03"], "Statement · CSV"],
    ]
    assert re.fullmatch(r"tr_\w+", rows[2][4])
    camille = page(signed_in, CAMILLE, "/payouts").rows("payouts")
    assert camille[1][:5] == ["vmcpo_7103_2026-03", "2026-03", "€100.00",
                              "Approved, to be paid by bank transfer", ""]


def test_holds_show_their_cause_never_finance_words(signed_in: SignIn,
                                                    services: Services) -> None:
    services.ledger.hold_payout("vmcpo_7102_2026-04", "invoice 4711 disputed", "alice")
    services.ledger.wait_for_confirmation(
        NUAGE, "acct_9New", "destination_changed: HubSpot shows acct_9New, the confirmed "
        "destination is acct_e2eNuage0001; no transfer to either until finance confirms one "
        "(R32)", "destination_changed")
    response = signed_in(NUAGE).get("/payouts")
    rows = Page(response.get_data(as_text=True)).rows("payouts")
    assert rows[1][3] == (
        "On hold Your payout account is waiting for the programme's confirmation (R32). "
        "Held by the programme's finance team (R35); contact the programme to know more.")
    html = response.get_data(as_text=True)
    for secret in ("alice", "4711", "acct_9New", "acct_e2eNuage0001"):
        assert secret not in html


def test_a_printable_statement(signed_in: SignIn) -> None:
    shown = page(signed_in, NUAGE, "/payouts/vmcpo_7102_2026-03")
    assert shown.text("statement-amount") == "€225.00"
    assert shown.rows("statement-lines") == [
        ["Line", "Month", "Amount", "Explanation"],
        ["vmcl_7102_cus_e2eC2Partner_2026-02_recurring", "2026-02", "€125.00",
         "R11 basis 500.00 (sub_e2eC2Partner: 500.00) x R12 25% (partner) = 125.00; "
         "month 1/24 (R13)"],
        ["vmcl_7102_cus_e2eC2Partner_2026-03_recurring", "2026-03", "€100.00",
         "R11 basis 400.00 (sub_e2eC2Partner: 400.00) x R12 25% (partner) = 100.00; "
         "month 2/24 (R13)"],
        ["Total", "€225.00", ""]]


def test_the_statement_as_csv(signed_in: SignIn) -> None:
    response = signed_in(NUAGE).get("/payouts/vmcpo_7102_2026-03/statement.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="statement-vmcpo_7102_2026-03.csv"')
    assert response.get_data(as_text=True) == (
        "line_id,month,kind,customer_id,deal_id,tier,rate,basis_eur,amount_eur,explanation\r\n"
        "vmcl_7102_cus_e2eC2Partner_2026-02_recurring,2026-M02,recurring,cus_e2eC2Partner,"
        "8202,partner,0.25,500.00,125.00,R11 basis 500.00 (sub_e2eC2Partner: 500.00) x R12 "
        "25% (partner) = 125.00; month 1/24 (R13)\r\n"
        "vmcl_7102_cus_e2eC2Partner_2026-03_recurring,2026-M03,recurring,cus_e2eC2Partner,"
        "8202,partner,0.25,400.00,100.00,R11 basis 400.00 (sub_e2eC2Partner: 400.00) x R12 "
        "25% (partner) = 100.00; month 2/24 (R13)\r\n"
        "total,,,,,,,,225.00,payout vmcpo_7102_2026-03: 2 lines\r\n")


def test_the_referral_link_from_the_programme_file(signed_in: SignIn) -> None:
    shown = page(signed_in, NUAGE, "/referral")
    assert shown.attributes["referral-link"]["value"] == "https://vmcloud.fr/?ref=NUAGE"
    assert "Your referral code: NUAGE" in shown.text("main")


def test_without_a_referral_link_the_page_says_so(world_ledger: Path, tmp_path: Path) -> None:
    services = services_on(world_ledger, tmp_path, WITHOUT_LINK)
    try:
        client = create_portal(services, clock=lambda: NOW).test_client()
        sign_in_as_partner(client, services, ATELIER)
        shown = Page(client.get("/referral").get_data(as_text=True))
        assert shown.text("no-link") == "The programme has no referral link configured."
        assert "referral-link" not in shown.attributes
        assert "Your referral code: ATELIER" in shown.text("main")
    finally:
        services.close()
