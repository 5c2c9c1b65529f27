"""Every kind of bad input in the catalogue, through both sandboxes and the real SDKs.

One run holds every planted record at once (``conftest.catalogue``); each case then
checks its own records: quarantined with a reason naming the record, the field, what
was expected and what was found; listed in the run summary, in ``report`` (terminal and
HTML) and in ``explain`` for its deal or customer; or given the attribution status the
rules say (R5, R8, R10, R19). Everything else must come out as in the run without them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html import escape

import pytest

from jobs.summary import RunSummary
from sync.domain.inputs import Quarantined
from tests.badinput.catalogue import CASES, HTML_NAME, Expect, Q
from tests.badinput.conftest import Catalogue
from tests.badinput.support import AS_OF

KINDS = [case.kind for case in CASES]
TIMEOUT = 120
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def find(summary: RunSummary, wanted: Q) -> Quarantined:
    found = [item for item in summary.quarantined
             if (item.source, item.object_type, item.record_id)
             == (wanted.source, wanted.object_type, wanted.record_id)
             and wanted.field in item.field]
    assert found, f"{wanted} not quarantined; got {[q.message for q in summary.quarantined]}"
    matching = [item for item in found if wanted.reason in item.reason]
    assert matching, f"{wanted}: reasons were {[item.reason for item in found]}"
    return matching[0]


def rows_with(text: str, *parts: str) -> list[str]:
    return [line for line in text.splitlines() if all(part in line for part in parts)]


def test_the_catalogue_has_at_least_25_kinds() -> None:
    assert len(KINDS) == len(set(KINDS)) >= 25


@pytest.mark.parametrize("kind", KINDS)
def test_bad_record_is_quarantined_with_an_actionable_reason(catalogue: Catalogue,
                                                             kind: str) -> None:
    expect = catalogue.expected[kind]
    for wanted in expect.quarantined:
        item = find(catalogue.bad.summary, wanted)
        assert wanted.value in repr(item.value), (item.value, wanted.value)
        # the message alone says which record, which field, what was expected, what came
        assert item.message.startswith(f"{wanted.source} {wanted.object_type} "
                                       f"{wanted.record_id}: {item.field}: {item.reason}")
        if item.value:
            assert f"(got {item.value!r})" in item.message
        assert not CONTROL.search(item.message)  # NUL and ESC are shown escaped
        assert len(item.value) <= 80  # a 100 kB value is cut, not repeated
    quarantined = catalogue.bad.quarantined_ids()
    for record_id in expect.clean:
        assert record_id not in quarantined, f"{record_id} should not be quarantined"


@pytest.mark.parametrize("kind", KINDS)
def test_quarantine_is_listed_in_the_run_summary(catalogue: Catalogue, kind: str) -> None:
    for wanted in catalogue.expected[kind].quarantined:
        item = find(catalogue.bad.summary, wanted)
        who = f"{item.source} {item.object_type} {item.record_id}"
        assert rows_with(catalogue.bad.summary_text, who, item.field, item.reason), who


@pytest.mark.parametrize("kind", KINDS)
def test_quarantine_is_listed_in_the_report(catalogue: Catalogue, kind: str) -> None:
    bad = catalogue.bad
    for wanted in catalogue.expected[kind].quarantined:
        item = find(bad.summary, wanted)
        assert rows_with(bad.report_text, item.record_id, item.field, item.reason)
        assert escape(item.message) in bad.report_html


@pytest.mark.parametrize("kind", KINDS)
def test_explain_shows_the_status_and_the_quarantine(catalogue: Catalogue, kind: str) -> None:
    expect = catalogue.expected[kind]
    bad = catalogue.bad
    shown = ""
    if expect.deal is not None:
        shown += bad.explain_deal(expect.deal)
        if expect.status is not None:
            assert f"{expect.status} (R" in shown
    if expect.customer is not None:
        shown += bad.explain_customer(expect.customer)
    for wanted in expect.quarantined:
        item = find(bad.summary, wanted)
        assert rows_with(shown, item.record_id, item.field, item.reason), (
            f"explain does not show {item.message}")
    for text in expect.shows:
        assert text in shown


@pytest.mark.parametrize("kind", KINDS)
def test_outcome_is_what_the_rules_say(catalogue: Catalogue, kind: str) -> None:
    """The deal's R10 status (in the engine and as written to HubSpot), and only the bad
    record left out: the customer's other invoices earn their lines, as the well-formed
    control customer's do."""
    expect, bad = catalogue.expected[kind], catalogue.bad
    if expect.deal is not None and expect.status is not None:
        verdict = bad.deal_verdict(expect.deal)
        assert verdict.status.value == expect.status
        if expect.partner is not None:
            assert verdict.partner_id == expect.partner
        written = bad.world.deals()[expect.deal]  # what HubSpot now shows
        assert written["vmc_attribution_status"] == expect.status
        if expect.status == "attributed":
            assert written["vmc_attributed_partner_id"] == verdict.partner_id
    if expect.lines is not None:
        customer = expect.customer or bad.deal_verdict(str(expect.deal)).customer_id
        assert customer is not None
        control = len(bad.lines_of(catalogue.control.id))
        assert control >= 3
        wanted = {"all": control, "one month less": control - 1, "none": 0}[expect.lines]
        assert len(bad.lines_of(customer)) == wanted
    if expect.check is not None:
        expect.check(bad)


def _base_lines(catalogue: Catalogue, result_name: str) -> dict[str, int]:
    result = getattr(catalogue, result_name)
    return {line.id: line.amount for line in result.lines
            if line.partner_id in catalogue.base_partners}


def test_every_other_record_is_processed_as_without_the_bad_ones(catalogue: Catalogue) -> None:
    clean, bad = catalogue.clean, catalogue.bad
    assert clean.summary.quarantined == []
    assert len(bad.summary.quarantined) >= 35
    lines = _base_lines(catalogue, "clean")
    assert lines, "the base portal earns commission"
    assert _base_lines(catalogue, "bad") == lines
    payouts = {p.id: (p.amount, p.status, p.line_ids) for p in clean.payouts}
    assert {p.id: (p.amount, p.status, p.line_ids) for p in bad.payouts
            if p.partner_id in catalogue.base_partners} == payouts
    verdicts = {v.deal_id: v for v in clean.decisions.deals}
    assert {v.deal_id: v for v in bad.decisions.deals if v.deal_id in verdicts} == verdicts
    clean_deals, bad_deals = clean.world.deals(), bad.world.deals()
    for deal_id in catalogue.base_deals:
        assert {k: v for k, v in bad_deals[deal_id].items() if k.startswith("vmc_")} == {
            k: v for k, v in clean_deals[deal_id].items() if k.startswith("vmc_")}


def test_summary_counts_quarantine_without_contents(catalogue: Catalogue) -> None:
    summary = catalogue.bad.summary
    fields = summary.log_fields()
    assert fields["quarantined"] == len(summary.quarantined)
    assert set(fields["quarantined_by_source"]) == {"hubspot", "stripe"}
    assert f"Quarantined records ({len(summary.quarantined)})" in catalogue.bad.summary_text
    assert "\x00" not in catalogue.bad.summary_text and "\x1b" not in catalogue.bad.summary_text


def test_html_report_escapes_hostile_names(catalogue: Catalogue) -> None:
    html = catalogue.bad.report_html
    assert HTML_NAME not in html and "<script" not in html
    assert escape(HTML_NAME) in html  # the partner's payouts are charted, escaped
    assert "\x00" not in html and "\x1b" not in html


def test_the_cli_report_and_explain_show_the_catalogue(catalogue: Catalogue) -> None:
    """The same through ``python -m sync.cli`` on the bad run's ledger (no network)."""
    world = catalogue.bad.world
    html = world.fixtures / "report.html"
    env = {**os.environ, "PARTNERSYNC_DATABASE_URL": world.database_url,
           "PARTNERSYNC_PROGRAMME_FILE": str(world.programme), "COLUMNS": "3000",
           "PARTNERSYNC_LOG_FORMAT": "json"}
    report = subprocess.run([sys.executable, "-m", "sync.cli", "report", "--html", str(html)],
                            capture_output=True, text=True, env=env, timeout=TIMEOUT)
    assert report.returncode == 0, report.stderr
    count = len(catalogue.bad.summary.quarantined)
    assert f"Quarantined records of the last run ({count})" in report.stdout
    page = html.read_text(encoding="utf-8")
    assert "<script" not in page and escape(HTML_NAME) in page
    expect: Expect = catalogue.expected["company_tier_unknown_enum"]
    explain = subprocess.run(
        [sys.executable, "-m", "sync.cli", "explain", "--deal", str(expect.deal)],
        capture_output=True, text=True, env=env, timeout=TIMEOUT)
    assert explain.returncode == 0, explain.stderr
    assert "unknown_partner (R5)" in explain.stdout
    assert "expected one of referral, partner, premier" in explain.stdout
    assert AS_OF.isoformat()[:10] in report.stdout
