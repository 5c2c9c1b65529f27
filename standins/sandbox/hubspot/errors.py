"""HubSpot's JSON error shape: `status`, `message`, `correlationId`, `category`, ..."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from werkzeug.wrappers import Response

from sandbox.core.wsgi import json_response

# Categories HubSpot uses for the statuses the sandbox answers on its own.
STATUS_CATEGORIES = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    404: "OBJECT_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    429: "RATE_LIMITS",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
}

STATUS_MESSAGES = {
    429: "You have reached your ten_secondly_rolling limit.",
    500: "internal error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def correlation_id() -> str:
    return str(uuid.uuid4())


def error_body(
    status: int,
    message: str,
    category: str | None = None,
    *,
    context: Mapping[str, list[str]] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": correlation_id(),
        "category": category or STATUS_CATEGORIES.get(status, "VALIDATION_ERROR"),
    }
    if context:
        body["context"] = dict(context)
    if errors:
        body["errors"] = errors
    return body


class HubSpotError(Exception):
    """Raised by handlers; answered as HubSpot's error JSON with `status`."""

    def __init__(
        self,
        status: int,
        message: str,
        category: str | None = None,
        *,
        context: Mapping[str, list[str]] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = error_body(status, message, category, context=context, errors=errors)

    def response(self) -> Response:
        return json_response(self.body, self.status)


def fault_response(status: int) -> Response:
    """The answer an injected fault gets, in HubSpot's shape."""
    body = error_body(status, STATUS_MESSAGES.get(status, "error"))
    if status == 429:
        body.update(errorType="RATE_LIMIT", policyName="TEN_SECONDLY_ROLLING")
    return json_response(body, status)


def not_found(label: str, object_id: str) -> HubSpotError:
    return HubSpotError(404, f"resource not found: {label} {object_id}", "OBJECT_NOT_FOUND",
                        context={"id": [object_id]})


def invalid(message: str, **context: list[str]) -> HubSpotError:
    return HubSpotError(400, message, "VALIDATION_ERROR", context=context or None)
