"""Every Stripe route the stand-in answers, and the URL map that names them."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

from sandbox.stripe.routes import (
    catalog,
    connect,
    customers,
    events,
    invoices,
    subscriptions,
    webhook_endpoints,
)
from sandbox.stripe.routes.common import ApiCall, Handler, Route

ROUTES: list[Route] = [
    *customers.ROUTES,
    *catalog.ROUTES,
    *subscriptions.ROUTES,
    *invoices.ROUTES,
    *connect.ROUTES,
    *events.ROUTES,
    *webhook_endpoints.ROUTES,
]

HANDLERS: dict[str, Handler] = {route.endpoint: route.handler for route in ROUTES}


def url_map() -> Map:
    """Rules named by endpoint (`customers.update`), the names the call log counts."""
    return Map(
        [Rule(r.path, methods=[r.method], endpoint=r.endpoint) for r in ROUTES],
        strict_slashes=False,
    )


__all__ = ["HANDLERS", "ROUTES", "ApiCall", "Handler", "Route", "url_map"]
