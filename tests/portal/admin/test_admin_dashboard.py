"""/admin: what `partnersync report --html` shows, live, for a month the last sync
closed; a month it did not close, or not a month, is refused with the reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from sync.cli.main import main
from sync.wiring import Services
from tests.portal.admin.pages import headings, rows_under, text
from tests.portal.conftest import sign_in_as_admin, sign_in_as_partner
from tests.portal.demo_world import PROGRAMME


def _report_file(services: Services, month: str, path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("PARTNERSYNC_PROGRAMME_FILE", str(PROGRAMME))
    assert main(["report", "--month", month, "--html", str(path)]) == 0
    return path.read_text(encoding="utf-8")


def test_the_dashboard_is_the_report_of_the_last_closed_month(
        admin_client: FlaskClient, admin_services: Services, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    sign_in_as_admin(admin_client, admin_services)
    answer = admin_client.get("/admin")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "Partner programme report, 2026-10" in headings(page)  # as of 2026-11-01
    kpis = rows_under(page, "KPIs (R31)")
    assert kpis[0] == ["Partners", "13"]  # the demo's 14 but Agence Hexagone, tier cleared 2026-03
    assert ["Target share", "15%"] in kpis
    assert page.count("<svg") == 3  # the report's three charts, drawn server-side
    report = _report_file(admin_services, "2026-10", tmp_path / "report.html", monkeypatch)
    for table in ("KPIs (R31)", "Payouts by status", "By month", "Review items"):
        assert rows_under(page, table) == rows_under(report, table), table
    assert [h for h in headings(page) if h in headings(report)] == headings(report)


def test_another_closed_month_is_chosen_from_the_form(
        admin_client: FlaskClient, admin_services: Services) -> None:
    sign_in_as_admin(admin_client, admin_services)
    page = admin_client.get("/admin?month=2026-03").get_data(as_text=True)
    assert "Partner programme report, 2026-03" in headings(page)
    assert '<option value="2026-03" selected>2026-03</option>' in page
    assert '<option value="2026-10">2026-10</option>' in page
    assert '<label for="month">Month shown</label>' in page
    # only the months with data: the demo's first, 2025-05, to the last closed, 2026-10
    assert page.count("<option ") == 18
    assert re.search(r'<option value="2025-05">2025-05</option>\s*</select>', page)


@pytest.mark.parametrize(("asked", "reason"), [
    ("2026-11", "2026-11 was not closed at the last sync; the latest closed month is 2026-10."),
    ("2026-13", "2026-13 is not a month: give it as YYYY-MM, for example 2026-10."),
    ("<b>x</b>", "<b>x</b> is not a month: give it as YYYY-MM, for example 2026-10."),
    ("0001-01", "0001-01 is not a month: give it as YYYY-MM, for example 2026-10."),
    ("+202-01", "+202-01 is not a month: give it as YYYY-MM, for example 2026-10."),
    ("２０２６-03", "２０２６-03 is not a month: give it as YYYY-MM, for example 2026-10."),
    ("2025-04", "2025-04 is before the first month with data, 2025-05: choose a month from "
                "2025-05 to 2026-10."),
])
def test_a_month_the_report_cannot_show_is_refused_with_the_reason(
        admin_client: FlaskClient, admin_services: Services, asked: str, reason: str) -> None:
    sign_in_as_admin(admin_client, admin_services)
    answer = admin_client.get("/admin", query_string={"month": asked})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert reason in text(page)
    assert "<b>x</b>" not in page
    assert "<svg" not in page


def test_before_any_sync_the_dashboard_says_what_to_run(
        client: FlaskClient, portal_services: Services) -> None:
    sign_in_as_admin(client, portal_services)
    answer = client.get("/admin")
    assert answer.status_code == 200
    assert ("No sync has run yet, so there is nothing to report. Run partnersync sync, then "
            "reload this page.") in text(answer.get_data(as_text=True))


def test_the_admin_pages_are_for_signed_in_admins_only(
        admin_client: FlaskClient, admin_services: Services) -> None:
    for path in ("/admin", "/admin/partners", "/admin/payouts"):
        answer = admin_client.get(path)
        assert answer.status_code in (302, 303), path
        assert answer.headers["Location"].endswith("/sign-in"), path
    sign_in_as_partner(admin_client, admin_services, "30000000001")
    for path in ("/admin", "/admin/partners", "/admin/payouts"):
        assert admin_client.get(path).status_code == 404, path


def test_the_report_is_marked_english_inside_a_french_page(
        admin_client: FlaskClient, admin_services: Services) -> None:
    sign_in_as_admin(admin_client, admin_services)
    page = admin_client.get("/admin?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert '<div class="report" lang="en">' in page
    assert "<title>Tableau de bord du programme 2026-10 " in page
    assert '<label for="month">Mois affiché</label>' in page
