"""The Stripe stand-in: a stateful account the unchanged stripe-python SDK talks to.

    sandbox = StripeSandbox.from_fixtures(Path("fixtures/demo"), clock=clock)
    with SandboxServer(sandbox.wsgi_app) as server:
        client = stripe.StripeClient("sk_test_sandbox", base_addresses={"api": server.url})

Serves customers, products, prices, coupons, subscriptions, invoices (+ lines), Connect
accounts, transfers, balance and events at the API version pinned by the SDK, with
Stripe's pagination, `expand[]`, errors, idempotency and rate limits. See
`sandbox.stripe.control` for the `/_sandbox/records` actions.
"""

from sandbox.stripe.sandbox import DEFAULT_API_KEY, StripeSandbox

__all__ = ["DEFAULT_API_KEY", "StripeSandbox"]
