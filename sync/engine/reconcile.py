"""Recomputed lines against the ledger: identity, freezing, adjustments (R16, R17).

A line keeps its identity across runs. Until it is in a payout it is replaced by its
new value, or voided when it has none; once in a payout it never changes. When a
frozen customer-month is recomputed higher, one ``adjustment`` line carries the
difference to the next payout; when lower, nothing is taken back and the difference
is reported as unrecovered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sync.domain.decisions import CommissionLine, LineChange, LineKind, Unrecovered, line_id
from sync.domain.money import eur
from sync.domain.months import Month, month_label

_Key = tuple[str, str, Month]  # (partner, customer, month): a customer-month


def _key(line: CommissionLine) -> _Key:
    return (line.partner_id, line.customer_id, line.month)


@dataclass(frozen=True, slots=True)
class Reconciled:
    lines: dict[str, CommissionLine]  # every live line after the run, by id
    changes: tuple[LineChange, ...]
    unrecovered: tuple[Unrecovered, ...]


def _adjustment(recomputed: Sequence[CommissionLine], frozen_amount: int, found: Month,
                existing: CommissionLine | None) -> CommissionLine:
    template = recomputed[0]
    total = sum(line.amount for line in recomputed)
    found_month = existing.found_month if existing is not None else found
    assert found_month is not None
    explanation = (
        f"R17 adjustment for {month_label(template.month)} found {month_label(found_month)}: "
        f"recomputed {eur(total)} - already paid out {eur(frozen_amount)} = "
        f"{eur(total - frozen_amount)}; recomputed as: {template.explanation}"
    )
    return replace(
        template,
        id=line_id(template.partner_id, template.customer_id, template.month,
                   LineKind.ADJUSTMENT, found_month),
        kind=LineKind.ADJUSTMENT,
        amount=total - frozen_amount,
        explanation=explanation,
        found_month=found_month,
        payout_id=None,
    )


def _group(lines: Iterable[CommissionLine]) -> dict[_Key, list[CommissionLine]]:
    grouped: dict[_Key, list[CommissionLine]] = defaultdict(list)
    for line in lines:
        grouped[_key(line)].append(line)
    return grouped


def reconcile(desired: Iterable[CommissionLine], prior: Iterable[CommissionLine],
              found_month: Month, held_partners: frozenset[str] = frozenset()) -> Reconciled:
    """``held_partners``: partners with ledger lines that were not read this run; their
    lines stay exactly as they are until they are read again. Manual lines (R34) are
    finance's, not a recompute's: they too pass through unchanged."""
    prior_by_id = {line.id: line for line in prior}
    held = {key: line for key, line in prior_by_id.items()
            if line.partner_id in held_partners or line.kind is LineKind.MANUAL}
    prior_by_id = {key: line for key, line in prior_by_id.items() if key not in held}
    frozen = _group(line for line in prior_by_id.values() if line.frozen)
    open_adjustments = {
        _key(line): line for line in prior_by_id.values()
        if not line.frozen and line.kind is LineKind.ADJUSTMENT
    }
    result = {line.id: line for group in frozen.values() for line in group}
    unrecovered: list[Unrecovered] = []
    wanted = _group(desired)
    for key in sorted(wanted.keys() | frozen.keys()):
        recomputed = wanted.get(key, [])
        if key not in frozen:
            result.update((line.id, line) for line in recomputed)
            continue
        frozen_amount = sum(line.amount for line in frozen[key])
        total = sum(line.amount for line in recomputed)
        if total > frozen_amount:
            adjustment = _adjustment(recomputed, frozen_amount, found_month,
                                     open_adjustments.get(key))
            # R16: a line in a payout never changes; an id collision would be a bug here.
            assert adjustment.id not in result, f"{adjustment.id} is frozen"
            result[adjustment.id] = adjustment
        elif total < frozen_amount:
            unrecovered.append(Unrecovered(key[0], key[1], key[2], frozen_amount, total))
    changes = tuple(_changes(prior_by_id, result))
    return Reconciled(result | held, changes, tuple(unrecovered))


def _changes(prior: dict[str, CommissionLine],
             after: dict[str, CommissionLine]) -> list[LineChange]:
    changes: list[LineChange] = []
    for line_key, line in after.items():
        previous = prior.get(line_key)
        if previous is None:
            changes.append(LineChange("created", line))
        elif previous != line:
            changes.append(LineChange("replaced", line, previous))
    for line_key, previous in prior.items():
        if line_key not in after:
            changes.append(LineChange("voided", previous, previous))
    return sorted(changes, key=lambda change: change.line.id)
