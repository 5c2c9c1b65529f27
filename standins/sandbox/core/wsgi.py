"""Small WSGI helpers shared by the stand-ins: JSON answers and endpoint naming."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "EndpointNamer",
    "StartResponse",
    "WSGIApplication",
    "WSGIEnvironment",
    "endpoint_namer",
    "json_response",
]

# (method, path) -> endpoint name used by the call log, limits and counters.
EndpointNamer = Callable[[str, str], str]

UNKNOWN_ENDPOINT = "unknown"


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON answer with `Content-Type: application/json;charset=utf-8`."""
    return Response(
        json.dumps(data),
        status=status,
        headers=dict(headers or {}),
        content_type="application/json;charset=utf-8",
    )


def endpoint_namer(url_map: Map) -> EndpointNamer:
    """Name a request by the endpoint of the rule it matches in `url_map`."""
    adapter = url_map.bind("sandbox.local")

    def name(method: str, path: str) -> str:
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            return UNKNOWN_ENDPOINT
        return str(endpoint)

    return name
