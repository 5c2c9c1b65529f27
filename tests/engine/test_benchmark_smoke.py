"""The benchmark's generator and engine run at a tiny scale: correctness only, no timing."""

from collections import defaultdict

from benchmarks.engine import invoice_lines, run
from benchmarks.generate import Scale


def test_benchmark_generates_and_decides_a_small_programme() -> None:
    result = run(Scale(customers=300, months=6, seed=1))
    ledger = result.decisions.ledger
    assert invoice_lines(result.inputs) >= 300 * 6 - 300  # yearly plans bill once
    assert ledger.lines
    assert ledger.payouts
    by_payout: dict[str, int] = defaultdict(int)
    for line in ledger.lines:
        if line.payout_id is not None:
            by_payout[line.payout_id] += line.amount
    assert {payout.id: payout.amount for payout in ledger.payouts} == dict(by_payout)  # R22


def test_benchmark_generation_is_deterministic() -> None:
    scale = Scale(customers=50, months=3, seed=5)
    assert run(scale).inputs == run(scale).inputs
