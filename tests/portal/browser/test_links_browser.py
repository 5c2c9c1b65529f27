"""Sign-in links in a real browser: a link works once, for 24 hours. A used link and an
expired one are refused with a page that says what to do; neither signs anyone in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sync.ledger.portal import Principal
from tests.portal.browser.axe import assert_accessible
from tests.portal.browser.conftest import click_and_wait, screenshot
from tests.portal.browser.served import Served, served_portal
from tests.portal.demo_world import record_demo_sync

CSS, TAG = "css selector", "tag name"
PARTNER = Principal.partner("30000000001")  # Agence Lumière


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("links-browser")
    record_demo_sync(folder / "world.db")
    with served_portal(folder, folder / "world.db") as portal:
        yield portal


def _press_sign_in(browser: Any) -> None:
    click_and_wait(browser, "main form button[type=submit]")


def _signed_in(browser: Any, served: Served) -> bool:
    browser.get(f"{served.url}/")
    return not browser.current_url.startswith(f"{served.url}/sign-in")


def test_a_used_link_is_refused(browser: Any, served: Served) -> None:
    link = served.link(PARTNER, now=datetime.now(UTC))
    browser.get(link)
    _press_sign_in(browser)
    assert _signed_in(browser, served)
    click_and_wait(browser, "form.sign-out button")
    assert not _signed_in(browser, served)
    browser.get(link)
    assert browser.find_element(TAG, "h1").text == "This link was already used"
    assert_accessible(browser)
    screenshot(browser, "link-used")
    assert not _signed_in(browser, served)


def test_an_expired_link_is_refused(browser: Any, served: Served) -> None:
    link = served.link(PARTNER, now=datetime.now(UTC) - timedelta(hours=24, minutes=1))
    browser.get(link)
    assert browser.find_element(TAG, "h1").text == "This link has expired"
    assert_accessible(browser)
    screenshot(browser, "link-expired")
    assert not _signed_in(browser, served)
