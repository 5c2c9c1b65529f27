"""`StripeSandbox`: the Stripe stand-in assembled on the shared sandbox core."""

from __future__ import annotations

from pathlib import Path

from werkzeug.wrappers import Response

from sandbox.core import (
    CallLog,
    FaultSwitch,
    SandboxApp,
    SandboxClock,
    VendorParts,
    endpoint_namer,
    json_response,
)
from sandbox.stripe.api import StripeApi
from sandbox.stripe.control import StripeControl
from sandbox.stripe.errors import server_error_body
from sandbox.stripe.fixtures import load_fixtures
from sandbox.stripe.headers import StripeHeaders
from sandbox.stripe.idempotency import DEFAULT_TTL_SECONDS, IdempotencyStore
from sandbox.stripe.limits import StripeRateLimits, mode_of_key
from sandbox.stripe.permissions import KeyPermissions
from sandbox.stripe.state import StripeState
from sandbox.stripe.webhooks import StripeWebhooks

DEFAULT_API_KEY = "sk_test_sandbox"


class StripeSandbox:
    """A stateful Stripe account served over WSGI to the unchanged stripe-python SDK.

    `wsgi_app` answers `/v1/...` (through the core's call log, faults and rate limits;
    every answer with `Stripe-Version` and `Request-Id`) and `/_sandbox/...` (the
    control endpoint, with Stripe's `records` actions, and `webhooks`). Each recorded
    event is posted to the webhook endpoints from a background sender, which `close()`
    stops. `api_key=None` accepts any `sk_`/`rk_` key.
    """

    def __init__(
        self,
        *,
        clock: SandboxClock | None = None,
        api_key: str | None = DEFAULT_API_KEY,
        idempotency_ttl_seconds: float = DEFAULT_TTL_SECONDS,
        invoice_lines_page_size: int = 10,
    ) -> None:
        self.clock = clock or SandboxClock()
        self.api_key = api_key
        self.state = StripeState(self.clock)
        self.state.lines_page_size = invoice_lines_page_size
        self.idempotency = IdempotencyStore(self.clock, idempotency_ttl_seconds)
        self.calls = CallLog(self.clock.now)
        self.faults = FaultSwitch()
        self.limits = StripeRateLimits(self.clock, mode_of_key(api_key))
        self.permissions = KeyPermissions()  # restricted keys: `restrict_key`
        self.api = StripeApi(self.state, self.idempotency, api_key, self.permissions)
        self.control = StripeControl(self.state, self.idempotency, self.permissions)
        self.webhooks = StripeWebhooks(self.state)  # delivers every event it records
        self.wsgi_app = StripeHeaders(SandboxApp(
            VendorParts(
                app=self.api,
                endpoint_of=endpoint_namer(self.api.url_map),
                error_response=_error_response,
                limits=self.limits,
                load_fixtures=self._load_more_fixtures,
                change_records=self.control,
                webhooks=self.webhooks.hub,
            ),
            clock=self.clock,
            calls=self.calls,
            faults=self.faults,
        ))

    @classmethod
    def from_fixtures(
        cls,
        path: Path | None,
        *,
        clock: SandboxClock | None = None,
        api_key: str | None = DEFAULT_API_KEY,
        idempotency_ttl_seconds: float = DEFAULT_TTL_SECONDS,
        invoice_lines_page_size: int = 10,
    ) -> StripeSandbox:
        """A sandbox seeded from a fixture set (no events: the seed is the starting state).

        `path` is the set (holding `stripe/`) or its `stripe/` folder; None starts empty.
        """
        sandbox = cls(
            clock=clock,
            api_key=api_key,
            idempotency_ttl_seconds=idempotency_ttl_seconds,
            invoice_lines_page_size=invoice_lines_page_size,
        )
        if path is not None:
            load_fixtures(sandbox.state, Path(path))
        return sandbox

    def _load_more_fixtures(self, path: Path) -> dict[str, int]:
        # Objects appearing while serving are changes: record their `*.created` events.
        return load_fixtures(self.state, path, emit_events=True)

    def close(self) -> None:
        """Stop the webhook sender (what is still queued is not sent)."""
        self.webhooks.close()

    def restrict_key(self, key: str, levels: dict[str, str]) -> dict[str, str]:
        """Accept the restricted ``key`` with ``levels`` (``{"invoices": "read", ...}``;
        resources left out: none), answering 403 beyond them as Stripe does."""
        return self.permissions.restrict(key, levels)

    def set_balance(self, cents: int, currency: str = "eur") -> None:
        """The platform's available balance that transfers draw from."""
        self.state.set_balance(cents, currency)

    @property
    def idempotency_ttl_seconds(self) -> float:
        return self.idempotency.ttl_seconds

    @idempotency_ttl_seconds.setter
    def idempotency_ttl_seconds(self, seconds: float) -> None:
        self.idempotency.ttl_seconds = seconds


def _error_response(status: int) -> Response:
    return json_response(server_error_body(status), status)
