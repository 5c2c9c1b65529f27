"""The long tables a page at a time (100 rows): customers, a month's lines and a
statement's lines, on the partner-pages benchmark's world at 101 customers x 2 months
(benchmarks/portal_pages_world.py), the November payout paid.

By hand: 101 customers registered by the partner, on the stand-ins' seven monthly prices
in turn (19.00, 49.00, 99.00, 290.00, 390.00, 9.00, 1450.00 EUR), all converted on
2024-11-01 and billed for 2024-11 and 2024-12. Fourteen full turns and three more:
14 x 2306.00 + 167.00 = 32451.00 EUR a month. Partner tier (R12): 25%, 30% above
1,000.00 of basis, so the 14 GPU customers earn 30% of 20300.00 = 6090.00 and the others
25% of 12151.00 = 3037.75: 9127.75 EUR a month, one payout a month (R21). Every customer
converted at the same instant, so the order is by customer id alone: the last of 101 is
``cus_zeH0crGsqznnvD`` (client 62, a GPU customer: 30% of 1450.00 = 435.00).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from benchmarks.portal_pages import settle
from benchmarks.portal_pages_world import PARTNER_ID, Size, build
from sync.config.settings import Settings
from sync.portal.app import create_portal
from sync.wiring import Services
from tests.e2e.support import sqlite_url
from tests.portal.conftest import sign_in_as_partner
from tests.portal.partner.pages import Page

LAST = "cus_zeH0crGsqznnvD"
PAID = "vmcpo_30000000001_2024-11"
MONTH_TOTAL = "€9,127.75"
PAST_TWO = "There is no page 3 The last page of this table is page 2"


@pytest.fixture(scope="module")
def long_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    directory = tmp_path_factory.mktemp("long-tables")
    services = Services(Settings(database_url=sqlite_url(directory),
                                 portal_secret_key="long-tables-test-secret-0123456789"))
    build(services, Size(customers=101, months=2))
    settle(services, unpaid=1)
    yield services
    services.close()


@pytest.fixture(scope="module")
def client(long_world: Services) -> FlaskClient:
    signed = create_portal(long_world).test_client()
    sign_in_as_partner(signed, long_world, PARTNER_ID)
    return signed


def shown(client: FlaskClient, path: str) -> tuple[Page, str]:
    answer = client.get(path)
    assert answer.status_code == 200, path
    html = answer.get_data(as_text=True)
    return Page(html), html


def current_page(html: str) -> list[str]:
    return re.findall(r'aria-current="page" aria-label="Page (\d+)"', html)


def test_the_customers_on_two_pages(client: FlaskClient) -> None:
    first, html = shown(client, "/customers")
    rows = first.rows("customers")[1:]
    assert len(rows) == 100
    assert first.text("pages") == "Rows 1 to 100 of 101 1 2 Next page"
    assert 'aria-label="Pages of the customers"' in html
    assert current_page(html) == ["1"]
    second, html = shown(client, "/customers?page=2")
    [last] = second.rows("customers")[1:]
    assert (last[0], last[1], last[2], last[5]) == (
        "client-0062.fr", "Deal registration", "2024-11-01", "€1,450.00")
    assert second.text("pages") == "Rows 101 to 101 of 101 Previous page 1 2"
    assert current_page(html) == ["2"]
    domains = [row[0] for row in rows] + [last[0]]  # each of the 101 once, none lost
    assert len(set(domains)) == 101


def test_a_month_of_lines_keeps_its_month_and_total_on_every_page(client: FlaskClient) -> None:
    first, html = shown(client, "/lines?month=2024-12")
    assert len(first.rows("lines")) == 1 + 100 + 1  # header, lines, total
    assert first.rows("lines")[-1] == ["Total", MONTH_TOTAL, ""]
    assert re.search(r'href="/lines\?(page=2&amp;month=2024-12|month=2024-12&amp;page=2)"',
                     html)
    second, _ = shown(client, "/lines?month=2024-12&page=2")
    [line, total] = second.rows("lines")[1:]
    assert line[:4] == [f"vmcl_30000000001_{LAST}_2024-12_recurring", "Recurring", "€435.00",
                        "In a payout"]
    assert line[4].startswith("R11 basis 1450.00 (")
    assert line[4].endswith("x R12 30% (partner + bonus) = 435.00; month 2/24 (R13)")
    assert total == ["Total", MONTH_TOTAL, ""]


def test_a_statement_a_page_at_a_time_and_its_csv_whole(client: FlaskClient) -> None:
    second, html = shown(client, f"/payouts/{PAID}?page=2")
    [line, total] = second.rows("statement-lines")[1:]
    assert line[:3] == [f"vmcl_30000000001_{LAST}_2024-11_recurring", "2024-11", "€435.00"]
    assert total == ["Total", MONTH_TOTAL, ""]  # the payout's, not the page's
    assert current_page(html) == ["2"]
    answer = client.get(f"/payouts/{PAID}/statement.csv")
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert len(rows) == 1 + 101 + 1  # header, every line, total
    assert rows[-2][0] == f"vmcl_30000000001_{LAST}_2024-11_recurring"
    assert rows[-1][:1] + rows[-1][8:] == ["total", "9127.75", f"payout {PAID}: 101 lines"]


@pytest.mark.parametrize(("path", "reason"), [
    ("/customers?page=3", PAST_TWO),
    ("/lines?month=2024-12&page=3", PAST_TWO),
    (f"/payouts/{PAID}?page=3", PAST_TWO),
    ("/lines?month=2023-01&page=2", "There is no page 2 The last page of this table is page 1"),
])
def test_a_page_past_the_last_is_not_found(client: FlaskClient, path: str, reason: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    text = Page(answer.get_data(as_text=True)).text("main")
    assert f"{reason}: go back to the first one." in text


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5"])
@pytest.mark.parametrize("path", ["/customers", "/lines", f"/payouts/{PAID}"])
def test_a_malformed_page_number_is_refused_with_the_reason(client: FlaskClient, path: str,
                                                            page: str) -> None:
    answer = client.get(f"{path}?page={page}")
    assert answer.status_code == 400
    text = Page(answer.get_data(as_text=True)).text("main")
    assert "This page number cannot be read" in text
    assert "Page numbers are whole numbers from 1, such as page=2." in text



def test_the_page_links_in_french(client: FlaskClient) -> None:
    answer = client.get("/customers?page=2", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    html = answer.get_data(as_text=True)
    assert Page(html).text("pages") == "Lignes 101 à 101 sur 101 Page précédente 1 2"
    assert 'aria-label="Pages de la liste des clients"' in html
    assert 'aria-current="page" aria-label="Page 2"' in html
    refused = client.get("/customers?page=9", headers={"Accept-Language": "fr"})
    assert "La dernière page de ce tableau est la page 2 : revenez à la première." in \
        Page(refused.get_data(as_text=True)).text("main")
