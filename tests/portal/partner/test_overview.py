"""The overview of each partner of the small portal (R21-R22, R27-R30), in English.

Every figure is a literal computed by hand from tests/e2e/fixtures/small_portal (its
README, and tests/e2e/test_small_portal.py's comments): the sync ran at 2026-05-01, so
the metrics are April 2026's; the portal's clock says 2026-05-10.
"""

from __future__ import annotations

from tests.portal.partner.conftest import ATELIER, CAMILLE, NUAGE, PREMIER, SignIn
from tests.portal.partner.pages import Page


def overview(signed_in: SignIn, partner_id: str) -> Page:
    response = signed_in(partner_id).get("/overview")
    assert response.status_code == 200
    return Page(response.get_data(as_text=True))


def test_a_referral_partner_sees_its_progress_towards_partner(signed_in: SignIn) -> None:
    page = overview(signed_in, ATELIER)
    assert page.text("tier") == "Referral"
    # April 2026: 1 customer referred (C1), MRR 200.00: neither 3 nor 500.00 (R28).
    assert page.text("eligible-tier") == "Referral (2026-04)"
    assert page.text("progress") == ("1 of 3 referred clients "
                                     "€200.00 of €500.00 MRR brought")
    assert "And: qualification interview and product training: not yet" in page.text("main")
    # Lines 4 x 40.00 = 160.00; paid vmcpo_7101_2026-03, 3 x 40.00 = 120.00; 40.00 left.
    assert (page.text("accrued"), page.text("paid"), page.text("balance")) == (
        "€160.00", "€120.00", "€40.00")
    # Quarterly (referral, R21): the next point is June; April's 40.00 waits for it,
    # below the referral minimum of 100.00 (R22).
    assert page.text("next-point") == ("end of 2026-06: minimum €100.00, €40.00 waiting "
                                       "(below the minimum: carried over (R22))")


def test_a_partner_tier_partner_sees_its_progress_towards_premier(signed_in: SignIn) -> None:
    page = overview(signed_in, NUAGE)
    assert (page.text("tier"), page.text("eligible-tier")) == ("Partner", "Partner (2026-04)")
    # Premier needs trailing-12 >= 5000.00 AND 10 active AND certification (R28):
    # February 500.00 + March 400.00 + April 1583.33 = 2483.33; C2 and C3 active.
    assert page.text("progress") == ("€2,483.33 of €5,000.00 revenue over the last 12 months "
                                     "2 of 10 active clients")
    assert "All of these are needed:" in page.text("main")
    assert "And: certification: not yet" in page.text("main")
    # Lines 125.00 + 100.00 + 125.00 + 325.00 = 675.00; paid vmcpo_7102_2026-03 225.00.
    assert (page.text("accrued"), page.text("paid"), page.text("balance")) == (
        "€675.00", "€225.00", "€450.00")
    # Monthly: May's point; April's lines are in vmcpo_7102_2026-04 already: 0.00 waits.
    assert page.text("next-point") == ("end of 2026-05: minimum €200.00, €0.00 waiting "
                                       "(below the minimum: carried over (R22))")
    assert "mdf" not in page.attributes  # not premier, no MDF (R30)


def test_a_premier_partner_sees_its_mdf(signed_in: SignIn) -> None:
    page = overview(signed_in, PREMIER)
    assert page.text("tier") == "Premier"
    # R29: eligible for referral only (1 referred, MRR 245.50, trailing-12 982.00).
    assert page.text("eligible-tier") == "Referral (2026-04)"
    assert "You are at the programme's highest tier." in page.text("main")
    assert "progress" not in page.attributes
    # R30: 5% of 245.50 = 12.275 -> 12.28 per month, January to April: 49.12.
    assert page.text("mdf") == "€49.12"
    # 4 x 73.65 = 294.60; paid 3 x 73.65 = 220.95; April's 73.65 waits for May's point.
    assert (page.text("accrued"), page.text("paid"), page.text("balance")) == (
        "€294.60", "€220.95", "€73.65")
    assert page.text("next-point") == ("end of 2026-05: minimum €200.00, €73.65 waiting "
                                       "(below the minimum: carried over (R22))")


def test_a_flat_partner_with_a_payout_to_pay_by_hand(signed_in: SignIn) -> None:
    page = overview(signed_in, CAMILLE)
    # The flat 100.00 is in vmcpo_7103_2026-03, manual_pending: not paid yet.
    assert (page.text("accrued"), page.text("paid"), page.text("balance")) == (
        "€100.00", "€0.00", "€100.00")
    assert page.text("next-point") == ("end of 2026-06: minimum €100.00, €0.00 waiting "
                                       "(below the minimum: carried over (R22))")


def test_the_chart_of_monthly_commission_is_drawn_on_the_server(signed_in: SignIn) -> None:
    html = signed_in(NUAGE).get("/overview").get_data(as_text=True)
    assert '<svg viewBox="0 0 960 300" role="img" aria-label="Commission by month">' in html
    # Lines payable per month: February 125.00, March 100.00, April 125.00 + 325.00.
    for month, amount in (("2026-02", "125.00"), ("2026-03", "100.00"), ("2026-04", "450.00")):
        assert f"<title>accrued (lines payable in the month) {month}: {amount} EUR</title>" \
            in html
    assert "<script" not in html
