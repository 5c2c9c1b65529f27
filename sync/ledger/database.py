"""Engines for the ledger: SQLite with foreign keys, WAL (checkpointed by the ledger's
own thread) and IMMEDIATE transactions; PostgreSQL (``postgresql+psycopg://``) as
given."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

from sync.runtime import fastjson

# The mirror's bodies are most of what the ledger encodes and decodes (see fastjson).
JSON_CODEC: dict[str, Any] = {"json_serializer": fastjson.dumps,
                              "json_deserializer": fastjson.loads}


def ledger_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # pre-ping: a long-lived worker outlives its connections
    return create_engine(url, pool_pre_ping=True, **JSON_CODEC)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30}, **JSON_CODEC)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Commits never copy the log back themselves: the ledger's checkpointer does,
        # on a thread of its own (sync.ledger.checkpoints).
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE: take the write lock up front, so a read-check-write (a payout
        # transition) never races another process's write to a deadlock or lost update.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
