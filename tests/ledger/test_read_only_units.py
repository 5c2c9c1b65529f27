"""Read-only units of work (``Ledger.transaction(read_only=True)``), as the portal's pages
use them: they read the last committed state without waiting for a writer, and a write
inside one fails instead of slipping through."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from sync.ledger import Ledger
from sync.ledger.models import CursorRow


def test_a_read_only_unit_reads_while_a_sync_holds_the_sqlite_write_lock(
        tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        ledger.migrate()
        ledger.set_cursor("hubspot.deals", "committed")
        writer = sqlite3.connect(tmp_path / "ledger.db", isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # a sync's record step, not yet committed
        writer.execute("UPDATE cursors SET value = 'uncommitted' WHERE name = 'hubspot.deals'")
        read: list[str | None] = []
        # In a thread, so a unit that waits for the lock (busy timeout 30 s) fails the
        # join below instead of hanging the test.
        reader = threading.Thread(target=lambda: read.append(_cursor(ledger)), daemon=True)
        reader.start()
        reader.join(10)
        assert not reader.is_alive(), "the read-only unit waited for the writer"
        assert read == ["committed"]
        writer.execute("COMMIT")
        writer.close()
        assert _cursor(ledger) == "uncommitted"  # and it sees what was committed since
    finally:
        ledger.close()


def _cursor(ledger: Ledger) -> str | None:
    with ledger.transaction(read_only=True) as session:
        return session.scalar(select(CursorRow.value).where(CursorRow.name == "hubspot.deals"))


def test_a_write_in_a_read_only_unit_fails_and_changes_nothing(ledger: Ledger) -> None:
    with pytest.raises(DBAPIError, match=r"(?i)read-?only"), \
            ledger.transaction(read_only=True):
        ledger.set_cursor("hubspot.deals", "written by a page")
    assert ledger.get_cursor("hubspot.deals") is None
    ledger.set_cursor("hubspot.deals", "written by a sync")  # the next unit may write
    assert ledger.get_cursor("hubspot.deals") == "written by a sync"
