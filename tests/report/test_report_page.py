"""The report's HTML page in a real browser (headless Chromium): it renders, requests
nothing from outside, its charts fill the page without cutting a label, and it shows the
small ledger's figures as worked out by hand in tests/report/small_ledger.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sync.report.html import render_html
from tests.report.small_ledger import LONG_NAME, ODD_NAME, small_report

# Hand-computed for March 2025 (see small_ledger.py's table):
KPIS = {
    "Partner-sourced MRR": "2,380.00 EUR",  # 1,000.00 + 500.00 + 880.00
    "Total MRR": "4,380.00 EUR",  # + cus_z's 2,000.00; cus_u pays in USD (R19)
    "Partner-sourced share of MRR": "54.34%",  # 2,380 / 4,380 = 0.54337
    "Average MRR per partner-sourced customer": "793.33 EUR",  # 2,380.00 / 3
    "Average MRR per direct customer": "2,000.00 EUR",
    "Commission accrued in 2025-03 (lines payable in the month)": "570.00 EUR",  # 250+100+220
    # paid on 5 March (vmcpo_7_2025-02, 250.00) and 20 March (vmcpo_9_2025-01, 220.00)
    "Commission paid in 2025-03 (by payment date)": "470.00 EUR",
    # 3 x 2,380.00 = 7,140.00 over 250.00 + 250.00 + 220.00 = 720.00 paid by 31 March
    "Programme ROI to 2025-03 (partner-sourced MRR / commission paid by 2025-03-31)": "9.92x",
}
STANDINGS = [
    ["paid", "3", "720.00", "last payment 2025-03-20 10:00 UTC"],
    ["approved, paid at the next run", "0", "0.00", ""],
    ["waiting for approval", "1", "250.00", ""],  # vmcpo_7_2025-03
    ["to pay by hand", "1", "300.00", ""],  # vmcpo_8_2025-03: 3 x 100.00
    ["failed, retried at the next run", "1", "220.00", ""],  # vmcpo_9_2025-02
    ["on hold", "1", "220.00", ""],  # vmcpo_9_2025-03
]
MONTHS = [  # month, partner MRR, total MRR, share, accrued, paid by payment date
    ["2025-01", "2,380.00", "4,380.00", "54.34%", "570.00", "0.00"],
    ["2025-02", "2,380.00", "4,380.00", "54.34%", "570.00", "250.00"],
    ["2025-03", "2,380.00", "4,380.00", "54.34%", "570.00", "470.00"],
]


@pytest.fixture(scope="module")
def page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("report")
    html = folder / "report.html"
    html.write_text(render_html(small_report(folder / "ledger.db")), encoding="utf-8")
    browser.get_log("performance")  # what earlier pages requested
    browser.get(html.as_uri())
    return browser


NETWORK = ("http:", "https:", "ws:", "wss:", "ftp:")  # Chromium's own chrome:// pages aside


def _requested(browser: Any) -> list[str]:
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _cells(browser: Any, heading: str) -> list[list[str]]:
    """The rows of the table under the heading that starts with ``heading``."""
    return browser.execute_script("""
        const heading = [...document.querySelectorAll('h2')]
            .find(h => h.innerText.startsWith(arguments[0]));
        let table = heading && heading.nextElementSibling;
        while (table && table.tagName !== 'TABLE' && table.tagName !== 'H2') {
            table = table.nextElementSibling;
        }
        if (!table || table.tagName !== 'TABLE') return [];
        return [...table.tBodies[0].rows].map(row => [...row.cells].map(c => c.innerText.trim()));
    """, heading)


def test_the_page_renders_and_requests_nothing_from_outside(page: Any) -> None:
    assert page.title == "Partner programme report 2025-03"
    assert page.execute_script("return document.readyState") == "complete"
    requested = _requested(page)
    assert any(url.startswith("file://") for url in requested)  # the log does see requests
    assert [url for url in requested if url.startswith(NETWORK)] == []
    assert page.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)") == []


def test_the_kpis_are_the_hand_computed_ones(page: Any) -> None:
    shown = dict(_cells(page, "KPIs (R31)"))
    assert {label: shown.get(label) for label in KPIS} == KPIS


def test_payouts_by_status_split_what_is_not_paid_yet(page: Any) -> None:
    assert _cells(page, "Payouts by status") == STANDINGS


def test_the_month_table_counts_paid_by_payment_date(page: Any) -> None:
    assert _cells(page, "By month") == MONTHS


CHARTS = ("Partner-sourced MRR and its share of MRR", "Commission accrued vs paid by month",
          "Payouts by partner")  # their aria-label
CHART_GEOMETRY = """
const svg = document.querySelector(`svg[aria-label="${arguments[0]}"]`);
const box = svg.getBoundingClientRect();
const body = document.body, style = getComputedStyle(body);
const content = body.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
const cut = [...svg.querySelectorAll('text')].filter(text => {
  const r = text.getBoundingClientRect();
  return r.left < box.left - 0.5 || r.right > box.right + 0.5
      || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5;
}).map(text => text.textContent);
return {width: box.width, height: box.height, content: content, cut: cut,
        visible: getComputedStyle(svg).visibility === 'visible' && box.height > 100};
"""


@pytest.mark.parametrize("chart", CHARTS)
def test_each_chart_is_visible_spans_the_page_and_cuts_no_text(page: Any, chart: str) -> None:
    geometry = page.execute_script(CHART_GEOMETRY, chart)
    assert geometry["visible"], geometry
    assert geometry["width"] >= geometry["content"] - 1, geometry  # not 65% of it
    assert geometry["cut"] == [], geometry


def _texts(page: Any, chart: str) -> list[str]:
    """The chart's texts, without the tooltips inside them."""
    return page.execute_script(
        "return [...document.querySelectorAll(`svg[aria-label=\"${arguments[0]}\"] > text`)]"
        ".map(t => t.firstChild.textContent)", chart)


def _ticks(page: Any, chart: str) -> list[str]:
    """The left axis's labels: the texts left of the plot, ending with the top tick."""
    return page.execute_script("""
        const svg = document.querySelector(`svg[aria-label="${arguments[0]}"]`);
        return [...svg.querySelectorAll(':scope > text[text-anchor="end"]')]
            .filter(t => !t.getAttribute('transform') && t.textContent !== 'EUR')
            .map(t => t.textContent);
    """, chart)


def test_axes_end_at_the_first_nice_tick_above_the_data(page: Any) -> None:
    # accrued peaks at 570.00: ticks every 200 up to 600 (not up to 1,000)
    assert _ticks(page, CHARTS[1]) == ["0", "200", "400", "600"]
    # partner-sourced MRR peaks at 2,380.00: every 500 up to 2,500
    assert _ticks(page, CHARTS[0]) == ["0", "500", "1,000", "1,500", "2,000", "2,500"]


def test_partner_labels_are_whole_and_names_are_shown(page: Any) -> None:
    labels = _texts(page, CHARTS[2])
    assert f"{LONG_NAME} (9)" in labels and f"{ODD_NAME} (8)" in labels
    assert "750.00 EUR" in labels  # partner 7: 500.00 paid + 250.00 waiting
    reviews = page.execute_script(
        "return [...document.querySelectorAll('h2')].find(h => h.innerText.startsWith("
        "'Review items')).nextElementSibling.innerText")
    assert "Agence Lumière" in reviews and LONG_NAME in reviews


def test_excluded_invoices_are_summarised_with_the_ids_folded_away(page: Any) -> None:
    summary = page.execute_script(
        "return [...document.querySelectorAll('h2')].find(h => h.innerText.startsWith("
        "'Invoices excluded')).nextElementSibling.innerText")
    assert summary == ("2 invoices not in EUR take no part in conversion (R3) or the basis "
                       "(R11): USD: 2 invoices of 1 customer")
    details = page.find_element("css selector", "details")
    ids = details.find_element("css selector", "p")
    assert not ids.is_displayed()
    details.find_element("css selector", "summary").click()
    assert ids.text == "in_usd_2025-01, in_usd_2025-02"


def test_a_narrow_window_still_cuts_no_label(browser: Any, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    html.write_text(render_html(small_report(tmp_path / "ledger.db")), encoding="utf-8")
    browser.set_window_size(800, 900)
    try:
        browser.get(html.as_uri())
        for chart in CHARTS:
            geometry = browser.execute_script(CHART_GEOMETRY, chart)
            assert geometry["cut"] == [] and geometry["width"] >= geometry["content"] - 1
    finally:
        browser.set_window_size(1280, 1000)
