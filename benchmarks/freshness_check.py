"""The freshness benchmark's end state, after ``serve`` stopped.

The oracle is a regular sync, the hourly one, run once every delivery (duplicated and
reordered ones included) was synced: it reads everything changed since the first full
sync and decides the whole portal again, so had the targeted syncs left a field, a
line or a payout other than a full decision gives, it would write it. It must write
nothing. And HubSpot must show exactly the ledger's live lines and payouts, each once
(a duplicated event making a line twice would show as two records of one line id).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from benchmarks.portal_figures import outbox_mark, written_since
from benchmarks.portal_world import World, run_worker
from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS

LINE, PAYOUT = PROPS.commission_line, PROPS.payout


@dataclass
class EndState:
    oracle_exit: int = 0
    oracle_writes: dict[str, int] = field(default_factory=dict)
    webhook_runs: dict[str, int] = field(default_factory=dict)  # every targeted run
    events_pending: int = 0
    events_noted: int = 0  # processed with a note (their object could not be read)
    events_stored: int = 0
    lines: int = 0  # live lines in the ledger
    payouts: int = 0
    line_mismatches: list[str] = field(default_factory=list)
    payout_mismatches: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return (self.oracle_exit == 0 and not self.oracle_writes and not self.events_pending
                and not self.line_mismatches and not self.payout_mismatches
                and set(self.webhook_runs) <= {"succeeded"})


def cents(text: object) -> int:
    return int(Decimal(str(text)) * 100)


def end_state(world: World) -> EndState:
    state = EndState()
    mark = outbox_mark(world.database)
    oracle = run_worker(world, ["sync"])
    state.oracle_exit = oracle.exit_status
    state.oracle_writes = dict(written_since(world.database, mark).kinds)
    with sqlite3.connect(world.database) as connection:
        state.webhook_runs = {str(s): int(n) for s, n in connection.execute(
            "SELECT status, count(*) FROM runs WHERE kind = 'webhook' GROUP BY status")}
        state.events_stored, state.events_pending, state.events_noted = (
            int(n or 0) for n in connection.execute(
                "SELECT count(*), sum(processed_at IS NULL), sum(note IS NOT NULL) "
                "FROM webhook_events").fetchone())
        lines = {str(i): (str(p), int(a), str(pay or "")) for i, p, a, pay in connection.execute(
            "SELECT id, partner_id, amount, payout_id FROM commission_lines "
            "WHERE status != 'void'")}
        payouts = {str(i): (str(p), int(a), str(s)) for i, p, a, s in connection.execute(
            "SELECT id, partner_id, amount, status FROM payouts")}
    state.lines, state.payouts = len(lines), len(payouts)
    shown_lines = _records(world, LINE.object_name, LINE.line_id,
                           lambda r: (str(r[LINE.partner_id]), cents(r[LINE.amount]),
                                      str(r[LINE.payout_id] or "")), state.line_mismatches)
    state.line_mismatches += _differences("line", lines, shown_lines)
    shown_payouts = _records(world, PAYOUT.object_name, PAYOUT.payout_id,
                             lambda r: (str(r[PAYOUT.partner_id]), cents(r[PAYOUT.amount]),
                                        str(r[PAYOUT.status])), state.payout_mismatches)
    state.payout_mismatches += _differences("payout", payouts, shown_payouts)
    return state


Shown = tuple[str, int, str]


def _records(world: World, object_name: str, key: str,
             shown: Callable[[Mapping[str, object]], Shown],
             duplicates: list[str]) -> dict[str, Shown]:
    hubspot = world.hubspot.state
    with hubspot.lock:
        records = [dict(r.properties) for r in hubspot.list(hubspot.resolve_type(object_name))]
    twice = [k for k, n in Counter(str(r.get(key)) for r in records).items() if n > 1]
    duplicates += [f"{object_name} {k}: more than one record" for k in sorted(twice)[:5]]
    return {str(r.get(key)): shown(r) for r in records
            if object_name != LINE.object_name or r.get(LINE.status) != "void"}


def _differences(what: str, ledger: dict[str, Shown],
                 hubspot: dict[str, Shown]) -> list[str]:
    """At most five, for the report; payouts' statuses are the ledger's words."""
    found = [f"{what} {k}: ledger {ledger.get(k)}, HubSpot {hubspot.get(k)}"
             for k in sorted(set(ledger) | set(hubspot)) if ledger.get(k) != hubspot.get(k)]
    return found[:5] + ([f"... {len(found) - 5} more"] if len(found) > 5 else [])
