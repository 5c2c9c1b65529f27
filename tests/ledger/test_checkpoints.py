"""The ledger's SQLite log is copied back by its own thread, never by a commit."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from structlog.testing import capture_logs

from sync.ledger import Ledger
from sync.ledger.checkpoints import Checkpointer, checkpointer_for
from sync.ledger.database import ledger_engine
from sync.ledger.mirror import Mirror

BODY = {"text": "x" * 2000}


def eventually(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def store_a_megabyte_or_so(ledger: Ledger) -> None:
    Mirror(ledger).upsert("deal", [(str(n), BODY) for n in range(500)], run_id=1)


def test_commits_leave_the_log_to_the_checkpointer(tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        with ledger.engine.connect() as connection:
            assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        ledger.migrate()
        database = tmp_path / "ledger.db"
        before = database.stat().st_size
        store_a_megabyte_or_so(ledger)
        # The pages reach the database file only through a checkpoint.
        assert eventually(lambda: database.stat().st_size > before + 500 * 2000)
    finally:
        ledger.close()


def test_closing_the_ledger_stops_the_thread_after_a_last_checkpoint(tmp_path: Path) -> None:
    database = tmp_path / "ledger.db"
    ledger = Ledger.open(f"sqlite:///{database}")
    ledger.migrate()
    checkpointer = ledger._checkpointer
    assert checkpointer is not None
    store_a_megabyte_or_so(ledger)
    ledger.close()
    assert not checkpointer._thread.is_alive()
    # Every connection closed: SQLite has copied the log back and removed it.
    assert not Path(f"{database}-wal").exists()
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM mirror_records").fetchone() == (500,)


def test_a_checkpoint_runs_every_few_seconds_without_a_commit(tmp_path: Path) -> None:
    database = tmp_path / "plain.db"
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
    checkpointer = Checkpointer(str(database), every=0.05)
    try:
        assert eventually(lambda: checkpointer.checkpoints >= 3)
    finally:
        checkpointer.close()


def test_a_failing_checkpoint_is_logged_and_tried_again(tmp_path: Path) -> None:
    missing = tmp_path / "no such directory" / "ledger.db"
    with capture_logs() as logs:
        checkpointer = Checkpointer(str(missing), every=0.05)
        try:
            assert eventually(lambda: sum(
                entry["event"] == "ledger.checkpoint_failed" for entry in logs) >= 2)
            assert checkpointer._thread.is_alive() and checkpointer.checkpoints == 0
        finally:
            checkpointer.close()
    assert "unable to open database file" in logs[0]["error"]


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:",
                                 "postgresql+psycopg://nobody@127.0.0.1:1/none"])
def test_no_checkpointer_where_there_is_no_log_file(url: str) -> None:
    engine = ledger_engine(url)
    try:
        assert checkpointer_for(engine) is None
    finally:
        engine.dispose()
