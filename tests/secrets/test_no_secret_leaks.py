"""Tokens and keys never appear in logs, errors, plans, reports, exports or metrics.

``conftest.session`` drives the worker through every way a run can end (401s from both
vendors, a bad programme file, HubSpot's daily limit, 500 storms, a refused connection,
an empty platform balance and a deleted Connect account, a quarantine-heavy portal, a successful run, the dry run,
``report``, ``explain``, ``payouts``, ``serve``'s endpoints and its portal, and portal
invitations printed or mailed to a server that is not there). No secret (the two vendor
credentials, the portal's secret key, the SMTP password), nor its last 8 characters, may appear in anything any of them wrote (``scan``; its positive
control is ``test_scan_catches_leaks``).
"""

from __future__ import annotations

import pytest

from tests.secrets.conftest import Captured, Session
from tests.secrets.scan import assert_no_leak, leaks

SCENARIOS = ("hubspot setup", "hubspot 401", "stripe 401", "bad programme file",
             "bad setting", "daily limit", "dry run before any sync", "sync", "dry run",
             "report --html", "report", "explain --deal", "explain --customer", "explain line",
             "payouts list", "payouts export", "serve", "portal invite-admin",
             "portal invite by mail refused", "hubspot 500 storm", "stripe 500 storm",
             "connection refused", "in-process success")
# How each scenario must have ended: it really failed (or worked) the way it is named.
EXIT = {"hubspot 401": 2, "stripe 401": 2, "bad programme file": 2, "bad setting": 2,
        "daily limit": 3, "hubspot 500 storm": 1, "stripe 500 storm": 1,
        "connection refused": 1, "portal invite by mail refused": 3}
EVIDENCE = {
    "hubspot 401": "401", "stripe 401": "401", "bad programme file": "rate",
    "bad setting": "PARTNERSYNC_SERVE_PORT", "daily limit": "daily",
    "hubspot 500 storm": "500", "stripe 500 storm": "500", "connection refused": "onnect",
    "sync": "Quarantined records", "dry run": "Quarantined records",
    "report --html": "Quarantined records of the last run", "payouts list": "failed",
    "serve": "Sign in to the partner portal",
    "portal invite-admin": "/sign-in/",
    "portal invite by mail refused": "smtp://mailer@127.0.0.1:",
}


def test_every_scenario_ran(session: Session) -> None:
    assert sorted(session.scenarios) == sorted(SCENARIOS)


@pytest.mark.parametrize("label", SCENARIOS)
def test_scenario_ended_as_named(session: Session, label: str) -> None:
    captured: Captured = session.scenarios[label]
    assert captured.exit_code == EXIT.get(label, 0), captured.texts
    if label in EVIDENCE:
        assert EVIDENCE[label] in "\n".join(captured.texts.values()), captured.texts


@pytest.mark.parametrize("label", SCENARIOS)
def test_no_secret_in_what_the_scenario_wrote(session: Session, label: str) -> None:
    assert_no_leak(label, session.scenarios[label].texts)


@pytest.mark.parametrize("ledger", ["cli", "in-process"])
def test_no_secret_in_the_ledger(session: Session, ledger: str) -> None:
    """``runs.error``, outbox ``last_error``, payout failure reasons, findings, mirror."""
    text = session.ledgers[ledger]
    assert '"failed"' in text or "failed" in text  # failures were stored
    assert not leaks(text), leaks(text)


def test_stored_errors_are_there_and_clean(session: Session) -> None:
    text = session.ledgers["in-process"]
    assert "RetriableUpstreamError" in text or "NetworkError" in text or "500" in text
    stored = session.ledgers["cli"]
    assert "acct_bi_gone" in stored  # R26: the failed payouts' reasons
    assert "insufficient" in stored.lower()


def test_no_secret_in_metrics(session: Session) -> None:
    assert "partnersync_api_calls_total" in session.metrics
    assert not leaks(session.metrics)
