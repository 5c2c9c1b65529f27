"""Request parsing and response shapes shared by the HubSpot handlers."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.core.wsgi import json_response
from sandbox.hubspot.errors import invalid
from sandbox.hubspot.records import WriteSource
from sandbox.hubspot.state import API_SOURCE

JsonObject = dict[str, Any]

MAX_BATCH_INPUTS = 100  # object and property batches (docs/sandbox.md, "Batch limits")
SOURCE_KEY = "sandbox.hubspot.source"  # environ key: who the request's token acts as


def write_source(request: Request) -> WriteSource:
    """Who the request's writes are by, as the app authenticated it."""
    source = request.environ.get(SOURCE_KEY)
    return source if isinstance(source, WriteSource) else API_SOURCE


def list_param(request: Request, name: str) -> list[str] | None:
    """A list query parameter, repeated (`?p=a&p=b`) or comma-separated (`?p=a,b`)."""
    raw = request.args.getlist(name)
    if not raw:
        return None
    return [item for value in raw for item in value.split(",") if item]


def bool_param(request: Request, name: str) -> bool:
    return request.args.get(name, "false").lower() == "true"


def json_body(request: Request) -> JsonObject:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise invalid("Invalid input JSON: expected an object")
    return body


def json_list_body(request: Request) -> list[Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, list):
        raise invalid("Invalid input JSON: expected an array")
    return body


def batch_inputs(body: JsonObject, limit: int = MAX_BATCH_INPUTS) -> list[JsonObject]:
    """The `inputs` of a batch call; more than `limit` is a 400 VALIDATION_ERROR, the
    whole request refused."""
    inputs = body.get("inputs")
    if not isinstance(inputs, list):
        raise invalid("inputs is required")
    if len(inputs) > limit:
        raise invalid(f"Too many inputs: {len(inputs)} (at most {limit})",
                      inputs=[str(len(inputs))])
    return inputs


def batch_response(results: list[Any], errors: list[JsonObject], started: str, now: str,
                   ok_status: int = 200) -> Response:
    """A batch answer: `ok_status` when all succeeded, 207 multi-status with errors if not."""
    body: JsonObject = {"status": "COMPLETE", "results": results, "startedAt": started,
                        "completedAt": now}
    if errors:
        body.update(numErrors=len(errors), errors=errors)
        return json_response(body, 207)
    return json_response(body, ok_status)


def batch_error(category: str, message: str, context: dict[str, list[str]]) -> JsonObject:
    """One StandardError in a 207 answer."""
    return {"status": "error", "category": category, "message": message,
            "context": context, "links": {}, "errors": []}
