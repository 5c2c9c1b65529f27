"""Webhook events (issue 14): each event a vendor delivered, by its id, until a targeted
sync has read its object again through the API.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model's values: a migration never follows later code changes.
ID = sa.String(255)
VENDORS = ("stripe", "hubspot")


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    allowed = ", ".join(f"'{vendor}'" for vendor in VENDORS)
    op.create_table(
        "webhook_events",
        sa.Column("id", ID, primary_key=True),
        sa.Column("vendor", sa.String(16), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("object_id", ID, nullable=False),
        _instant("occurred_at"),
        _instant("received_at"),
        sa.Column("processed_run", sa.Integer(), nullable=True),
        _instant("processed_at", True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(f"vendor IN ({allowed})", name="vendor"),
    )
    op.create_index("ix_webhook_events_pending", "webhook_events",
                    ["processed_at", "received_at"])


def downgrade() -> None:
    op.drop_table("webhook_events")
