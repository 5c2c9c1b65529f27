"""``sync --as-of T --dry-run`` before the latest recorded sync: a replay, compared with
the ledger as it stood at T (docs/rules.md, Replaying the past; ``Ledger.view``).

On the small portal (January to October 2026) with every Connect account unable to
receive transfers (so payouts fail, R26, and are retried by later runs), world A syncs as
of 2026-09-01 and 2026-11-01, then replays 2026-10-01; world B syncs as of 2026-09-01
only and plans 2026-10-01, as an operator would have that day. The replay must show
exactly B's plan: September's lines and payouts, their writes and transfers; nothing of
October, which A's later run recorded, and nothing voided.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from jobs.dry_run import Plan, plan_lines, plan_run
from sync.domain.months import month_label
from tests.e2e.support import World, ledger_tables, open_world, sqlite_url, utc

SEPTEMBER_RUN, OCTOBER_REPLAY, NOVEMBER_RUN = (utc("2026-09-01"), utc("2026-10-01"),
                                                utc("2026-11-01"))


@dataclass(frozen=True)
class WouldDo:
    changes: list[tuple[str, str, str, int, str | None]]  # action, line, month, EUR, payout
    payouts: list[tuple[str, int, str, tuple[str, ...]]]
    writes: list[tuple[str, str, str]]  # kind, target, content hash
    transfers: list[tuple[str, int]]
    held: dict[str, str]
    statuses: list[str]  # of the payouts as the plan saw them


def what_it_would_do(plan: Plan) -> WouldDo:
    return WouldDo(
        [(c.action, c.line.id, month_label(c.line.month), c.line.amount, c.line.payout_id)
         for c in plan.decisions.changes],
        [(p.id, p.amount, p.status.value, p.line_ids) for p in plan.decisions.new_payouts],
        [(w.kind, w.target, w.content_hash) for w in plan.writes],
        [(p.id, p.amount) for p in plan.payable], plan.held,
        sorted(p.status.value for p in plan.payouts))


@pytest.fixture(scope="module")
def failing_fixtures(small_fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("failing") / "portal"
    shutil.copytree(small_fixtures, directory)
    accounts_file = directory / "stripe" / "accounts.json"
    accounts = json.loads(accounts_file.read_text(encoding="utf-8"))
    for account in accounts:
        account["capabilities"]["transfers"] = "inactive"
    accounts_file.write_text(json.dumps(accounts), encoding="utf-8")
    return directory


def plan_in(world: World) -> Plan:
    return plan_run(world.services(), OCTOBER_REPLAY)


def test_a_replay_shows_what_that_instant_would_have_done(failing_fixtures: Path,
                                                           tmp_path: Path) -> None:
    for name in ("then", "now"):
        (tmp_path / name).mkdir()
    with open_world(failing_fixtures, sqlite_url(tmp_path / "then")) as then:
        then.run(SEPTEMBER_RUN)
        expected = what_it_would_do(plan_in(then))
    with open_world(failing_fixtures, sqlite_url(tmp_path / "now")) as now:
        now.run(SEPTEMBER_RUN)
        now.run(NOVEMBER_RUN)
        before = ledger_tables(now.ledger())
        replay = plan_in(now)
        assert ledger_tables(now.ledger()) == before  # a dry run records nothing
        text = plan_lines(replay)
    done = what_it_would_do(replay)
    assert done == expected
    assert {(action, month) for action, _, month, _, _ in done.changes} == {
        ("created", "2026-09")}
    assert done.payouts and done.writes
    assert any(status == "failed" for status in done.statuses)  # retried by the later run
    assert text[1] == ("  as of:    2026-10-01T00:00:00+00:00, a replay; months closed up to "
                       "2026-09 (the latest sync closed them up to 2026-10)")
    assert text[2].startswith(
        "  ledger:   as it stood then: as run 1, sync as of 2026-09-01T00:00:00+00:00 left it, "
        "with finance's moves made before run 2, sync as of 2026-11-01T00:00:00+00:00 "
        "started (")
    assert text[2].endswith("); today's ledger (latest sync recorded: run 2, sync as of "
                            "2026-11-01T00:00:00+00:00) is not compared")
