"""The worker's exception tree, in the spirit of httpx's and Singer SDK's.

Adapters translate every vendor failure into one of these at the boundary, so the
retry policy and the command line decide on *our* types, never on SDK internals:

    PartnerSyncError
    ├── ConfigurationError            exit 2
    ├── DatabaseUnavailable           the ledger's database did not answer: exit 3
    ├── LedgerError                   the ledger refused an operation (sync.ledger.errors)
    └── UpstreamError                 an API call failed
        ├── RetriableUpstreamError    worth another try (the retry policy's whole set)
        │   ├── RateLimited           429; ``retry_after`` seconds when the API said
        │   ├── ServerError           5xx, Stripe lock timeouts
        │   └── NetworkError          timeouts, refused or dropped connections
        └── FatalUpstreamError        retrying cannot help
            ├── AuthenticationError   401/403: exit 2, the credentials are configuration
            ├── RequestRejected       4xx validation, card, idempotency errors
            │   └── SetupRejected     4xx on the account's setup (unknown property,
            │                         pipeline or stage): the record is fine
            └── DailyLimitReached     HubSpot DAILY policy: stop the run, exit 3

Messages never carry secrets: adapters build them from status, code and request path.
"""

from __future__ import annotations


class PartnerSyncError(Exception):
    """Base of every error the worker raises on purpose."""


class ConfigurationError(PartnerSyncError):
    """A missing or malformed setting; the CLI exits with status 2."""


class DatabaseUnavailable(PartnerSyncError):
    """The ledger's database refused the connection or dropped it; the CLI exits 3."""


class LedgerError(PartnerSyncError):
    """The ledger refused an operation (an illegal payout transition, say)."""


class UpstreamError(PartnerSyncError):
    def __init__(self, message: str, *, api: str, status: int | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.api = api
        self.status = status
        self.code = code


class RetriableUpstreamError(UpstreamError):
    """Transient: the shared retry policy tries again."""


class RateLimited(RetriableUpstreamError):
    def __init__(self, message: str, *, api: str, retry_after: float | None = None,
                 policy: str | None = None, status: int | None = 429) -> None:
        super().__init__(message, api=api, status=status, code="rate_limited")
        self.retry_after = retry_after
        self.policy = policy


class ServerError(RetriableUpstreamError):
    pass


class NetworkError(RetriableUpstreamError):
    pass


class FatalUpstreamError(UpstreamError):
    """Retrying cannot help; the record or the run fails with this reason."""


class AuthenticationError(FatalUpstreamError):
    pass


class RequestRejected(FatalUpstreamError):
    pass


class SetupRejected(RequestRejected):
    """HubSpot refused the request because of its account's setup or ours, not the
    record's values: a property that does not exist there, a pipeline or stage that is
    not one of its options. Fixing the configuration makes the same record pass."""


class DailyLimitReached(FatalUpstreamError):
    """HubSpot's daily quota is spent: stop cleanly (exit 3) and resume tomorrow."""
