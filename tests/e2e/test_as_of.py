"""``--as-of`` (docs/rules.md): a later instant adds only the months it closes; frozen
lines never change (R16); and the result does not depend on how often the worker ran
(R22: payout points are evaluated in order)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from sync.ledger import Ledger
from sync.ledger.models import LineRow, LineVersionRow
from tests.e2e.support import (
    DEMO,
    DEMO_AS_OF,
    World,
    comparable,
    ledger_lines,
    ledger_payouts,
    open_world,
    sqlite_url,
    utc,
)

OCTOBER_CLOSED = DEMO_AS_OF  # the shared demo world ran once as of this instant
SEPTEMBER_CLOSED = utc("2026-10-01")


def versions_of_run(ledger: Ledger, run_id: int) -> list[tuple[str, str, str, str]]:
    """(line id, action, line month, line kind) of what one run did to lines."""
    with ledger.transaction() as session:
        rows = session.execute(
            select(LineVersionRow.line_id, LineVersionRow.action, LineRow.month, LineRow.kind)
            .join(LineRow, LineRow.id == LineVersionRow.line_id)
            .where(LineVersionRow.run_id == run_id))
        return [(row[0], row[1], row[2], row[3]) for row in rows]


def last_run_id(ledger: Ledger) -> int:
    last = ledger.last_run("sync")
    assert last is not None
    return last.id


def test_a_later_as_of_adds_only_the_new_month(demo_world: World, tmp_path: Path) -> None:
    """As of 2026-10-01, then 2026-11-01: the second run creates only October's lines,
    leaves frozen lines alone (R16) and makes no R17 adjustment in the demo; the end
    state is one run's as of 2026-11-01 (R22)."""
    with open_world(DEMO, sqlite_url(tmp_path)) as world:
        world.run(SEPTEMBER_CLOSED)
        frozen = {line_id for line_id, (_, payout, _) in ledger_lines(world.ledger()).items()
                  if payout is not None}
        assert frozen, "payouts as of 2026-10-01 freeze lines (R16, R22)"

        world.run(OCTOBER_CLOSED)
        ledger = world.ledger()
        done = versions_of_run(ledger, last_run_id(ledger))
        created = [(line, month, kind) for line, action, month, kind in done
                   if action == "created"]
        assert created, "October 2026 is closed: its lines are created"
        assert {month for _, month, _ in created} == {"2026-10"}
        assert all(kind != "adjustment" for _, _, kind in created)  # R17: none in the demo
        assert [entry for entry in done if entry[0] in frozen] == []  # R16: frozen
        assert all(action != "voided" for _, action, _, _ in done)

        # R22: the same lines and payouts as one run as of 2026-11-01 on a fresh world.
        assert ledger_lines(ledger) == ledger_lines(demo_world.ledger())
        assert ledger_payouts(ledger) == ledger_payouts(demo_world.ledger())
        assert comparable(world.line_records()) == comparable(demo_world.line_records())
        assert comparable(world.payout_records()) == comparable(demo_world.payout_records())
