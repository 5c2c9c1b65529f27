"""HubSpot is not the source of amounts: commission line records edited there are found,
reported, audited and written back with the ledger's values.

The payment job looks at the line records changed since its last look (every record
the first time): a record whose amount, partner or month differs from the ledger's
line loses its write memory, so the ledger's values are written again, and the
difference is audited once (``hubspot_edit_reverted``). The look starts ``overlap``
before the last one (HubSpot's search index lags; the worker's own writes since then
are read back too and match). Payout records are checked as they are read back
(``sync.writeback.finance``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import structlog

from mappings.properties import CommissionLineProperties
from sync.domain.decisions import CommissionLine
from sync.domain.money import eur
from sync.domain.months import month_label
from sync.ledger import Ledger
from sync.ledger.written import forget_write
from sync.writeback.finance import cents_or_none
from sync.writeback.intents import HUBSPOT_LINE

LINES_CHECKED = "hubspot.lines.checked_since"  # ISO instant of the last look's start

log = structlog.get_logger(__name__)


def revert_line_edits(ledger: Ledger, records: Iterable[Mapping[str, Any]] | None,
                      names: CommissionLineProperties, now: datetime
                      ) -> dict[str, str]:
    """``records``: the line records changed since ``since_last_look``'s instant; the
    next look starts at ``now`` (less the overlap). Returns line id -> what HubSpot
    showed, for the lines whose record was edited."""
    live = {line.id: line for line in ledger.load_state().lines}
    edited: dict[str, str] = {}
    for record in records or ():
        properties = record.get("properties") or {}
        line = live.get(str(properties.get(names.line_id)))
        what = None if line is None else _differences(line, properties, names)
        if line is not None and what:
            edited[line.id] = what
    for line_id, what in sorted(edited.items()):
        log.warning("line.hubspot_edit_reverted", line_id=line_id, edits=what)
        if forget_write(ledger, HUBSPOT_LINE, line_id):
            line = live[line_id]
            ledger.audit("hubspot_edit_reverted", "worker",
                         f"HubSpot showed {what}: written back with the ledger's values",
                         partner_id=line.partner_id, line_id=line_id, amount=line.amount)
    ledger.set_cursor(LINES_CHECKED, now.isoformat())
    return edited


def since_last_look(ledger: Ledger, overlap: timedelta) -> datetime | None:
    """Where the next look starts; None: never looked, every record is read."""
    cursor = ledger.get_cursor(LINES_CHECKED)
    return None if cursor is None else datetime.fromisoformat(cursor) - overlap


def _differences(line: CommissionLine, properties: Mapping[str, Any],
                 names: CommissionLineProperties) -> str:
    edits = []
    if cents_or_none(properties.get(names.amount)) != line.amount:
        edits.append(f"{names.amount} {properties.get(names.amount)} (ledger {eur(line.amount)})")
    for name, value in ((names.partner_id, line.partner_id),
                        (names.month, month_label(line.month))):
        if str(properties.get(name) or "") != value:
            edits.append(f"{name} {properties.get(name)} (ledger {value})")
    return ", ".join(edits)
