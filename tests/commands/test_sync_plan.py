"""``partnersync sync``: what a plan says it compares (instant, months, ledger, revenue),
and a sync before the latest recorded one refused (docs/rules.md, Replaying the past)."""

from __future__ import annotations

import pytest

from jobs.dry_run import Plan, plan_header
from jobs.replay import metadata_then, payouts_then
from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.domain.decisions import LedgerState, PayoutStatus
from sync.domain.months import parse_month_label
from sync.ledger import Ledger, PayoutRecord, RunRecord
from sync.ledger.views import LedgerView
from tests.commands.conftest import Cli
from tests.engine.builders import at, inputs, monthly_invoices, run

LATEST = RunRecord(4, "sync", at("2026-10-01"), False, "succeeded", at("2026-10-01T00:00:02"),
                   at("2026-10-01T00:00:09"), at("2026-10-01T00:00:05"), {}, None)


def plan_at(as_of: str, *, default: bool) -> Plan:
    """cus_a, cus_b and cus_c pay 100.00 for September 2026; only cus_a has paid for
    October (on 2026-10-01 09:00); nobody is a partner's customer."""
    paying = (monthly_invoices("cus_a", 10000, "2026-09", 2)
              + monthly_invoices("cus_b", 10000, "2026-09", 1)
              + monthly_invoices("cus_c", 10000, "2026-09", 1))
    data = inputs(customers=["cus_a", "cus_b", "cus_c"], invoices=paying)
    view = LedgerView(LedgerState(), (), {}, LATEST)
    return Plan(at(as_of), run(data, as_of), data, view, as_of_default=default)


def test_a_plan_says_what_it_compares_and_why_a_month_looks_empty() -> None:
    assert plan_header(plan_at("2026-11-03T08:30:00", default=True)) == [
        "Plan as of 2026-11-03T08:30:00+00:00 (dry run: nothing was changed)",
        "  as of:    now, the default (--as-of T plans another instant); months closed up to "
        "2026-10 (the latest sync closed them up to 2026-09)",
        "  ledger:   as it stands now (latest sync recorded: run 4, sync as of "
        "2026-10-01T00:00:00+00:00)",
        "  revenue:  2026-09 from 3 customers (300.00 EUR MRR), 2026-10 from 1 customers "
        "(100.00 EUR MRR)",
        "  note:     2026-10 has revenue from 1 customers, 2026-09 from 3: a month counts the "
        "paid invoices that cover it (R11) and the newest payment read is "
        "2026-10-01T09:00:00+00:00. Customers whose 2026-10 invoice is not paid yet earn "
        "nothing for it in this plan; that is not churn, a later run adds their lines once "
        "it is paid",
        "  changes:  0 lines created, 0 replaced, 0 voided; 0 new payouts; 0 HubSpot writes, "
        "0 Stripe writes; 0 transfers, 0 held (R32)",
    ]


def test_a_month_as_full_as_the_one_before_needs_no_note() -> None:
    header = plan_header(plan_at("2026-10-01", default=False))
    assert header[1:4] == [
        "  as of:    2026-10-01T00:00:00+00:00; months closed up to 2026-09",
        "  ledger:   as it stands now (latest sync recorded: run 4, sync as of "
        "2026-10-01T00:00:00+00:00)",
        "  revenue:  2026-08 from 0 customers (0.00 EUR MRR), 2026-09 from 3 customers "
        "(300.00 EUR MRR)"]
    assert not any(line.startswith("  note:") for line in header)


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERSYNC_HUBSPOT_ACCESS_TOKEN", "pat-test")
    monkeypatch.setenv("PARTNERSYNC_STRIPE_API_KEY", "sk_test_x")
    monkeypatch.setenv("PARTNERSYNC_HUBSPOT_BASE_URL", "http://127.0.0.1:9")  # never called
    monkeypatch.setenv("PARTNERSYNC_STRIPE_API_BASE", "http://127.0.0.1:9")


def test_a_sync_before_the_latest_recorded_one_is_refused_with_the_fix(
        cli: Cli, ledger: Ledger, credentials: None) -> None:
    """The synced ledger's run is as of 2026-11-01: a sync as of 2026-03-01 would void
    every later line; only a dry run replays it. Exit 2, one line, nothing recorded."""
    runs = ledger.last_run()
    result = cli("sync", "--as-of", "2026-03-01")
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        "partnersync: configuration error: --as-of 2026-03-01T00:00:00+00:00 is before the "
        "latest recorded sync (as of 2026-11-01T00:00:00+00:00, run 1): a sync then would "
        "rewrite what later runs decided; add --dry-run to replay it against the ledger as "
        "it stood then\n")
    assert ledger.last_run() == runs


def _payout(status: PayoutStatus, held_from: PayoutStatus | None = None) -> PayoutRecord:
    return PayoutRecord("vmcpo_7_2026-09", "7", parse_month_label("2026-09"), 25000,
                        ("vmcl_a",), status, held_from=held_from)


def test_a_replay_takes_undated_worker_moves_from_the_records_it_wrote() -> None:
    """R26: a failed attempt is dated only by the payout record written after it."""
    names = PROPS.payout
    written = {"vmcpo_7_2026-09": {names.status: "failed", names.method: "",
                                   names.failure_reason: "account cannot receive transfers"}}
    failed = payouts_then([_payout(PayoutStatus.APPROVED)], written, PROPS)[0]
    assert (failed.status, failed.failure_reason, failed.method) == (
        PayoutStatus.FAILED, "account cannot receive transfers", None)
    held = payouts_then([_payout(PayoutStatus.ON_HOLD, PayoutStatus.APPROVED)], written,
                        PROPS)[0]
    assert (held.status, held.held_from) == (PayoutStatus.ON_HOLD, PayoutStatus.FAILED)
    waiting = _payout(PayoutStatus.PENDING_APPROVAL)  # only an approved payout is paid
    assert payouts_then([waiting], written, PROPS) == [waiting]
    assert payouts_then([_payout(PayoutStatus.APPROVED)], {}, PROPS) == [
        _payout(PayoutStatus.APPROVED)]


def test_a_replay_sees_the_stripe_metadata_the_worker_had_written_by_then() -> None:
    keys = PROPS.stripe_metadata
    today = {"cus_a": {keys.partner_id: "8", keys.attribution_source: "referral_link",
                       keys.attributed_at: "2026-10-05T10:00:00.000Z",
                       keys.hubspot_deal_id: "41"},
             "cus_b": {keys.partner_id: "7"}}
    written = {"cus_a": {keys.partner_id: "7", keys.attribution_source: "deal_registration"}}
    assert metadata_then(today, written, PROPS) == {
        "cus_a": {keys.partner_id: "7", keys.attribution_source: "deal_registration",
                  keys.attributed_at: "", keys.hubspot_deal_id: "41"},
        "cus_b": {keys.partner_id: "", keys.attribution_source: "", keys.attributed_at: ""}}
