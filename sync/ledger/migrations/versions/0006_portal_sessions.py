"""Portal sessions held by the server (review of issue 15): one row per signed-in
browser, keyed by the sha256 of the id its cookie carries, so signing out ends that
session on the server and an idle session ends after a while.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model's values: a migration never follows later code changes.
ID = sa.String(255)
KINDS = ("partner", "admin")


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    allowed = ", ".join(f"'{kind}'" for kind in KINDS)
    op.create_table(
        "portal_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", ID, nullable=False),
        _instant("issued_at"),
        _instant("last_seen_at"),
        _instant("ended_at", True),
        sa.CheckConstraint(f"kind IN ({allowed})", name="kind"),
    )
    op.create_index("ix_portal_sessions_principal", "portal_sessions", ["kind", "subject"])


def downgrade() -> None:
    op.drop_table("portal_sessions")
