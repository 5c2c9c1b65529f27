"""A partner in a real browser: signs in from a link, opens every page of its own
(each passes axe-core and is saved as a screenshot), downloads a payout's statement as
CSV, is refused another partner's line, payout and statement (404, as a page that does
not exist), switches to French and signs out. Agence Lumière (30000000001) in the
demo's world."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sync.ledger.models import LineRow
from sync.ledger.portal import Principal
from tests.portal.browser.axe import assert_accessible
from tests.portal.browser.conftest import click_and_wait, screenshot
from tests.portal.browser.served import Served, served_portal
from tests.portal.demo_world import record_demo_sync

CSS, TAG = "css selector", "tag name"
PARTNER = "30000000001"  # Agence Lumière
OTHER = "30000000003"  # Infogérance Rhône-Alpes
PAYOUT = "vmcpo_30000000001_2026-06"
OTHERS_PAYOUT = "vmcpo_30000000003_2025-06"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("partner-browser")
    record_demo_sync(folder / "world.db")
    with served_portal(folder, folder / "world.db") as portal:
        yield portal


def _line_of(served: Served, partner: str) -> str:
    with served.services.ledger.transaction() as session:
        return str(session.scalars(select(LineRow.id).where(LineRow.partner_id == partner)
                                   .order_by(LineRow.id).limit(1)).one())


def _heading(browser: Any) -> str:
    return str(browser.find_element(TAG, "h1").text)


def test_a_partner_signs_in_from_a_link(browser: Any, served: Served) -> None:
    browser.get(served.link(Principal.partner(PARTNER), now=datetime.now(UTC)))
    assert _heading(browser) == "Sign in to the partner portal"
    click_and_wait(browser, "main form button[type=submit]")
    assert browser.current_url == f"{served.url}/overview"
    assert _heading(browser) == "Agence Lumière"
    assert_accessible(browser)
    screenshot(browser, "partner-overview")


@pytest.mark.parametrize(("path", "heading", "name"), [
    ("/customers", "Customers", "partner-customers"),
    ("/lines", "Commission lines", "partner-lines"),
    ("/payouts", "Payouts", "partner-payouts"),
    (f"/payouts/{PAYOUT}", f"Statement {PAYOUT}", "partner-statement"),
    ("/referral", "Referral link", "partner-referral"),
])
def test_every_page_of_the_partner_is_accessible(browser: Any, served: Served, path: str,
                                                 heading: str, name: str) -> None:
    browser.get(served.url + path)
    assert _heading(browser) == heading
    if path == "/customers":  # the facts the sync recorded are there (portal_customer_facts)
        assert browser.find_elements(CSS, "table#customers tbody tr")
    assert_accessible(browser)
    screenshot(browser, name)


def test_a_line_shows_its_explanation(browser: Any, served: Served) -> None:
    line = _line_of(served, PARTNER)
    browser.get(f"{served.url}/lines/{line}")
    assert _heading(browser) == f"Line {line}"
    assert_accessible(browser)
    screenshot(browser, "partner-line")


def _downloaded(folder: Path, name: str) -> Path:
    path = folder / name
    for _ in range(100):  # Chromium writes a .crdownload first, then renames it
        if path.exists():
            return path
        time.sleep(0.1)
    raise AssertionError(f"{name} was not downloaded into {folder}: {list(folder.iterdir())}")


def test_the_statement_downloads_as_csv(browser: Any, served: Served, downloads: Path) -> None:
    browser.get(f"{served.url}/payouts")
    browser.find_element(CSS, f"#payout-{PAYOUT} a[href$='statement.csv']").click()
    path = _downloaded(downloads, f"statement-{PAYOUT}.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    payout = served.services.ledger.get_payout(PAYOUT)
    assert rows[0] == ["line_id", "month", "kind", "customer_id", "deal_id", "tier", "rate",
                       "basis_eur", "amount_eur", "explanation"]
    assert sorted(row[0] for row in rows[1:-1]) == sorted(payout.line_ids)
    assert rows[-1][0] == "total"
    assert Decimal(rows[-1][8]) * 100 == payout.amount
    assert sum(Decimal(row[8]) for row in rows[1:-1]) * 100 == payout.amount


@pytest.mark.parametrize("path", [
    f"/payouts/{OTHERS_PAYOUT}", f"/payouts/{OTHERS_PAYOUT}/statement.csv", "/lines/{line}",
    "/admin",
])
def test_another_partners_ids_are_refused(browser: Any, served: Served, downloads: Path,
                                          path: str) -> None:
    browser.get(served.url + path.format(line=_line_of(served, OTHER)))
    assert _heading(browser) == "Page not found"
    assert OTHER not in browser.find_element(TAG, "main").text
    assert not list(downloads.glob(f"*{OTHERS_PAYOUT}*"))


def test_the_not_found_page_is_accessible(browser: Any, served: Served) -> None:
    browser.get(f"{served.url}/payouts/{OTHERS_PAYOUT}")
    assert_accessible(browser)
    screenshot(browser, "not-found")


def test_the_language_switch_and_sign_out(browser: Any, served: Served) -> None:
    browser.get(f"{served.url}/payouts")
    click_and_wait(browser, "nav.languages a[hreflang='fr']")
    assert browser.find_element(TAG, "html").get_attribute("lang") == "fr"
    assert _heading(browser) == "Versements"
    assert_accessible(browser)
    screenshot(browser, "partner-payouts-fr")
    click_and_wait(browser, "form.sign-out button")
    browser.get(f"{served.url}/overview")
    assert browser.current_url.startswith(f"{served.url}/sign-in")
