"""The overview in French: the words from the catalogue (# area: partner), amounts as
Babel writes euros in French (no-break spaces: U+202F between thousands, U+00A0 before
the sign)."""

from __future__ import annotations

from tests.portal.partner.conftest import NUAGE, SignIn
from tests.portal.partner.pages import Page


def test_the_overview_in_french(signed_in: SignIn) -> None:
    client = signed_in(NUAGE)
    response = client.get("/overview", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    html = response.get_data(as_text=True)
    assert '<html lang="fr"' in html
    page = Page(html)
    assert (page.text("tier"), page.text("eligible-tier")) == ("Partner", "Partner (2026-04)")
    assert (page.text("accrued"), page.text("paid"), page.text("balance")) == (
        "675,00\u00a0€", "225,00\u00a0€", "450,00\u00a0€")
    assert page.text("progress") == (
        "2\u202f483,33\u00a0€ sur 5\u202f000,00\u00a0€ de chiffre d'affaires sur les "
        "12 derniers mois 2 sur 10 clients actifs")
    assert page.text("next-point") == (
        "fin 2026-05 : minimum 200,00\u00a0€, 0,00\u00a0€ en attente (sous le minimum : "
        "reporté (R22))")
    assert "Solde (non payé)" in html
    assert "Et : certification : pas encore" in page.text("main")
