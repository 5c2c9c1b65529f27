"""SQLite's write-ahead log checkpoints, on a thread of their own.

In WAL mode SQLite copies the log back into the database file (a checkpoint) in the
connection whose commit took the log past 1,000 pages, before that commit returns. A
full Stripe listing stores hundreds of megabytes in one transaction, and its commit
then waited about two seconds for its own checkpoint while the run's other work (the
HubSpot side's stores, then the engine) queued behind it.

So the ledger's connections never checkpoint (``wal_autocheckpoint=0``, see
``sync.ledger.database``); after each unit of work commits, a thread with a connection
of its own runs a PASSIVE checkpoint, which never blocks a reader or a writer (it
copies what no reader still needs) and runs in SQLite's C code while the worker's
Python threads go on. It also runs every few seconds, for commits made outside a unit
of work, and once more when the ledger is closed. The log is as durable as before: a
checkpoint moves committed pages, it never decides what is committed.
"""

from __future__ import annotations

import sqlite3
import threading

import structlog
from sqlalchemy import Engine

log = structlog.get_logger(__name__)
EVERY_SECONDS = 5.0  # a checkpoint at least this often, whatever woke it


class Checkpointer:
    """Checkpoints the SQLite file at ``path`` when woken (``committed``) and every
    ``every`` seconds, until ``close``."""

    def __init__(self, path: str, every: float = EVERY_SECONDS) -> None:
        self._path = path
        self._every = every
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.checkpoints = 0  # completed, for tests and diagnostics
        self._thread = threading.Thread(target=self._run, name="ledger-checkpoint",
                                        daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """A unit of work committed: its pages can be copied back now."""
        self._wake.set()

    def close(self) -> None:
        """Stop after one last checkpoint."""
        self._stop.set()
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        connection: sqlite3.Connection | None = None  # opened at the first checkpoint
        try:
            while not self._stop.is_set():
                self._wake.wait(self._every)
                self._wake.clear()
                connection = self._checkpoint(connection)
            connection = self._checkpoint(connection)
        finally:
            if connection is not None:
                connection.close()

    def _checkpoint(self, connection: sqlite3.Connection | None) -> sqlite3.Connection | None:
        try:
            if connection is None:
                connection = sqlite3.connect(self._path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        except sqlite3.Error as error:  # the next wake tries again; the log stays whole
            log.warning("ledger.checkpoint_failed", error=str(error))
        return connection


def checkpointer_for(engine: Engine) -> Checkpointer | None:
    """A checkpointer for a SQLite file's engine; none for PostgreSQL or memory."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Checkpointer(database)
