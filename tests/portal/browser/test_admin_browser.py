"""A programme manager in a real browser: signs in from a link, opens the dashboard
(the report's charts), the partners and the payouts to approve, switches to French and
signs out. Each page passes axe-core (no serious or critical violation) and is saved as
a screenshot in test-artifacts/portal/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from sync.ledger.portal import Principal
from tests.portal.browser.axe import assert_accessible
from tests.portal.browser.conftest import click_and_wait, screenshot
from tests.portal.browser.served import Served, served_portal
from tests.portal.demo_world import record_demo_sync

MANAGER = "manager@vmcloud.example"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("admin-browser")
    record_demo_sync(folder / "world.db")
    with served_portal(folder, folder / "world.db") as portal:
        portal.services.ledger.hold_partner("30000000002", "contract under review", "alice")
        yield portal


CSS, TAG = "css selector", "tag name"  # selenium's By.CSS_SELECTOR, By.TAG_NAME


def _heading(browser: Any) -> str:
    return str(browser.find_element(TAG, "h1").text)


def _sign_in(browser: Any, served: Served) -> None:
    browser.get(served.link(Principal.admin(MANAGER), now=datetime.now(UTC)))
    assert_accessible(browser)
    screenshot(browser, "admin-sign-in-link")
    click_and_wait(browser, "main form button[type=submit]")


def test_a_manager_signs_in_from_a_link_and_sees_the_dashboard(
        browser: Any, served: Served) -> None:
    _sign_in(browser, served)
    assert browser.current_url.startswith(f"{served.url}/admin")
    assert _heading(browser) == "Partner programme report, 2026-10"
    charts = browser.execute_script(
        "return [...document.querySelectorAll('.report figure svg')]"
        ".map(svg => svg.getBoundingClientRect().width)")
    assert len(charts) == 3 and all(width > 600 for width in charts)  # drawn, page-wide
    assert_accessible(browser)
    screenshot(browser, "admin-dashboard")


@pytest.mark.parametrize(("path", "heading", "name"), [
    ("/admin/partners", "Partners: destinations and holds", "admin-partners"),
    ("/admin/payouts", "Payouts to approve", "admin-payouts"),
])
def test_every_admin_page_is_accessible(browser: Any, served: Served, path: str,
                                        heading: str, name: str) -> None:
    click_and_wait(browser, f"nav.main-nav a[href='{path}']")
    assert browser.current_url == served.url + path
    assert _heading(browser) == heading
    assert_accessible(browser)
    screenshot(browser, name)


def test_the_held_partner_shows_the_command_that_releases_it(
        browser: Any, served: Served) -> None:
    browser.get(f"{served.url}/admin/partners")
    commands = [element.text for element in
                browser.find_elements(CSS, "code.command")]
    assert commands == ["partnersync partners release 30000000002 --by manager@vmcloud.example"]


def test_the_language_switch_shows_the_pages_in_french(browser: Any, served: Served) -> None:
    browser.get(f"{served.url}/admin/payouts")
    click_and_wait(browser, "nav.languages a[hreflang='fr']")
    assert browser.find_element(TAG, "html").get_attribute("lang") == "fr"
    assert _heading(browser) == "Versements à approuver"
    assert_accessible(browser)
    screenshot(browser, "admin-payouts-fr")
    browser.get(f"{served.url}/admin/partners")  # the choice is kept (a cookie)
    assert _heading(browser) == "Partenaires : destinations et blocages"
    click_and_wait(browser, "nav.languages a[hreflang='en']")
    assert _heading(browser) == "Partners: destinations and holds"


def test_signing_out_ends_the_session(browser: Any, served: Served) -> None:
    browser.get(f"{served.url}/admin")
    click_and_wait(browser, "form.sign-out button")
    assert browser.current_url.startswith(f"{served.url}/sign-in")
    browser.get(f"{served.url}/admin/payouts")
    assert browser.current_url.startswith(f"{served.url}/sign-in")
    assert_accessible(browser)
    screenshot(browser, "sign-in")
