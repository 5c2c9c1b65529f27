"""Payout controls (R32-R35): holds, two approvers, confirmed destinations, manual lines
and the append-only audit trail.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model's values: a migration never follows later code changes.
ID = sa.String(255)
OLD_STATUSES = ("pending_approval", "approved", "paid", "manual_pending", "failed")
STATUSES = (*OLD_STATUSES, "on_hold", "pending_second_approval")
OLD_KINDS = ("recurring", "flat", "adjustment")
KINDS = (*OLD_KINDS, "manual")
APPEND_ONLY = "audit_events is append-only"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # SQLite: batch mode copies a table to change a CHECK; sync.ledger.migrate runs
    # migrations with foreign keys off and checks them before the commit.
    _payouts()
    with op.batch_alter_table("commission_lines") as batch:
        batch.drop_constraint("kind", type_="check")
        batch.create_check_constraint("kind", _in("kind", KINDS))
    _partner_controls()
    _audit_events()


def _payouts() -> None:
    with op.batch_alter_table("payouts") as batch:
        batch.drop_constraint("status", type_="check")
        batch.alter_column("status", type_=sa.String(32), existing_type=sa.String(16),
                           existing_nullable=False)
        batch.create_check_constraint("status", _in("status", STATUSES))
        batch.add_column(sa.Column("approver_keys", sa.Text(), nullable=True))
        batch.add_column(sa.Column("second_approved_by", ID, nullable=True))
        batch.add_column(_instant("second_approved_at", True))
        batch.add_column(sa.Column("held_from", sa.String(32), nullable=True))
        batch.add_column(sa.Column("hold_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("finance_hold", sa.Text(), nullable=True))
        batch.add_column(sa.Column("finance_held_by", ID, nullable=True))
        batch.add_column(sa.Column("status_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("judged_change", ID, nullable=True))


def _partner_controls() -> None:
    op.create_table(
        "partner_controls",
        sa.Column("partner_id", ID, primary_key=True),
        sa.Column("confirmed_account", ID, nullable=True),
        sa.Column("confirmed_by", ID, nullable=True),
        _instant("confirmed_at", True),
        sa.Column("waiting_account", ID, nullable=True),
        sa.Column("waiting_reason", sa.Text(), nullable=True),
        sa.Column("finance_hold", sa.Text(), nullable=True),
        sa.Column("finance_held_by", ID, nullable=True),
        sa.Column("judged_change", ID, nullable=True),
        _instant("updated_at"),
        sa.UniqueConstraint("confirmed_account", name="uq_partner_controls_confirmed_account"),
    )


def _audit_events() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _instant("at"),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("actor", ID, nullable=False),
        sa.Column("partner_id", ID, nullable=True),
        sa.Column("payout_id", ID, nullable=True),
        sa.Column("line_id", ID, nullable=True),
        sa.Column("account", ID, nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("data", _json(), nullable=False),
    )
    op.create_index("ix_audit_events_partner_id", "audit_events", ["partner_id", "id"])
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    _refuse_changes_to_audit()


def _refuse_changes_to_audit() -> None:
    """The database itself refuses UPDATE and DELETE on the audit trail."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END; $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
            ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""")
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""")


def downgrade() -> None:
    raise NotImplementedError("the audit trail is never dropped: restore a backup instead")
