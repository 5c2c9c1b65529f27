"""Engines for the ledger: SQLite with foreign keys, WAL (checkpointed by the ledger's
own thread) and IMMEDIATE transactions; PostgreSQL (``postgresql+psycopg://``) as
given. The URL is checked before anything connects (docs/configuration.md,
``PARTNERSYNC_DATABASE_URL``): a malformed one, another database, a driver not
installed or an SQLite file in a missing folder is a configuration error; a server
that does not answer is ``DatabaseUnavailable``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from sync.errors import ConfigurationError, DatabaseUnavailable, PartnerSyncError
from sync.ledger.errors import LedgerMissing
from sync.runtime import fastjson
from sync.runtime.logs import redact_secret_shapes

# The mirror's bodies are most of what the ledger encodes and decodes (see fastjson).
JSON_CODEC: dict[str, Any] = {"json_serializer": fastjson.dumps,
                              "json_deserializer": fastjson.loads}
BACKENDS = ("sqlite", "postgresql")
READ_ONLY = "partnersync_read_only"  # execution option: a unit of work that only reads
SHAPES = ("expected sqlite:///path/to/partnersync.db or "
          "postgresql+psycopg://user@host:5432/partnersync")
INSTALL = {"psycopg": "pip install 'partnersync[postgres]' (in a clone: "
                      "pip install -e '.[postgres]')"}


def check_url(url: str) -> URL:
    """The URL, parsed: SQLite or PostgreSQL, with its driver installed; a ``ValueError``
    saying what is wrong otherwise (the settings report it under the variable's name)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError(f"{redact_secret_shapes(url)!r} is not a database URL; {SHAPES}"
                         ) from None
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        hint = (" (PostgreSQL's URLs start with postgresql+psycopg://)"
                if backend == "postgres" else "")
        raise ValueError(f"the ledger runs on SQLite or PostgreSQL, not {backend!r}{hint}; "
                         f"{SHAPES}")
    try:
        parsed.get_dialect().import_dbapi()
    except NoSuchModuleError:
        raise ValueError(f"unknown database driver {parsed.drivername!r}; {SHAPES}") from None
    except ImportError:
        driver = parsed.get_driver_name()
        install = INSTALL.get(driver, f"install it, or use {SHAPES.removeprefix('expected ')}")
        raise ValueError(f"the database driver {driver} is not installed: {install}") from None
    return parsed


def shown(url: str) -> str:
    """The URL as messages show it: never its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return redact_secret_shapes(url)


def url_password(url: str) -> str | None:
    """The password a database URL carries, for the log scrubber to remove wherever a
    driver's message repeats it."""
    try:
        return make_url(url).password or None
    except (ArgumentError, ValueError):
        return None


def sqlite_file(url: URL) -> Path | None:
    """The SQLite file a URL names; ``None`` for PostgreSQL and an in-memory database."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).resolve()


def ledger_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for the ledger at ``url``; ``create=False`` refuses an SQLite file that
    does not exist rather than creating an empty one."""
    try:
        parsed = check_url(url)
    except ValueError as error:
        raise ConfigurationError(str(error)) from None
    path = sqlite_file(parsed)
    if path is not None and not path.parent.is_dir():
        raise ConfigurationError(f"folder {path.parent} does not exist; create it or "
                                 "choose another path")
    if path is not None and not create and not path.exists():
        raise LedgerMissing(f"no ledger at {path}")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    # pre-ping: a long-lived worker outlives its connections
    return create_engine(url, pool_pre_ping=True, **JSON_CODEC)


def connection_failure(error: DBAPIError, url: URL) -> PartnerSyncError:
    """A failure to connect, as the worker's error: the server refused us (no such
    database or role, a wrong password: configuration) or did not answer (exit 3)."""
    reason = " ".join(redact_secret_shapes(str(error.orig)).split())
    path = sqlite_file(url)
    if url.get_backend_name() == "sqlite":
        return ConfigurationError(f"cannot open {path or 'the database'}: {reason}")
    if "FATAL:" in reason:
        return ConfigurationError(f"PostgreSQL refused the connection ({reason})")
    return DatabaseUnavailable(f"PostgreSQL at {url.host}:{url.port or 5432} did not answer "
                               f"({reason})")


def database_failure(error: BaseException) -> PartnerSyncError | None:
    """A driver's failure in the middle of a command (the server went away, a lock never
    came): ``DatabaseUnavailable``; ``None`` for anything else."""
    if not isinstance(error, OperationalError):
        return None
    reason = " ".join(redact_secret_shapes(str(error.orig)).split())
    return DatabaseUnavailable(f"the ledger's database failed ({reason})")


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
        # A read-only unit (a portal page) reads WAL's last committed state instead and
        # never waits behind a sync's write; query_only makes a stray write fail.
        read_only = bool(connection.get_execution_options().get(READ_ONLY))
        connection.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")

    return engine
