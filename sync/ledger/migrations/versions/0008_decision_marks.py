"""What lets a sync skip deciding again when nothing it decides from has changed
(issue 14, docs/architecture.md "Deciding only when something changed"):

- ``mirror_records.input_digest``: a digest of what the engine reads of the record;
  ``input_run``: the run that last changed it (a change the worker made itself, a
  written property, leaves it alone);
- ``ledger_generation``: one counter that every committed change to the ledger state
  the engine or the write-back reads moves (lines, payouts, their links, frozen
  attributions, partner controls), kept by the database itself so no code path can
  forget it. SQLite takes one writer at a time: plain triggers. PostgreSQL: a deferred
  constraint trigger bumps it once per transaction, at commit, so it never holds the
  counter's row lock while waiting for another row (no deadlock).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy: a migration never follows later code changes.
WATCHED = ("commission_lines", "payouts", "payout_lines", "frozen_attributions",
           "partner_controls")


def upgrade() -> None:
    with op.batch_alter_table("mirror_records") as table:
        table.add_column(sa.Column("input_digest", sa.String(64), nullable=True))
        table.add_column(sa.Column("input_run", sa.BigInteger(), nullable=True))
    op.execute("UPDATE mirror_records SET input_run = read_run")
    op.create_index("ix_mirror_records_input_run", "mirror_records",
                    ["object_type", "input_run"])
    op.create_table(
        "ledger_generation",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_ledger_generation_one_row"),
    )
    op.execute("INSERT INTO ledger_generation (id, value) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    for table in WATCHED:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER ledger_generation_{table}_{event.lower()}
                AFTER {event} ON {table}
                BEGIN UPDATE ledger_generation SET value = value + 1 WHERE id = 1; END""")


def _postgresql_triggers() -> None:
    # Once per transaction: the flag is transaction-local (set_config(..., true)).
    op.execute("""
        CREATE FUNCTION ledger_generation_bump() RETURNS trigger AS $$
        BEGIN
            IF current_setting('partnersync.generation_bumped', true) = 'yes' THEN
                RETURN NULL;
            END IF;
            PERFORM set_config('partnersync.generation_bumped', 'yes', true);
            UPDATE ledger_generation SET value = value + 1 WHERE id = 1;
            RETURN NULL;
        END; $$ LANGUAGE plpgsql""")
    for table in WATCHED:
        op.execute(f"""
            CREATE CONSTRAINT TRIGGER ledger_generation_{table}
            AFTER INSERT OR UPDATE OR DELETE ON {table}
            DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION ledger_generation_bump()""")
        # TRUNCATE cannot be a constraint trigger; nothing truncates these, but a
        # person might: then bump at once.
        op.execute(f"""
            CREATE TRIGGER ledger_generation_{table}_truncate AFTER TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION ledger_generation_bump()""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER ledger_generation_{table} ON {table}")
            op.execute(f"DROP TRIGGER ledger_generation_{table}_truncate ON {table}")
        op.execute("DROP FUNCTION ledger_generation_bump()")
    else:
        for table in WATCHED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER ledger_generation_{table}_{event}")
    op.drop_table("ledger_generation")
    op.drop_index("ix_mirror_records_input_run", table_name="mirror_records")
    with op.batch_alter_table("mirror_records") as batch:
        batch.drop_column("input_run")
        batch.drop_column("input_digest")
