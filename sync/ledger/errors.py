"""Ledger errors, and scrubbing of error text before it is stored.

Every refusal of the ledger is a ``LedgerError``, so the worker can stop a run on any
of them without catching database driver errors by name.
"""

from __future__ import annotations

from sync.errors import ConfigurationError
from sync.errors import LedgerError as _LedgerError
from sync.runtime.logs import redact_secret_shapes

MAX_ERROR_LENGTH = 2000


def scrub(text: str) -> str:
    """Error text as it may be stored: known secret shapes removed, length bounded."""
    return redact_secret_shapes(text)[:MAX_ERROR_LENGTH]


# The worker's one ledger refusal type (sync.errors), so the CLI reports it like any
# other PartnerSyncError; the subclasses below say which refusal.
LedgerError = _LedgerError


class UnknownRecordError(LedgerError):
    """A run, payout, line or outbox entry that the ledger does not hold."""


class IllegalTransitionError(LedgerError):
    """A payout status change that docs/rules.md does not allow, or not for this actor."""


class DoublePaymentError(IllegalTransitionError):
    """A second, different payment recorded for a payout already paid (R26)."""


class FrozenLineError(LedgerError):
    """Decisions that would change or drop a line already in a payout (R16)."""


class PayoutConflictError(LedgerError):
    """A payout whose id exists with other content, or inconsistent with its lines (R24)."""


class StaleDecisionsError(LedgerError):
    """Decisions computed from a ledger state other than the one stored: reload, rerun."""


class RunStateError(LedgerError):
    """A run finished twice, or decisions recorded for a dry or finished run."""


class OutboxError(LedgerError):
    """An outbox entry confirmed or failed against its current status."""


class FrozenAttributionError(LedgerError):
    """Decisions that would change or drop a frozen attribution (R10a)."""


class LedgerMissing(ConfigurationError):
    """A command that only reads the ledger found none where the URL points (exit 2)."""
