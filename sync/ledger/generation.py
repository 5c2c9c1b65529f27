"""The ledger's generation: a counter the database moves on every committed change to
what the engine and the write-back read of the ledger (lines, payouts and their links,
frozen attributions, partner controls). Triggers keep it (migration 0008), so no code
path, command or person editing the tables can change that state unnoticed.

A sync that finds the generation, the mirror's input marks and the programme as the
last complete decision left them may skip deciding again (``jobs.decision_marks``).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sync.ledger.models import Base


class GenerationRow(Base):
    __tablename__ = "ledger_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("id = 1", name="ck_ledger_generation_one_row"),)


def generation(session: Session) -> int:
    return session.scalar(select(GenerationRow.value).where(GenerationRow.id == 1)) or 0
