"""English or French: by Accept-Language, or by the switch, remembered in a cookie."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_accept_language_chooses_french(client: FlaskClient) -> None:
    page = client.get("/sign-in", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    text = page.get_data(as_text=True)
    assert '<html lang="fr">' in text
    assert "<h1>Connexion au portail partenaires</h1>" in text


def test_english_is_the_default_and_for_other_languages(client: FlaskClient) -> None:
    for asked in ({}, {"Accept-Language": "de-DE,de;q=0.9"}):
        text = client.get("/sign-in", headers=asked).get_data(as_text=True)
        assert '<html lang="en">' in text
        assert "<h1>Sign in to the partner portal</h1>" in text


def test_the_switch_overrides_the_browser_and_is_remembered(client: FlaskClient) -> None:
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}
    switched = client.get("/sign-in?lang=fr", headers=english_browser)
    assert "<h1>Connexion au portail partenaires</h1>" in switched.get_data(as_text=True)
    cookie = next(value for value in switched.headers.get_all("Set-Cookie")
                  if value.startswith("partnersync_lang="))
    assert cookie.startswith("partnersync_lang=fr;")
    later = client.get("/sign-in", headers=english_browser).get_data(as_text=True)
    assert '<html lang="fr">' in later
    assert '<a href="/sign-in?lang=en" lang="en" hreflang="en">English</a>' in later
    back = client.get("/sign-in?lang=en", headers=english_browser).get_data(as_text=True)
    assert "<h1>Sign in to the partner portal</h1>" in back


def test_an_unknown_language_is_ignored(client: FlaskClient) -> None:
    page = client.get("/sign-in?lang=xx", headers={"Accept-Language": "fr"})
    assert '<html lang="fr">' in page.get_data(as_text=True)
    assert not any(value.startswith("partnersync_lang=")
                   for value in page.headers.get_all("Set-Cookie"))


def test_error_pages_are_translated(client: FlaskClient) -> None:
    page = client.get("/nowhere", headers={"Accept-Language": "fr"})
    assert page.status_code == 404
    assert "<h1>Page introuvable</h1>" in page.get_data(as_text=True)
