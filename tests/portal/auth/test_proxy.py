"""The portal behind HTTPS and reverse proxies: forms work over https (the Referer a
browser sends under the portal's Referrer-Policy satisfies Flask-WTF's strict check),
PARTNERSYNC_PORTAL_TRUSTED_PROXIES hands the client's address, scheme and host to the
app, and the sign-in limit counts per address and link."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sync.ledger.portal import Principal
from sync.portal.app import create_portal
from sync.wiring import Services
from tests.portal.conftest import ManualClock, csrf_token, make_link, portal_settings

JUNK = "/sign-in/" + "J" * 43  # the shape of a token, of no link


def referer_sent(policy: str, page_url: str) -> str | None:
    """The Referer a browser sends with a same-origin form POST from ``page_url`` under
    ``policy`` (https://www.w3.org/TR/referrer-policy/): the full URL for
    same-origin, strict-origin-when-cross-origin, unsafe-url, no-referrer-when-downgrade;
    the origin alone for origin, strict-origin; nothing for no-referrer."""
    origin = "/".join(page_url.split("/")[:3]) + "/"
    sent = {"no-referrer": None, "origin": origin, "strict-origin": origin}
    return sent.get(policy, page_url)


def press_sign_in(client: FlaskClient, seen_at: str, link: str, *, base_url: str,
                  headers: dict[str, str] | None = None) -> TestResponse:
    """Open the link page and press its button, sending what a browser at ``seen_at``
    would; the requests reach the app at ``base_url``."""
    page = client.get(link, headers=headers, base_url=base_url)
    assert page.status_code == 200, page.get_data(as_text=True)
    referer = referer_sent(page.headers["Referrer-Policy"], seen_at + link)
    sent = {**(headers or {}), **({"Referer": referer} if referer else {})}
    return client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True))},
                       headers=sent, base_url=base_url)


def test_signing_in_over_https_works_as_a_browser_does_it(tmp_path: Path) -> None:
    services = Services(portal_settings(tmp_path, portal_url="https://portal.test"))
    try:
        app = create_portal(services, clock=ManualClock())
        client = app.test_client()
        link = make_link(client, services, Principal.partner("30000000001"))
        answer = press_sign_in(client, "https://portal.test", link,
                               base_url="https://portal.test")
        assert answer.status_code == 303, answer.get_data(as_text=True)
        assert "Secure" in answer.headers["Set-Cookie"]
        assert answer.headers["Referrer-Policy"] == "same-origin"
        home = client.get("/", follow_redirects=True, base_url="https://portal.test")
        assert "Signed in as partner 30000000001" in home.get_data(as_text=True)
    finally:
        services.close()


def test_behind_a_trusted_proxy_the_forwarded_scheme_and_host_are_the_portal_s(
        tmp_path: Path) -> None:
    """TLS ends at the proxy, which talks plain http to the portal and says so."""
    services = Services(portal_settings(tmp_path, portal_url="https://partners.example.com",
                                        portal_trusted_proxies=1))
    try:
        app = create_portal(services, clock=ManualClock())
        client = app.test_client()
        link = make_link(client, services, Principal.partner("30000000001"))
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "partners.example.com",
                     "X-Forwarded-For": "203.0.113.7"}
        page = client.get(link, headers=forwarded, base_url="http://10.0.0.5:9110")
        token = csrf_token(page.get_data(as_text=True))
        # seen as https: Flask-WTF checks the Referer against the forwarded host
        elsewhere = client.post(link, data={"csrf_token": token}, base_url="http://10.0.0.5:9110",
                                headers={**forwarded, "Referer": "https://elsewhere.example/"})
        assert elsewhere.status_code == 400
        answer = press_sign_in(client, "https://partners.example.com", link,
                               base_url="http://10.0.0.5:9110", headers=forwarded)
        assert answer.status_code == 303, answer.get_data(as_text=True)
        assert answer.headers["Location"] == "/"
    finally:
        services.close()


def post_junk(client: FlaskClient, times: int, address: str | None = None) -> list[int]:
    headers = {"X-Forwarded-For": address} if address else {}
    return [client.post(JUNK, headers=headers).status_code for _ in range(times)]


def test_junk_posted_to_one_link_does_not_lock_anyone_out_of_theirs(
        client: FlaskClient, portal_services: Services) -> None:
    """Behind an untrusted proxy every partner has the proxy's address: a script
    hammering a made-up link is refused, a partner pressing their own link is not."""
    client.application.config["WTF_CSRF_ENABLED"] = False
    assert post_junk(client, 11) == [404] * 10 + [429]
    link = make_link(client, portal_services, Principal.partner("30000000001"))
    assert client.post(link).status_code == 303


def test_trusted_proxies_decide_whose_address_the_limit_counts(tmp_path: Path) -> None:
    for hops, second_client in ((1, [404]), (0, [429])):
        (tmp_path / str(hops)).mkdir()
        services = Services(portal_settings(tmp_path / str(hops),
                                            portal_trusted_proxies=hops))
        try:
            app = create_portal(services, clock=ManualClock())
            app.config["WTF_CSRF_ENABLED"] = False
            client = app.test_client()
            assert post_junk(client, 11, "203.0.113.7") == [404] * 10 + [429]
            # another client behind the same proxy: its own count only when trusted
            assert post_junk(client, 1, "203.0.113.8") == second_client, hops
        finally:
            services.close()
