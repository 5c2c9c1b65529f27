"""How a failed command ends (docs/configuration.md, "Command line"): one
``partnersync:`` line naming what to fix, the documented exit status (2 configuration,
including credentials HubSpot or Stripe refuse; 3 upstream or database unreachable;
1 anything else), never a traceback -- unless ``--debug`` asks for one -- and never a
secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.cli import failures
from sync.cli.main import main
from sync.errors import (
    AuthenticationError,
    ConfigurationError,
    DailyLimitReached,
    LedgerError,
    NetworkError,
)


def stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_a_configuration_error_is_one_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--fixtures", str(tmp_path / "nowhere")]) == 2
    assert stderr_lines(capsys) == [
        f"partnersync: configuration error: --fixtures {tmp_path / 'nowhere'}: not a directory"]


@pytest.mark.parametrize("where", [["--debug", "sandbox"], ["sandbox", "--debug"]])
def test_debug_shows_the_traceback_before_the_same_line(
        where: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*where, "--fixtures", str(tmp_path / "nowhere")]) == 2
    lines = stderr_lines(capsys)
    assert lines[0] == "Traceback (most recent call last):"
    assert any("raise ConfigurationError" in line for line in lines)
    assert lines[-1] == (f"partnersync: configuration error: --fixtures "
                         f"{tmp_path / 'nowhere'}: not a directory")


@pytest.mark.parametrize(("argv", "expected"), [
    (["payouts", "approve"], "partnersync: payouts approve: the following arguments are "
                             "required: ID (see `partnersync payouts approve --help`)"),
    (["report", "--month", "June"], "partnersync: report: argument --month: expected YYYY-MM, "
                                    "got 'June' (see `partnersync report --help`)"),
    (["report", "--month", "0001-01"],
     "partnersync: report: argument --month: year out of range in '0001-01' (from 2000 to "
     "2100) (see `partnersync report --help`)"),
    (["nonsense"], "partnersync: argument COMMAND: invalid choice: 'nonsense' (choose from "),
    (["audit", "--since", "yesterday"],
     "partnersync: audit: argument --since: expected an ISO date or datetime in UTC, e.g. "
     "2026-12-01, got 'yesterday' (see `partnersync audit --help`)"),
    (["lines", "add", "7", "--month", "2026-13", "--amount", "5.00", "--reason", "x"],
     "partnersync: lines add: argument --month: month out of range in '2026-13' "
     "(see `partnersync lines add --help`)"),
    (["lines", "add", "7", "--month", "2026-01", "--amount", "abc", "--reason", "x"],
     "partnersync: lines add: argument --amount: expected an EUR amount such as 50.00 or "
     "-25.00, got 'abc' (see `partnersync lines add --help`)"),
    (["lines", "add", "7", "--month", "2026-01", "--amount", "1.005", "--reason", "x"],
     "partnersync: lines add: argument --amount: expected an EUR amount such as 50.00 or "
     "-25.00, got '1.005' (see `partnersync lines add --help`)"),
])
def test_a_bad_argument_is_one_line_and_exit_2(
        argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 1 and lines[0].startswith(expected), lines


@pytest.mark.parametrize(("error", "status", "message"), [
    (ConfigurationError("PARTNERSYNC_SERVE_PORT: too big"), 2,
     "configuration error: PARTNERSYNC_SERVE_PORT: too big"),
    (AuthenticationError("Stripe events.list failed (HTTP 401): Invalid API Key provided: "
                         "[redacted key]", api="stripe", status=401), 2,
     "configuration error: Stripe refused PARTNERSYNC_STRIPE_API_KEY (Stripe events.list "
     "failed (HTTP 401): Invalid API Key provided: [redacted key]): set it to a valid "
     "secret or restricted key"),
    (AuthenticationError("HubSpot companies.search: HTTP 401 INVALID_AUTHENTICATION",
                         api="hubspot", status=401), 2,
     "configuration error: HubSpot refused PARTNERSYNC_HUBSPOT_ACCESS_TOKEN (HubSpot "
     "companies.search: HTTP 401 INVALID_AUTHENTICATION): set it to a valid private-app "
     "token"),
    (AuthenticationError("HubSpot schemas.list: HTTP 403 MISSING_SCOPES", api="hubspot",
                         status=403), 2,
     "configuration error: PARTNERSYNC_HUBSPOT_ACCESS_TOKEN lacks a permission (HubSpot "
     "schemas.list: HTTP 403 MISSING_SCOPES): give the private app the scopes the README "
     "lists"),
    (NetworkError("HubSpot companies.search: no answer", api="hubspot"), 3,
     "upstream unavailable: HubSpot companies.search: no answer; nothing is half-written: "
     "run again later and it resumes"),
    (DailyLimitReached("HubSpot deals.list: HTTP 429 DAILY", api="hubspot", status=429), 3,
     "upstream unavailable: HubSpot deals.list: HTTP 429 DAILY; nothing is half-written: "
     "run again later and it resumes"),
    (LedgerError("payout vmcpo_x does not exist"), 1, "payout vmcpo_x does not exist"),
    (KeyboardInterrupt(), 1, "interrupted"),
    (RuntimeError("boom"), 1, "unexpected error (RuntimeError: boom); run again with "
                              "--debug for the traceback, and report it"),
])
def test_each_kind_of_failure_has_its_status_and_line(
        error: BaseException, status: int, message: str) -> None:
    assert failures.describe(error) == failures.Failure(status, message)


def test_no_secret_and_no_second_line_in_what_is_printed(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARTNERSYNC_STRIPE_API_KEY", "bogus-SECRET-123")
    monkeypatch.setenv("PARTNERSYNC_HUBSPOT_ACCESS_TOKEN", "pat-na1-TOKEN")
    error = RuntimeError("key bogus-SECRET-123 and pat-na1-TOKEN refused\n  at postgresql://"
                         "ana:hunter2@db/ledger")
    for debug in (False, True):
        with pytest.raises(RuntimeError) as raised:
            raise error
        assert failures.report(raised.value, debug=debug) == 1
        printed = capsys.readouterr().err
        for secret in ("SECRET", "pat-na1-TOKEN", "hunter2"):
            assert secret not in printed
        last = printed.strip().splitlines()[-1]
        assert last.startswith("partnersync: unexpected error (RuntimeError: key ")
        assert "refused at postgresql://" in last  # one line, whatever the message held


def test_the_database_password_is_hidden_even_outside_a_url(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A message may repeat the password without its URL (a driver echoing a DSN's
    ``password=...``): the one list of secrets holds it too."""
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", "postgresql+psycopg://ana:Tr0ub4dor@db/ledger")
    error = RuntimeError("connect failed: dsn 'host=db user=ana password=Tr0ub4dor'")
    assert failures.report(error, debug=False) == 1
    printed = capsys.readouterr().err
    assert "Tr0ub4dor" not in printed
    assert printed == ("partnersync: unexpected error (RuntimeError: connect failed: dsn "
                       "'host=db user=ana password=[redacted]'); run again with --debug for "
                       "the traceback, and report it\n")
