"""Every ledger test runs on SQLite (a temporary file) and on PostgreSQL.

PostgreSQL is ``PARTNERSYNC_TEST_POSTGRES_URL`` (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); without it, those
parametrisations are skipped with the reason. Set but not answering, they fail: whoever
set it (CI does) expects them to run, and a silent skip would pass untested. Each PostgreSQL
test gets a fresh schema (``search_path``), dropped afterwards, so runs never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from sync.ledger import Ledger

POSTGRES_ENV = "PARTNERSYNC_TEST_POSTGRES_URL"
START = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)


@cache
def postgres_admin_url() -> tuple[str | None, str]:
    """The server URL, or ``None`` and why the PostgreSQL tests are skipped; a URL that
    does not answer is an error (see the module's docstring)."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        return None, f"{POSTGRES_ENV} is not set"
    return url, unreachable(url)


@cache
def unreachable(url: str) -> str:
    """Why the server at ``url`` cannot be used, or "" when it answers."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return (f"{POSTGRES_ENV} is set but PostgreSQL does not answer there "
                f"({type(error).__name__}): start the server or unset the variable")
    finally:
        engine.dispose()
    return ""


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url, reason = postgres_admin_url()
    if url is None:
        pytest.skip(reason)
    if reason:
        pytest.fail(reason, pytrace=False)
    return url


def _run_admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture
def postgres_schema_url(request: pytest.FixtureRequest) -> Iterator[str]:
    base: str = request.getfixturevalue("postgres_url")
    schema = f"partnersync_test_{uuid.uuid4().hex[:12]}"
    _run_admin(base, f'CREATE SCHEMA "{schema}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        _run_admin(base, f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


class Clock:
    """A clock the test moves: ``clock()`` is now, ``clock.advance(seconds=...)``."""

    def __init__(self, start: datetime = START) -> None:
        self.instant = start

    def __call__(self) -> datetime:
        return self.instant

    def advance(self, **delta: float) -> datetime:
        self.instant += timedelta(**delta)
        return self.instant


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def open_ledger(ledger_url: str, clock: Clock) -> Iterator[Callable[[], Ledger]]:
    """Open (and migrate) ledgers on the test's database; all are closed after it."""
    opened: list[Ledger] = []

    def open_one() -> Ledger:
        ledger = Ledger.open(ledger_url, clock=clock)
        opened.append(ledger)
        ledger.migrate()
        return ledger

    yield open_one
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(open_ledger: Callable[[], Ledger]) -> Ledger:
    return open_ledger()
