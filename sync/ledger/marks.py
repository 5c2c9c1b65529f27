"""The mark of the last complete decision: what it was taken from, so a later sync can
tell that deciding again would give the same decisions (issue 14, docs/architecture.md
"Deciding only when something changed").

A decision is a function of the mirror's inputs, the ledger's state, the programme and
``as_of``. The mark holds the mirror's input marks (records and latest ``input_run`` per
type, ``Mirror.input_marks``), the ledger's generation (``sync.ledger.generation``), a
digest of the programme and property names, the decision's ``as_of`` and its horizon
(``sync.engine.horizon``: the decisions are the same for any ``as_of`` before it). It
is stored only once the run's writes are enqueued and nothing moved the ledger since
the decisions were recorded; any doubt means no mark, and the next sync decides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync.domain.months import require_utc
from sync.ledger.store import Ledger

CURSOR = "decision_mark"
VERSION = 1


@dataclass(frozen=True)
class DecisionInputs:
    """What a decision is taken from, apart from ``as_of``."""

    mirror: dict[str, tuple[int, int]]  # type -> (records, latest input_run)
    generation: int
    programme: str  # digest of the programme's terms and the property names

    def to_json(self) -> dict[str, Any]:
        return {"mirror": {key: list(value) for key, value in sorted(self.mirror.items())},
                "generation": self.generation, "programme": self.programme}


@dataclass(frozen=True)
class DecisionMark:
    taken_from: DecisionInputs
    run_id: int  # the run that recorded the decisions
    as_of: datetime
    horizon: datetime  # the same decisions for every as_of in [as_of, horizon)

    def reusable(self, now: DecisionInputs, as_of: datetime) -> bool:
        """Deciding at ``as_of`` from ``now`` would give this mark's decisions again."""
        require_utc(as_of, "as_of")
        return now == self.taken_from and self.as_of <= as_of < self.horizon


def load_mark(ledger: Ledger) -> DecisionMark | None:
    """The stored mark; None when there is none or it is of another format."""
    text = ledger.get_cursor(CURSOR)
    if not text:
        return None
    try:
        data = json.loads(text)
        if data.get("version") != VERSION:
            return None
        inputs = data["inputs"]
        return DecisionMark(
            DecisionInputs({key: (int(value[0]), int(value[1]))
                            for key, value in inputs["mirror"].items()},
                           int(inputs["generation"]), str(inputs["programme"])),
            int(data["run_id"]), datetime.fromisoformat(data["as_of"]),
            datetime.fromisoformat(data["horizon"]))
    except (ValueError, KeyError, TypeError, IndexError):
        return None  # unreadable: decide again, which stores a new one


def store_mark(ledger: Ledger, mark: DecisionMark | None) -> None:
    """Store ``mark``, or forget the stored one (None)."""
    value = "" if mark is None else json.dumps({
        "version": VERSION, "inputs": mark.taken_from.to_json(), "run_id": mark.run_id,
        "as_of": mark.as_of.isoformat(), "horizon": mark.horizon.isoformat()})
    with ledger.transaction():
        ledger.set_cursor(CURSOR, value)
