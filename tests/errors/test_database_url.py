"""``PARTNERSYNC_DATABASE_URL`` (docs/configuration.md): a malformed URL, an unknown
database, a missing driver or folder are configuration (exit 2) naming the variable; a
database that does not answer is exit 3; its password is never printed. Commands that
only read the ledger refuse a missing one instead of creating it and showing nothing;
``sync`` and ``serve`` create it."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from sync.cli.main import main
from sync.config.settings import Settings
from sync.wiring import Services

SHAPES = ("expected sqlite:///path/to/partnersync.db or "
          "postgresql+psycopg://user@host:5432/partnersync")
POSTGRES = os.environ.get("PARTNERSYNC_TEST_POSTGRES_URL")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, [line for line in captured.err.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PARTNERSYNC_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(("url", "message"), [
    ("not-a-url", f"PARTNERSYNC_DATABASE_URL: 'not-a-url' is not a database URL; {SHAPES}"),
    ("postgres://x", "PARTNERSYNC_DATABASE_URL: the ledger runs on SQLite or PostgreSQL, not "
                     f"'postgres' (PostgreSQL's URLs start with postgresql+psycopg://); {SHAPES}"),
    ("mongodb://x/y", "PARTNERSYNC_DATABASE_URL: the ledger runs on SQLite or PostgreSQL, "
                      f"not 'mongodb'; {SHAPES}"),
    ("mysql://x/y", "PARTNERSYNC_DATABASE_URL: the ledger runs on SQLite or PostgreSQL, "
                    f"not 'mysql'; {SHAPES}"),
    ("postgresql://ana:hunter2@db:port/x", "PARTNERSYNC_DATABASE_URL: "
     f"'postgresql://[redacted]@db:port/x' is not a database URL; {SHAPES}"),
])
def test_a_malformed_url_exits_2_naming_the_variable(
        url: str, message: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", url)
    assert run(capsys, "payouts", "list") == (2, [f"partnersync: configuration error: {message}"])


def test_postgresql_without_its_driver_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if never installed
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", "postgresql+psycopg://ana@db:5432/ledger")
    assert run(capsys, "payouts", "list") == (2, [
        "partnersync: configuration error: PARTNERSYNC_DATABASE_URL: the database driver "
        "psycopg is not installed: pip install 'partnersync[postgres]' (in a clone: "
        "pip install -e '.[postgres]')"])


def test_an_sqlite_file_in_a_missing_folder_exits_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'ledger.db'}"
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", url)
    for argv in (["payouts", "list"], ["report"]):
        assert run(capsys, *argv) == (2, [
            f"partnersync: configuration error: PARTNERSYNC_DATABASE_URL ({url}): folder "
            f"{tmp_path / 'missing'} does not exist; create it or choose another path"])


def test_a_postgresql_server_that_does_not_answer_exits_3_without_the_password(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL",
                       f"postgresql+psycopg://ana:hunter2@127.0.0.1:{port}/ledger")
    code, lines = run(capsys, "payouts", "list")
    assert code == 3 and len(lines) == 1, lines
    assert lines[0].startswith(f"partnersync: database unavailable: PostgreSQL at 127.0.0.1:"
                               f"{port} did not answer (connection failed: ")
    assert lines[0].endswith("; check that it runs and that PARTNERSYNC_DATABASE_URL names it")
    assert "hunter2" not in lines[0]


@pytest.mark.skipif(POSTGRES is None, reason="PARTNERSYNC_TEST_POSTGRES_URL is not set")
def test_a_postgresql_database_that_does_not_exist_exits_2(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert POSTGRES is not None
    url = POSTGRES.rsplit("/", 1)[0] + "/no_such_ledger"
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", url)
    code, lines = run(capsys, "payouts", "list")
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"partnersync: configuration error: PARTNERSYNC_DATABASE_URL "
                               f"({url}): PostgreSQL refused the connection (connection failed:")
    assert 'database "no_such_ledger" does not exist' in lines[0]


READERS = [["payouts", "list"], ["payouts", "export"], ["partners", "list"], ["audit"],
           ["report"], ["explain", "--deal", "1"], ["explain", "vmcl_x"],
           ["payouts", "approve", "vmcpo_x", "--by", "ana"]]


@pytest.mark.parametrize("argv", READERS, ids=" ".join)
def test_reading_commands_refuse_a_missing_ledger_and_create_nothing(
        argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, *argv) == (2, [
        "partnersync: configuration error: PARTNERSYNC_DATABASE_URL is not set and its "
        f"default (sqlite:///partnersync.db) names no ledger: no ledger at "
        f"{tmp_path / 'partnersync.db'}; set PARTNERSYNC_DATABASE_URL to your ledger's URL, "
        "or create one with `partnersync sync` (or `partnersync demo`)"])
    assert list(tmp_path.iterdir()) == []


def test_a_set_url_naming_no_ledger_is_refused_with_that_url(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()  # a file, but no ledger in it
    for path, why in ((tmp_path / "typo.db", f"no ledger at {tmp_path / 'typo.db'}"),
                      (empty, "the database holds no ledger")):
        url = f"sqlite:///{path}"
        monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", url)
        assert run(capsys, "payouts", "list") == (2, [
            f"partnersync: configuration error: PARTNERSYNC_DATABASE_URL ({url}): {why}; set "
            "PARTNERSYNC_DATABASE_URL to your ledger's URL, or create one with `partnersync "
            "sync` (or `partnersync demo`)"])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["empty.db"]


def test_the_worker_creates_the_ledger(tmp_path: Path) -> None:
    """What ``sync`` and ``serve`` open (``Services`` by default): a new ledger."""
    services = Services(Settings(database_url=f"sqlite:///{tmp_path / 'new.db'}"))
    try:
        assert services.ledger.last_run("sync") is None
    finally:
        services.close()
    assert (tmp_path / "new.db").is_file()
