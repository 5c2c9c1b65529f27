"""Migrations: idempotent, shipped in the package, and equal to the models."""

from __future__ import annotations

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from sync.ledger import Ledger
from sync.ledger.database import ledger_engine
from sync.ledger.migrate import MIGRATIONS, current_revision, head_revision, upgrade
from sync.ledger.models import Base


def test_migrate_is_idempotent(open_ledger: Callable[[], Ledger]) -> None:
    ledger = open_ledger()  # migrated once
    ledger.set_cursor("kept", "1")
    ledger.migrate()
    open_ledger().migrate()
    assert current_revision(ledger.engine) == head_revision() == "0010"
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


def test_0003_upgrades_a_ledger_holding_payouts_and_lines(ledger_url: str) -> None:
    """Payout controls (0003) on a ledger already in use: its payouts, lines and links
    stay, and the new statuses are accepted (SQLite copies the payouts table to change
    its CHECK, with the lines still pointing at it)."""
    engine = ledger_engine(ledger_url)  # as in production: SQLite with foreign keys on
    try:
        upgrade(engine, "0002")
        now = "2026-11-01 00:00:00+00:00"
        with engine.begin() as db:
            db.execute(text("INSERT INTO runs (id, kind, as_of, dry_run, status, started_at, "
                            "summary) VALUES (1, 'sync', :now, false, 'succeeded', :now, "
                            "'{}')"), {"now": now})
            db.execute(text("INSERT INTO payouts (id, partner_id, month, amount, status, "
                            "minimum_waived, explanation, attempts, created_run, created_at, "
                            "updated_at) VALUES ('vmcpo_7_2026-10', '7', '2026-10', 25000, "
                            "'approved', false, 'x', 0, 1, :now, :now)"), {"now": now})
            db.execute(text("INSERT INTO commission_lines (id, partner_id, customer_id, month, "
                            "kind, tier, basis, amount, explanation, payout_id, status, version, "
                            "created_run, updated_run, updated_at) VALUES ('l1', '7', 'cus_a', "
                            "'2026-10', 'recurring', 'partner', 100000, 25000, 'x', "
                            "'vmcpo_7_2026-10', 'accrued', 1, 1, 1, :now)"), {"now": now})
            db.execute(text("INSERT INTO payout_lines VALUES ('vmcpo_7_2026-10', 'l1')"))

        upgrade(engine)

        with engine.begin() as db:
            assert db.execute(text("SELECT id, status, amount FROM payouts")).all() == [
                ("vmcpo_7_2026-10", "approved", 25000)]
            assert db.execute(text("SELECT payout_id FROM commission_lines")).scalar() == (
                "vmcpo_7_2026-10")
            db.execute(text("UPDATE payouts SET status = 'pending_second_approval'"))
            db.execute(text("UPDATE commission_lines SET kind = 'manual'"))
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_0007_indexes_a_partners_lines_by_month(ledger_url: str) -> None:
    """The portal's month and last-basis queries find a partner's month through the index
    on a ledger migrated from 0006, its lines kept; SQLite's plan names it."""
    engine = ledger_engine(ledger_url)
    try:
        upgrade(engine, "0006")
        assert "ix_commission_lines_partner_month" not in {
            index["name"] for index in inspect(engine).get_indexes("commission_lines")}
        upgrade(engine)
        indexes = {index["name"]: index["column_names"]
                   for index in inspect(engine).get_indexes("commission_lines")}
        assert indexes["ix_commission_lines_partner_month"] == ["partner_id", "month", "status"]
        if engine.dialect.name == "sqlite":
            with engine.connect() as db:
                plan = db.execute(text(
                    "EXPLAIN QUERY PLAN SELECT id FROM commission_lines WHERE partner_id = '7' "
                    "AND month = '2026-10' AND status != 'void' ORDER BY customer_id, id")).all()
                counted = db.execute(text(
                    "EXPLAIN QUERY PLAN SELECT month, count(*) FROM commission_lines WHERE "
                    "partner_id = '7' AND status != 'void' GROUP BY month")).all()
            assert "ix_commission_lines_partner_month" in " ".join(str(row[-1]) for row in plan)
            assert "COVERING INDEX ix_commission_lines_partner_month" in " ".join(
                str(row[-1]) for row in counted)
    finally:
        engine.dispose()
