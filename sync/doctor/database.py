"""The ledger's database: reachable, at the migrations' latest revision, and what it
holds waiting to be paid (for the EUR balance check).

Looked at, never changed: no file is created, nothing is migrated (the worker migrates
at its start, ``sync.wiring.Services.ledger``). The URL is shown without its password.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import URL, create_engine, inspect, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from sync.config.settings import Settings
from sync.doctor.checks import Check, Status
from sync.ledger import Ledger
from sync.ledger.migrate import current_revision, head_revision, is_known_revision
from sync.payments.transfers import PAYABLE

ID, LABEL = "database", "database"
VARIABLE = "PARTNERSYNC_DATABASE_URL"
EXAMPLES = "sqlite:////var/lib/partnersync/ledger.db or postgresql+psycopg://user@host:5432/db"
CONNECT_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class Waiting:
    """Payouts the next payment run transfers (``PAYABLE``), in cents."""

    count: int
    cents: int


NOTHING = Waiting(0, 0)  # a ledger not created yet


@dataclass(frozen=True, slots=True)
class DatabaseReport:
    check: Check
    waiting: Waiting | None  # None: not known (not migrated, or not readable)


def check_database(settings: Settings) -> DatabaseReport:
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        return _failed(f"{VARIABLE} is not a database URL", f"set it to {EXAMPLES}")
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        absent = _absent_sqlite_file(url, shown)
        if absent is not None:
            waiting = NOTHING if absent.status is Status.OK else None
            return _unset_warning(settings, DatabaseReport(absent, waiting))
    report = _inspect(url, shown)
    return _unset_warning(settings, report)


def _absent_sqlite_file(url: URL, shown: str) -> Check | None:
    """Why a SQLite file cannot be looked at without creating it; None when it exists."""
    name = url.database
    if not name or name == ":memory:":
        return Check.fail(ID, LABEL, f"{shown} is in memory: the ledger would be lost at "
                          "exit", f"set {VARIABLE} to a file or a PostgreSQL database")
    path = Path(name)
    if path.exists():
        return None
    if not path.parent.is_dir():
        return Check.fail(ID, LABEL, f"{shown}: the folder {path.parent} does not exist",
                          f"create the folder or change {VARIABLE}")
    return Check.ok(ID, LABEL, f"{shown} does not exist yet: partnersync creates it at its "
                    "first start")


def _inspect(url: URL, shown: str) -> DatabaseReport:
    options: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    try:
        engine = create_engine(url, **options)
    except NoSuchModuleError:
        return _failed(f"{shown}: unknown database kind {url.drivername!r}",
                       f"set {VARIABLE} to {EXAMPLES}")
    except ImportError as error:
        return _failed(f"{shown}: its driver is not installed ({error.name})",
                       "install partnersync with its PostgreSQL driver: "
                       "pip install 'partnersync[postgres]'")
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
        revision = current_revision(engine)
    except DBAPIError as error:
        return _connection_failed(error, shown, url)
    except SQLAlchemyError as error:
        return _failed(f"{shown}: {type(error).__name__}", f"check {VARIABLE}")
    finally:
        engine.dispose()
    return _revision_report(url, shown, revision, bool(tables))


def _connection_failed(error: DBAPIError, shown: str, url: URL) -> DatabaseReport:
    """A server that answered (an SQLSTATE: wrong password, no such database) or a SQLite
    file that cannot be opened is configuration; a server that did not is unreachable."""
    if url.get_backend_name() == "sqlite" or getattr(error.orig, "sqlstate", None):
        reason = str(error.orig).strip().splitlines()[0][:200] if error.orig else "refused"
        return _failed(f"{shown}: {reason}", f"check {VARIABLE} (user, password, database)")
    return DatabaseReport(Check.unreachable(
        ID, LABEL, f"{shown}: no answer from the server",
        f"start the database server or correct the host and port in {VARIABLE}"), None)


def _revision_report(url: URL, shown: str, revision: str | None,
                     has_tables: bool) -> DatabaseReport:
    head = head_revision()
    if revision is None and has_tables:
        return _failed(f"{shown} holds tables but no partnersync revision: it is not a "
                       "partnersync ledger", f"point {VARIABLE} at the ledger or an empty "
                       "database")
    if revision is None:
        return DatabaseReport(Check.ok(ID, LABEL, f"{shown} is empty: partnersync creates "
                                       f"its tables (revision {head}) at its first start"),
                              NOTHING)
    if revision == head:
        return DatabaseReport(Check.ok(ID, LABEL, f"{shown} at revision {head}, the latest"),
                              _waiting(url))
    if not is_known_revision(revision):
        return _failed(f"{shown} at revision {revision}, which this version does not know: a "
                       "newer partnersync migrated it", "run the partnersync version that "
                       "migrated it, or a newer one")
    return DatabaseReport(Check.warn(
        ID, LABEL, f"{shown} at revision {revision}, the latest is {head}: partnersync "
        "migrates it at its next start", "back the database up first; any command but "
        "doctor migrates it"), None)


def _waiting(url: URL) -> Waiting | None:
    ledger = Ledger.open(url.render_as_string(hide_password=False))
    try:
        payouts = [p for status in PAYABLE for p in ledger.list_payouts(status)]
    except SQLAlchemyError:
        return None
    finally:
        ledger.close()
    return Waiting(len(payouts), sum(p.amount for p in payouts))


def _unset_warning(settings: Settings, report: DatabaseReport) -> DatabaseReport:
    """Without the variable, every command uses ./partnersync.db, wherever it runs."""
    check = report.check
    if "database_url" in settings.model_fields_set or check.status is not Status.OK:
        return report
    return DatabaseReport(Check.warn(
        ID, LABEL, f"{check.detail}; {VARIABLE} is not set, so the ledger is "
        "partnersync.db in the current folder", f"set {VARIABLE} ({EXAMPLES})"),
        report.waiting)


def _failed(detail: str, fix: str) -> DatabaseReport:
    return DatabaseReport(Check.fail(ID, LABEL, detail, fix), None)
