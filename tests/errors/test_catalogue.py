"""The catalogue: every command of ``partnersync`` (found in the parser, so a new one is
covered too) run with broken settings ends as docs/configuration.md says -- a non-zero
status with one ``partnersync:`` line, or a real answer -- and never with a traceback
or a piece of a secret (``--debug`` is what shows tracebacks; tests/errors/
test_cli_failures.py). In-process through ``main()``; two cases also through
``python -m sync.cli``, as a user runs it."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import structlog

from sync.cli.main import build_parser, main
from sync.ledger import Ledger

ROOT = Path(__file__).resolve().parents[2]
TOKEN, KEY = "pat-na1-CATALOGUE-TOKEN", "bogus-CATALOGUE-KEY-42"
PIECES = ("CATALOGUE", "KEY-42", "bogus", "hunter2")
NOWHERE = "http://127.0.0.1:9"  # nothing listens: no scenario may get as far as calling
BY = ["--by", "ana@vmcloud.example"]
# The arguments each command needs to get past argparse; {tmp} is the test's folder.
ARGUMENTS: dict[str, list[str]] = {
    "sandbox": ["--fixtures", "{tmp}/nowhere"],
    "demo": ["--fixtures", "{tmp}/nowhere", "--database", "{tmp}/demo.db"],
    "sync": ["--as-of", "2026-11-01"],
    "serve": [],
    "hubspot setup": [],
    "payouts list": ["--partner", "30000000001"],
    "payouts approve": ["vmcpo_30000000001_2026-10", *BY],
    "payouts hold": ["vmcpo_30000000001_2026-10", "--reason", "check", *BY],
    "payouts release": ["vmcpo_30000000001_2026-10", *BY],
    "payouts mark-paid": ["vmcpo_30000000001_2026-10", "--reference", "SEPA-1", *BY],
    "payouts export": ["--output", "{tmp}/payouts.csv"],
    "partners list": [],
    "partners confirm-destination": ["30000000001", "acct_1", *BY],
    "partners hold": ["30000000001", "--reason", "check", *BY],
    "partners release": ["30000000001", *BY],
    "lines add": ["30000000001", "--month", "2026-01", "--amount", "5.00", "--reason", "x",
                  *BY],
    "audit": ["--partner", "30000000001"],
    "explain": ["--deal", "40000000009"],
    "report": ["--html", "{tmp}/report.html"],
    "doctor": [],
    "portal invite": ["30000000001", *BY],
    "portal invite-admin": ["manager@vmcloud.example", *BY],
    "portal revoke": ["30000000001", *BY],
    "portal revoke-admin": ["manager@vmcloud.example", *BY],
    "webhooks setup": [],
}
WORKER = {"sync", "serve", "hubspot setup"}  # need the credentials
STANDALONE = {"sandbox", "demo"}  # need no settings: refused for their --fixtures
CHECKLIST = {"doctor"}  # its answer is a checklist on stdout, each failure with its fix


def leaf_commands(parser: argparse.ArgumentParser, prefix: str = "") -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield from leaf_commands(command, f"{prefix} {name}".strip())
    if prefix and not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions):
        yield prefix


@dataclass(frozen=True)
class Scenario:
    """Broken settings, and the status every settings-reading command must end with
    (``None``: any, as long as a failure is one line; an empty ledger answers some)."""

    name: str
    env: dict[str, str]
    status: int | None
    ledger: bool = False  # an empty, migrated ledger at {tmp}/ledger.db
    skip: frozenset[str] = frozenset()  # commands it does not concern (they would call)


CREDENTIALS = {"PARTNERSYNC_HUBSPOT_ACCESS_TOKEN": TOKEN, "PARTNERSYNC_STRIPE_API_KEY": KEY,
               "PARTNERSYNC_HUBSPOT_BASE_URL": NOWHERE, "PARTNERSYNC_STRIPE_API_BASE": NOWHERE}
LEDGER = {"PARTNERSYNC_DATABASE_URL": "sqlite:///{tmp}/ledger.db"}
SCENARIOS = [
    Scenario("nothing set", {}, 2),
    Scenario("not-a-url", {**CREDENTIALS, "PARTNERSYNC_DATABASE_URL": "not-a-url"}, 2),
    Scenario("postgres://", {**CREDENTIALS, "PARTNERSYNC_DATABASE_URL":
                             "postgres://ana:hunter2@db/ledger"}, 2),
    Scenario("unknown dialect", {**CREDENTIALS, "PARTNERSYNC_DATABASE_URL": "mongodb://db/x"},
             2),
    Scenario("missing folder", {**CREDENTIALS, "PARTNERSYNC_DATABASE_URL":
                                "sqlite:///{tmp}/missing/ledger.db"}, 2,
             skip=frozenset({"hubspot setup"})),  # it reads no ledger
    Scenario("malformed setting", {**CREDENTIALS, **LEDGER, "PARTNERSYNC_SERVE_PORT": "99999",
                                   "PARTNERSYNC_HUBSPOT_BASE_URL": "api.hubapi.com"}, 2),
    Scenario("bad programme file", {**CREDENTIALS, **LEDGER,
                                    "PARTNERSYNC_PROGRAMME_FILE": "{tmp}/programme.toml"},
             None, ledger=True, skip=frozenset({"hubspot setup"})),  # it reads no programme
    Scenario("no credentials, empty ledger", LEDGER, None, ledger=True),
]
CASES = [(scenario, command) for scenario in SCENARIOS
         for command in leaf_commands(build_parser()) if command not in scenario.skip]


def test_the_catalogue_covers_every_command() -> None:
    assert sorted(leaf_commands(build_parser())) == sorted(ARGUMENTS)


class StillRunning(Exception):
    """A command that should have stopped at once was still running: it started serving."""


@pytest.fixture(autouse=True)
def _never_hang() -> Iterator[None]:
    """``serve`` and ``sandbox`` run until a signal: should one start, fail the case
    after 30 s instead of waiting forever (and put their signal handlers back)."""
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}

    def interrupt(*_: object) -> None:
        raise StillRunning

    signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    for signum, handler in handlers.items():
        signal.signal(signum, handler)


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
           ) -> Iterator[Path]:
    scenario: Scenario = request.param
    for name in list(os.environ):
        if name.startswith("PARTNERSYNC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    (tmp_path / "programme.toml").write_text("[tiers.partner\nrate = 1", encoding="utf-8")
    if scenario.ledger:
        created = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
        created.migrate()
        created.close()
    for name, value in scenario.env.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    yield tmp_path
    structlog.reset_defaults()


def _ended(code: int | None, err: str, out: str, *, checklist: bool = False) -> list[str]:
    """Standard error's lines other than JSON log lines; the checks common to all."""
    assert "Traceback" not in err + out
    assert not [piece for piece in PIECES if piece in err + out], err + out
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("{")]
    if checklist:  # a failed check is a line of the checklist, with the fix under it
        assert code == 0 or "fix: " in out, out
    elif code != 0:
        assert len(lines) == 1 and lines[0].startswith("partnersync: "), lines
    return lines


@pytest.mark.parametrize(("broken", "command"), CASES, indirect=["broken"],
                         ids=[f"{s.name}: {c}" for s, c in CASES])
def test_no_command_shows_a_traceback_whatever_the_settings(
        broken: Path, command: str, request: pytest.FixtureRequest,
        capsys: pytest.CaptureFixture[str]) -> None:
    scenario: Scenario = request.node.callspec.params["broken"]
    argv = [*command.split(), *(arg.format(tmp=broken) for arg in ARGUMENTS[command])]
    try:
        code: int | None = main(argv)
    except SystemExit as stopped:  # argparse's exit: refused arguments
        code = stopped.code if isinstance(stopped.code, int) else 1
    captured = capsys.readouterr()
    lines = _ended(code, captured.err, captured.out, checklist=command in CHECKLIST)
    if command in STANDALONE:
        assert (code, lines) == (2, [f"partnersync: configuration error: --fixtures "
                                     f"{broken / 'nowhere'}: not a "
                                     f"{'fixture ' if command == 'demo' else ''}directory"])
    elif scenario.status is not None and command not in CHECKLIST:
        assert code == scenario.status, lines
    elif command in WORKER:
        assert code == 2, lines  # no credentials, or the programme file
    assert code in (0, 1, 2, 3)
    assert not (broken / "partnersync.db").exists()  # nothing reads or makes the default


@pytest.mark.parametrize(("env", "argv", "status", "line"), [
    ({"PARTNERSYNC_DATABASE_URL": "not-a-url"}, ["payouts", "list"], 2,
     "partnersync: configuration error: PARTNERSYNC_DATABASE_URL: 'not-a-url' is not a "
     "database URL; expected sqlite:///path/to/partnersync.db or "
     "postgresql+psycopg://user@host:5432/partnersync"),
    ({}, ["sandbox", "--stripe-port", "-5"], 2,
     "partnersync: sandbox: argument --stripe-port: expected a port from 0 to 65535 (0: any "
     "free port), got '-5' (see `partnersync sandbox --help`)"),
    ({}, ["sandbox", "--webhook-url", "127.0.0.1:9111"], 2,
     "partnersync: sandbox: argument --webhook-url: expected the worker's base URL such as "
     "http://127.0.0.1:9111, got '127.0.0.1:9111' (see `partnersync sandbox --help`)"),
])
def test_as_a_user_runs_it(tmp_path: Path, env: dict[str, str], argv: list[str], status: int,
                           line: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERSYNC_")}
    done = subprocess.run([sys.executable, "-m", "sync.cli", *argv], capture_output=True,
                          text=True, env={**environment, **env}, cwd=tmp_path, timeout=120,
                          check=False)
    assert (done.returncode, done.stdout, done.stderr.splitlines()) == (status, "", [line])


def test_logs_and_the_message_share_stderr_without_mixing(tmp_path: Path) -> None:
    """A failed sync as a user runs it: JSON log lines, then the one message."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERSYNC_")}
    programme = tmp_path / "programme.toml"
    programme.write_text("[tiers.partner]\nrate = 'lots'\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "sync.cli", "sync"], capture_output=True, text=True,
        cwd=ROOT, timeout=120, check=False,
        env={**environment, **CREDENTIALS, "PARTNERSYNC_LOG_FORMAT": "json",
             "PARTNERSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}",
             "PARTNERSYNC_PROGRAMME_FILE": str(programme)})
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert all(json.loads(line) for line in lines[:-1])
    assert lines[-1] == ('partnersync: configuration error: tiers.partner.rate: expected a '
                         'decimal rate such as "0.25"')
