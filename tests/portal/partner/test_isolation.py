"""A partner sees only itself (issue 15, point 2): every route with another partner's
line or payout id answers 404, as an id that exists nowhere does; the lists hold none
of the other partners' records; nothing is shown without a session."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.portal.partner.conftest import ATELIER, NUAGE, SignIn

NUAGE_LINE = "vmcl_7102_cus_e2eC2Partner_2026-03_recurring"
NUAGE_PAYOUT = "vmcpo_7102_2026-03"
OTHERS = [f"/lines/{NUAGE_LINE}", f"/payouts/{NUAGE_PAYOUT}",
          f"/payouts/{NUAGE_PAYOUT}/statement.csv"]
NOWHERE = ["/lines/vmcl_7101_cus_nobody_2026-03_recurring", "/payouts/vmcpo_7101_2026-04",
           "/payouts/vmcpo_7101_2026-04/statement.csv"]
PAGES = ["/overview", "/customers", "/lines", "/lines?month=2026-03", "/payouts",
         "/referral", "/payouts/vmcpo_7101_2026-03", "/lines/" + NUAGE_LINE.replace(
             "7102", "7101").replace("C2Partner", "C1Referral")]


@pytest.mark.parametrize("path", OTHERS + NOWHERE)
def test_another_partners_ids_answer_404(signed_in: SignIn, path: str) -> None:
    assert signed_in(ATELIER).get(path).status_code == 404


@pytest.mark.parametrize("path", OTHERS)
def test_the_owner_sees_them(signed_in: SignIn, path: str) -> None:
    assert signed_in(NUAGE).get(path).status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_the_lists_hold_nothing_of_the_others(signed_in: SignIn, path: str) -> None:
    response = signed_in(ATELIER).get(path)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    for other in ("7102", "7103", "7104", "Nuage", "fromagerie", "cus_e2eC2Partner"):
        assert other not in html, (path, other)


@pytest.mark.parametrize("path", PAGES + OTHERS)
def test_nothing_without_a_session(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sign-in")
