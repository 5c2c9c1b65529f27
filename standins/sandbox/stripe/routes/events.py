"""`/v1/events`: newest first, `type` (with `*`), `types[]`, `created`; 30 days kept."""

from __future__ import annotations

from sandbox.stripe.objects import JSON
from sandbox.stripe.routes.common import ApiCall, Route


def list_(call: ApiCall) -> JSON:
    call.only_list("type", "types", "created", "delivery_success")
    events = call.state.events.newest_first(call.params)
    return call.page(events, "/v1/events", "event")


def retrieve(call: ApiCall, id: str) -> JSON:
    call.only()
    return call.serve(call.state.events.get(id))


ROUTES = [
    Route("GET", "/v1/events", "events.list", list_),
    Route("GET", "/v1/events/<id>", "events.retrieve", retrieve),
]
