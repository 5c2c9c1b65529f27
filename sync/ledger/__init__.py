"""The durable ledger: commission lines, payouts, runs, cursors, outbox, job locks."""

from sync.ledger.errors import (
    DoublePaymentError,
    FrozenAttributionError,
    FrozenLineError,
    IllegalTransitionError,
    LedgerError,
    OutboxError,
    PayoutConflictError,
    RunStateError,
    StaleDecisionsError,
    UnknownRecordError,
)
from sync.ledger.records import Finding, LineVersion, OutboxEntry, PayoutRecord, RunRecord
from sync.ledger.store import Ledger
from sync.ledger.transitions import EXPORT_COLUMNS

__all__ = [
    "EXPORT_COLUMNS",
    "DoublePaymentError",
    "Finding",
    "FrozenAttributionError",
    "FrozenLineError",
    "IllegalTransitionError",
    "Ledger",
    "LedgerError",
    "LineVersion",
    "OutboxEntry",
    "OutboxError",
    "PayoutConflictError",
    "PayoutRecord",
    "RunRecord",
    "RunStateError",
    "StaleDecisionsError",
    "UnknownRecordError",
]
