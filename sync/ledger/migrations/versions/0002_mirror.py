"""The read mirror of vendor records, and the last write intended per external record.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(255)


def upgrade() -> None:
    op.create_table(
        "mirror_records",
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("record_id", ID, nullable=False),
        sa.Column("body", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                  nullable=False),
        sa.Column("read_run", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("object_type", "record_id", name="pk_mirror_records"),
    )
    op.create_table(
        "written_records",
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("target", ID, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("outbox_key", sa.String(400), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "target", name="pk_written_records"),
    )


def downgrade() -> None:
    op.drop_table("written_records")
    op.drop_table("mirror_records")
