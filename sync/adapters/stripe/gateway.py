"""The Stripe gateway: every read and write PartnerSync makes (docs/configuration.md, "Stripe:
what is read and written"), through the unchanged stripe-python SDK.

Each request: ``pacer.acquire()`` -> SDK call -> ``stripe_errors.classify`` ->
``call_with_retry`` (the one retry policy), with ``API_CALLS``, ``API_RETRIES`` and
``RATE_LIMITED`` counted. The SDK's own retries are off: ``max_network_retries=0``
makes ``HTTPClient._should_retry`` answer no before anything else, and the requests
session it uses keeps urllib3's ``Retry(0, read=False)``. Writes carry the caller's
idempotency key on every attempt, so a retry after a lost answer is replayed by Stripe
rather than executed twice (R26); a transfer's retry first looks for the transfer by its
group, in case Stripe no longer remembers the key.

Objects come back as plain JSON dicts, in the pinned API shapes the mapping layer reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

import requests
import stripe
import structlog
import urllib3
from stripe.params import TransferCreateParams

from sync.adapters.pacing import RollingWindowPacer
from sync.adapters.retry import RetryPolicy, call_with_retry
from sync.adapters.stripe.endpoints import WebhookEndpointMethods
from sync.adapters.stripe.errors import (
    API,
    classify,
    is_missing_account,
    retry_reason,
    status_class,
)
from sync.adapters.stripe.http import plain, read_all, stripe_client
from sync.errors import (
    ConfigurationError,
    RateLimited,
    RequestRejected,
    RetriableUpstreamError,
    UpstreamError,
)
from sync.runtime import fastjson
from sync.runtime.metrics import API_CALLS, API_RETRIES, RATE_LIMITED

JSON = dict[str, Any]
T = TypeVar("T")
Decode = Callable[[bytes], Any]  # a page's body -> its JSON
Page = tuple[list[JSON], bool]  # a listing's page: its objects, and whether more follow
PAGE_SIZE = 100  # Stripe's maximum: the fewest calls per listing
MAX_EVENT_TYPES = 20  # Stripe's limit on `types[]`
RETRIEVABLE = {"invoice": "invoices", "subscription": "subscriptions", "customer": "customers"}
CURRENCY = "eur"  # R26: partners are paid in EUR

log = structlog.get_logger(__name__)


class StripeGateway(WebhookEndpointMethods):
    """Stripe reads and writes for one run; built once per process."""

    def __init__(
        self,
        api_key: str,
        api_base: str,
        *,
        retry: RetryPolicy,
        pacer: RollingWindowPacer | None,
        timeout: float = 30,
    ) -> None:
        if not api_key:
            raise ConfigurationError("PARTNERSYNC_STRIPE_API_KEY must be set (see README)")
        self._secrets = (api_key,)
        self._retry = retry
        self._pacer = pacer
        client = stripe_client(api_key, api_base, timeout)
        self._client = client
        self._v1 = client.v1

    def __repr__(self) -> str:
        return "StripeGateway()"  # never the key

    # -- reads -------------------------------------------------------------------

    def customers(self) -> Iterator[JSON]:
        return self._list("customers.list", "/v1/customers", {})

    def prices(self) -> Iterator[JSON]:
        """Active and archived prices: old invoices still name archived ones."""
        return self._list("prices.list", "/v1/prices", {})

    def subscriptions(self, *, decode: Decode = fastjson.loads) -> Iterator[JSON]:
        return self._list("subscriptions.list", "/v1/subscriptions", {"status": "all"},
                          decode=decode)

    def invoices(self, created_gte: int | None = None, created_lt: int | None = None, *,
                 decode: Decode = fastjson.loads) -> Iterator[JSON]:
        """Every invoice (created in ``[created_gte, created_lt)`` when given) with ALL
        its lines: when the embedded first page says ``has_more``, the rest is read
        from ``/v1/invoices/{id}/lines`` and appended to ``lines.data`` (``has_more``
        then false), so callers pass no ``extra_lines``. ``decode`` turns a page's
        body into its JSON (a projection may leave out fields no caller reads)."""
        created = {name: value for name, value in (("gte", created_gte), ("lt", created_lt))
                   if value is not None}
        params: JSON = {"created": created} if created else {}
        for invoice in self._list("invoices.list", "/v1/invoices", params, decode=decode):
            yield self._with_all_lines(invoice)

    def invoice(self, invoice_id: str) -> JSON:
        """One invoice as it is now, with ALL its lines (as ``invoices`` gives them): for
        an event whose embedded invoice says ``lines.has_more``."""
        found = self._call("invoices.retrieve", partial(self._v1.invoices.retrieve, invoice_id))
        return self._with_all_lines(plain(found))

    def current(self, kind: str, object_id: str) -> JSON | None:
        """An invoice (with ALL its lines), subscription or customer as it is now, in the
        JSON Stripe sent (as listings give them); None when Stripe has it no more (404,
        or a deleted customer)."""
        path = f"/v1/{RETRIEVABLE[kind]}/{quote(object_id, safe='')}"
        try:
            found = self._call(f"{RETRIEVABLE[kind]}.retrieve", partial(self._page, path, {}))
        except RequestRejected as error:
            if error.status == 404:
                return None
            raise
        if found.get("deleted"):
            return None
        return self._with_all_lines(found) if kind == "invoice" else found

    def accounts(self) -> Iterator[JSON]:
        """Every Connect account of the platform, 100 a call (R26's refresh of them all)."""
        return self._list("accounts.list", "/v1/accounts", {})

    def account(self, account_id: str) -> JSON | None:
        """The Connect account, or None when it is deleted, unknown or disconnected."""
        try:
            found = self._call("accounts.retrieve",
                               partial(self._v1.accounts.retrieve, account_id))
        except RequestRejected as error:
            if is_missing_account(error):
                return None
            raise
        account = plain(found)
        return None if account.get("deleted") else account

    def events(self, types: Sequence[str], created_gt: int) -> list[JSON]:
        """Events of ``types`` created after ``created_gt``, oldest first (Stripe lists
        newest first)."""
        newest_first = [event for page, _ in self.event_pages(types, created_gt)
                        for event in page]
        return newest_first[::-1]

    def event_pages(self, types: Sequence[str], created_gt: int) -> Iterator[Page]:
        """The same events a page (one call) at a time, newest first, each with whether
        more follow: a caller may stop after any page without a call more."""
        if len(types) > MAX_EVENT_TYPES:
            raise ValueError(f"Stripe filters on at most {MAX_EVENT_TYPES} event types")
        params: JSON = {"types": list(types), "created": {"gt": created_gt}}
        return self._pages("events.list", "/v1/events", params)

    def peek(self, operation: str, path: str, params: JSON | None = None) -> JSON:
        """One answer as Stripe sent it, retried per the policy: ``partnersync doctor``'s
        harmless reads (a listing's first object, ``/v1/balance``)."""
        return self._call(operation, partial(self._page, path, dict(params or {})))

    # -- writes ------------------------------------------------------------------

    def update_customer_metadata(
        self, customer_id: str, metadata: dict[str, str], idempotency_key: str
    ) -> None:
        """Merge ``metadata`` into the customer's; a "" value removes that key (Stripe)."""
        if not metadata:
            return
        update = partial(self._v1.customers.update, customer_id,
                         params={"metadata": dict(metadata)},
                         options={"idempotency_key": idempotency_key})
        self._call("customers.update", update)

    def find_transfer(self, transfer_group: str) -> JSON | None:
        """The transfer already made for ``transfer_group`` (R26: adopt if found).

        More than one means a payout was paid twice: the oldest is returned and the
        duplicates are logged loudly for finance to reverse.
        """
        listed = self._list("transfers.list", "/v1/transfers",
                            {"transfer_group": transfer_group})
        found = sorted(listed, key=lambda t: (t.get("created") or 0, t["id"]))
        if len(found) > 1:
            log.error("stripe.duplicate_transfers", transfer_group=transfer_group,
                      transfer_ids=[t["id"] for t in found])
        return found[0] if found else None

    def create_transfer(
        self,
        *,
        amount: int,
        destination: str,
        transfer_group: str,
        description: str,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> JSON:
        """A Connect transfer in EUR (R26); the key is ``<payout id>-<attempt number>``."""
        if amount <= 0:
            raise ValueError(f"a transfer needs a positive amount in cents, got {amount}")
        params: TransferCreateParams = {
            "amount": amount,
            "currency": CURRENCY,
            "destination": destination,
            "transfer_group": transfer_group,
            "description": description,
            "metadata": dict(metadata),
        }
        create = partial(self._v1.transfers.create, params=params,
                         options={"idempotency_key": idempotency_key})
        sent = False

        def attempt() -> JSON:
            # A retry after a lost answer is replayed by Stripe under the key -- unless
            # Stripe has forgotten the key (expired): so before sending again, look for
            # the transfer the earlier attempt may have made (R26: at most once).
            nonlocal sent
            if sent:
                made = self._made_transfer(transfer_group)
                if made is not None:
                    log.warning("stripe.transfer_found_on_retry", transfer_group=transfer_group,
                                transfer_id=made["id"])
                    return made
            sent = True
            return plain(self._attempt("transfers.create", create))

        return call_with_retry(attempt, self._retry, on_retry=_count_retry,
                               what="transfers.create")

    def _made_transfer(self, transfer_group: str) -> JSON | None:
        """The oldest transfer of the group, from one listing call (not retried alone:
        it is part of a ``create_transfer`` attempt, which the policy retries)."""
        listing = partial(self._v1.transfers.list,
                          params={"transfer_group": transfer_group, "limit": PAGE_SIZE})
        page = self._attempt("transfers.list", listing)
        found = sorted((plain(obj) for obj in page.data),
                       key=lambda t: (t.get("created") or 0, t["id"]))
        return found[0] if found else None

    # -- plumbing ----------------------------------------------------------------

    def _with_all_lines(self, invoice: JSON) -> JSON:
        lines = invoice.get("lines")
        if not isinstance(lines, dict) or not lines.get("has_more"):
            return invoice
        first_page: list[JSON] = list(lines.get("data") or [])
        cursor = first_page[-1]["id"] if first_page else None
        rest = self._list("invoices.lines", f"/v1/invoices/{invoice['id']}/lines", {},
                          starting_after=cursor)
        invoice["lines"] = {**lines, "data": [*first_page, *rest], "has_more": False}
        return invoice

    def _list(self, operation: str, path: str, params: JSON,
              starting_after: str | None = None, *,
              decode: Decode = fastjson.loads) -> Iterator[JSON]:
        """Every object of a listing, page by page (limit 100); each page retried alone."""
        for items, _ in self._pages(operation, path, params, starting_after, decode=decode):
            yield from items

    def _pages(self, operation: str, path: str, params: JSON,
               starting_after: str | None = None, *,
               decode: Decode = fastjson.loads) -> Iterator[Page]:
        cursor = starting_after
        while True:
            page_params = {**params, "limit": PAGE_SIZE}
            if cursor is not None:
                page_params["starting_after"] = cursor
            page = self._call(operation, partial(self._page, path, page_params, decode))
            items: list[JSON] = [item for item in page.get("data") or () if isinstance(item, dict)]
            more = bool(page.get("has_more")) and bool(items)
            yield items, more
            if not more:
                return
            cursor = items[-1]["id"]

    def _page(self, path: str, params: JSON, decode: Decode = fastjson.loads) -> JSON:
        """One page as the JSON Stripe sent, decoded once. Through the SDK's streaming
        request (what it uses for PDFs): its ordinary answer is decoded into
        OrderedDicts and logged as text, whether or not anyone listens, which for
        345,000 invoices cost minutes of CPU. Failures are raised as the SDK's errors,
        for ``classify``."""
        answer = self._client._requestor.request_stream(
            "get", path, params, base_address="api", usage=["list_page"])
        try:
            raw = read_all(answer.io)
        except (OSError, urllib3.exceptions.HTTPError, requests.RequestException) as error:
            raise stripe.APIConnectionError(  # type: ignore[no-untyped-call]
                f"the answer was cut off while reading it ({type(error).__name__})") from None
        finally:
            answer.io.close()
        try:
            page = decode(raw)
        except ValueError:
            raise stripe.APIError("the answer is not JSON", http_status=200) from None
        if not isinstance(page, dict):
            raise stripe.APIError("the answer is not a JSON object", http_status=200)
        return page

    def _call(self, operation: str, request: Callable[[], T]) -> T:
        attempt = partial(self._attempt, operation, request)
        return call_with_retry(attempt, self._retry, on_retry=_count_retry, what=operation)

    def _attempt(self, operation: str, request: Callable[[], T]) -> T:
        if self._pacer is not None:
            self._pacer.acquire()
        try:
            result = request()
        except stripe.StripeError as error:
            failure = classify(error, operation, self._secrets)
            _count_failure(operation, failure)
            raise failure from None  # the SDK error may quote a masked key
        API_CALLS.labels(api=API, operation=operation, status="2xx").inc()
        return result


def _count_failure(operation: str, failure: UpstreamError) -> None:
    API_CALLS.labels(api=API, operation=operation, status=status_class(failure)).inc()
    if isinstance(failure, RateLimited):
        RATE_LIMITED.labels(api=API).inc()


def _count_retry(error: RetriableUpstreamError, attempt: int) -> None:
    API_RETRIES.labels(api=API, reason=retry_reason(error)).inc()
