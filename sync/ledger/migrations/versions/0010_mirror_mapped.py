"""``mirror_records.mapped``: a record as the worker maps it, stored with its body so a
sync decodes it instead of mapping the JSON again (issue 14, ``sync.pull.mapped``).
Empty for the records stored before: each is mapped from its body and stored the first
time a sync reads it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mirror_records") as table:
        table.add_column(sa.Column("mapped", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mirror_records") as table:
        table.drop_column("mapped")
