"""The headers every answer of api.stripe.com carries, whatever produced the answer (the
API, the rate limiter's 429, an injected fault): `Stripe-Version`, the version the
request asked for or else the pinned one, and `Request-Id`. Control paths (`/_sandbox/`)
are not Stripe's and get neither."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sandbox.core.control import CONTROL_PREFIX
from sandbox.stripe.objects import PINNED_VERSION, new_id

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class StripeHeaders:
    """WSGI middleware adding the headers an answer lacks (the API sets its own
    `Request-Id`, which its events name)."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return self.app(environ, start_response)
        version = environ.get("HTTP_STRIPE_VERSION") or PINNED_VERSION

        def with_headers(status: str, headers: list[tuple[str, str]], exc_info: Any = None
                         ) -> Any:
            present = {name.lower() for name, _ in headers}
            extra = []
            if "stripe-version" not in present:
                extra.append(("Stripe-Version", version))
            if "request-id" not in present:
                extra.append(("Request-Id", new_id("request")))
            return start_response(status, [*headers, *extra], exc_info)

        return self.app(environ, with_headers)
