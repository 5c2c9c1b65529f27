"""The WSGI app answering Stripe's `/v1` paths: auth, form decoding, idempotency, routing."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from sandbox.stripe import errors
from sandbox.stripe.errors import StripeError
from sandbox.stripe.events import CURRENT_REQUEST
from sandbox.stripe.forms import Params, decode_params
from sandbox.stripe.idempotency import IdempotencyStore, fingerprint
from sandbox.stripe.objects import new_id
from sandbox.stripe.permissions import KeyPermissions
from sandbox.stripe.routes import HANDLERS, ApiCall, url_map
from sandbox.stripe.state import StripeState

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)


class StripeApi:
    """Answers one request the way api.stripe.com would, against `state`."""

    def __init__(
        self, state: StripeState, idempotency: IdempotencyStore, api_key: str | None,
        permissions: KeyPermissions | None = None,
    ) -> None:
        self.state = state
        self.idempotency = idempotency
        self.api_key = api_key
        self.permissions = permissions or KeyPermissions()
        self.url_map = url_map()

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        """The answer; `sandbox.stripe.headers` adds `Stripe-Version` to it (and to the
        answers that never reach the API: 429s, faults)."""
        request_id = new_id("request")
        headers = {"Request-Id": request_id}
        try:
            status, body = self._answer(request, request_id, headers)
        except StripeError as error:
            status, body = error.status, _encode(error.body())
        return Response(body, status=status, headers=headers, content_type="application/json")

    def _answer(
        self, request: Request, request_id: str, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        api_key = self._authenticate(request)
        endpoint, values = self._match(request)
        self.permissions.check(api_key, request.method, endpoint)
        params = _params(request)
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key:
            return self._execute(endpoint, values, params, request_id, None)
        headers["Idempotency-Key"] = key
        outcome = self.idempotency.run(
            key, request.path, fingerprint(request.method, request.path, params), request_id,
            lambda: self._execute(endpoint, values, params, request_id, key),
        )
        if outcome.replayed:
            headers["Idempotent-Replayed"] = "true"
            headers["Original-Request"] = outcome.original_request
        return outcome.status, outcome.body

    def _authenticate(self, request: Request) -> str:
        """The request's key, when the account accepts it: the sandbox's key (any `sk_`
        or `rk_` one when it has none) or a registered restricted key."""
        auth = request.authorization
        if auth is None:
            raise errors.missing_api_key()
        key = auth.token if auth.type == "bearer" else auth.username
        if not key:
            raise errors.missing_api_key()
        if key in self.permissions:
            return key
        if self.api_key is not None and key != self.api_key:
            raise errors.invalid_api_key(key)
        if self.api_key is None and not key.startswith(("sk_", "rk_")):
            raise errors.invalid_api_key(key)
        return key

    def _match(self, request: Request) -> tuple[str, dict[str, Any]]:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
        except HTTPException:
            raise StripeError.unrecognized_url(request.method, request.path) from None
        return str(endpoint), dict(values)

    def _execute(
        self,
        endpoint: str,
        values: dict[str, Any],
        params: Params,
        request_id: str,
        key: str | None,
    ) -> tuple[int, bytes]:
        token = CURRENT_REQUEST.set({"id": request_id, "idempotency_key": key})
        try:
            with self.state.lock:
                body = HANDLERS[endpoint](ApiCall(self.state, params), **values)
            return 200, _encode(body)
        except StripeError as error:
            return error.status, _encode(error.body())
        except Exception:  # a sandbox bug answers as Stripe's own failures do
            log.exception("stripe sandbox: %s failed", endpoint)
            return 500, _encode(errors.server_error_body(500))
        finally:
            CURRENT_REQUEST.reset(token)


def _params(request: Request) -> Params:
    pairs = list(request.args.items(multi=True))
    if request.method == "POST":
        pairs += list(request.form.items(multi=True))
    return decode_params(pairs)


def _encode(body: Any) -> bytes:
    return json.dumps(body, indent=2).encode()
