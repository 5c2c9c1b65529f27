"""Migrations: idempotent, shipped in the package, and equal to the models."""

from __future__ import annotations

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from sync.ledger import Ledger
from sync.ledger.migrate import MIGRATIONS, current_revision, head_revision
from sync.ledger.models import Base


def test_migrate_is_idempotent(open_ledger: Callable[[], Ledger]) -> None:
    ledger = open_ledger()  # migrated once
    ledger.set_cursor("kept", "1")
    ledger.migrate()
    open_ledger().migrate()
    assert current_revision(ledger.engine) == head_revision() == "0003"
    assert ledger.get_cursor("kept") == "1"


def test_migrations_create_exactly_the_models_tables(ledger: Ledger) -> None:
    with ledger.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        tables = set(inspect(connection).get_table_names())
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


def test_migrations_ship_inside_the_package() -> None:
    assert MIGRATIONS.parent.name == "ledger"
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "versions" / "0001_initial.py").is_file()
