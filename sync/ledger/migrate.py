"""Alembic, run from code: the migrations ship inside the package, no alembic.ini."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, func, select

from sync.ledger.locks import lock_key

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """A ``Config`` for these migrations; ``env.py`` uses ``connection`` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade in one transaction; idempotent. On PostgreSQL, replicas starting together
    wait for each other on a transaction-scoped advisory lock. On SQLite, foreign keys
    are off while it runs (SQLite's own procedure for a table copied to change a
    constraint: a dropped parent's rows would otherwise count as violations forever) and
    checked before the commit."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw: Any = connection.connection.driver_connection
        if sqlite:  # outside any transaction, where SQLite honours it
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(select(func.pg_advisory_xact_lock(lock_key("migrate"))))
                command.upgrade(alembic_config(connection), revision)
                if sqlite and (broken := connection.exec_driver_sql(
                        "PRAGMA foreign_key_check").all()):
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_known_revision(revision: str) -> bool:
    """Whether these migrations know ``revision`` (one a newer version wrote is not)."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
