"""`/v1/webhook_endpoints`: create (the answer carries `secret`, once), retrieve, update
(`url`, `enabled_events`, `disabled`, `description`, `metadata`), delete, list.

Two departures from Stripe, both for a local sandbox: any http(s) URL is accepted
(Stripe refuses URLs that are not publicly reachable, `localhost` included), and an
event type is accepted by its form (`invoice.paid`, `*`), not against Stripe's list.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sandbox.stripe.errors import StripeError
from sandbox.stripe.forms import as_bool, as_list, require
from sandbox.stripe.objects import JSON, blank, reference
from sandbox.stripe.routes.common import ApiCall, Route, merged_metadata
from sandbox.stripe.webhook_endpoints import new_secret

EVENT_TYPE = re.compile(r"\*|[a-z_]+(\.[a-z_]+)+")


def _url(call: ApiCall, required: bool) -> str | None:
    if not required and "url" not in call.params:
        return None
    url = str(require(call.params, "url"))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StripeError.invalid_request(f"Invalid URL: {url}", param="url")
    return url


def _enabled_events(call: ApiCall, required: bool) -> list[str] | None:
    if not required and "enabled_events" not in call.params:
        return None
    events = [str(e) for e in as_list(require(call.params, "enabled_events"))]
    for index, name in enumerate(events):
        if not EVENT_TYPE.fullmatch(name):
            raise StripeError.invalid_request(
                f"Invalid enabled_events[{index}]: must be an event type such as "
                f"invoice.paid, or '*'", param=f"enabled_events[{index}]")
    return events


def create(call: ApiCall) -> JSON:
    call.only("url", "enabled_events", "description", "metadata", "api_version", "connect")
    url, events = _url(call, True), _enabled_events(call, True)
    endpoint = blank(
        "webhook_endpoint", call.state.now(), url=url, enabled_events=events,
        status="enabled", application=None, description=call.text("description"),
        api_version=call.text("api_version"),
        metadata=merged_metadata({}, call.params.get("metadata")),
    )
    secret = new_secret()
    call.state.webhook_endpoints.add(endpoint, secret)
    return call.serve(endpoint) | {"secret": secret}


def retrieve(call: ApiCall, id: str) -> JSON:
    call.only()
    return call.serve(call.state.webhook_endpoints.get(id))


def update(call: ApiCall, id: str) -> JSON:
    call.only("url", "enabled_events", "description", "metadata", "disabled")
    store = call.state.webhook_endpoints
    endpoint = store.get(id)
    url, events = _url(call, False), _enabled_events(call, False)
    disabled = as_bool(call.params, "disabled")
    if url is not None:
        endpoint["url"] = url
    if events is not None:
        endpoint["enabled_events"] = events
    if disabled is not None:
        endpoint["status"] = "disabled" if disabled else "enabled"
    if "description" in call.params:
        endpoint["description"] = call.text("description")
    if "metadata" in call.params:
        endpoint["metadata"] = merged_metadata(endpoint["metadata"], call.params["metadata"])
    store.replace(endpoint)
    return call.serve(endpoint)


def delete(call: ApiCall, id: str) -> JSON:
    call.only()
    call.state.webhook_endpoints.delete(id)
    return reference("deleted_webhook_endpoint") | {"id": id}


def list_(call: ApiCall) -> JSON:
    call.only_list()
    endpoints = call.state.webhook_endpoints.newest_first()
    return call.page(endpoints, "/v1/webhook_endpoints", "webhook_endpoint")


ROUTES = [
    Route("POST", "/v1/webhook_endpoints", "webhook_endpoints.create", create),
    Route("GET", "/v1/webhook_endpoints", "webhook_endpoints.list", list_),
    Route("GET", "/v1/webhook_endpoints/<id>", "webhook_endpoints.retrieve", retrieve),
    Route("POST", "/v1/webhook_endpoints/<id>", "webhook_endpoints.update", update),
    Route("DELETE", "/v1/webhook_endpoints/<id>", "webhook_endpoints.delete", delete),
]
