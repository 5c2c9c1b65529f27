"""Stripe's error shape: `{"error": {"type", "code", "message", "param", "doc_url"}}`."""

from __future__ import annotations

from typing import Any

DOCS = "https://stripe.com/docs/error-codes/"


class StripeError(Exception):
    """An API error answered with Stripe's status code and body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.code = code
        self.param = param

    def body(self) -> dict[str, Any]:
        return error_body(self.message, type_=self.type, code=self.code, param=self.param)

    @classmethod
    def invalid_request(
        cls, message: str, *, param: str | None = None, code: str | None = None
    ) -> StripeError:
        return cls(400, message, code=code, param=param)

    @classmethod
    def resource_missing(cls, kind: str, object_id: str, param: str = "id") -> StripeError:
        return cls(
            404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param
        )

    @classmethod
    def unknown_parameter(cls, name: str) -> StripeError:
        return cls(
            400, f"Received unknown parameter: {name}", code="parameter_unknown", param=name
        )

    @classmethod
    def unrecognized_url(cls, method: str, path: str) -> StripeError:
        return cls(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/.",
        )


def error_body(
    message: str,
    *,
    type_: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
) -> dict[str, Any]:
    """The JSON body Stripe answers an error with (keys it omits when empty stay out)."""
    error: dict[str, Any] = {"message": message, "type": type_}
    if code is not None:
        error["code"] = code
        error["doc_url"] = DOCS + code.replace("_", "-")
    if param is not None:
        error["param"] = param
    return {"error": error}


def missing_api_key() -> StripeError:
    return StripeError(
        401,
        "You did not provide an API key. You need to provide your API key in the "
        "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
        "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
        "or we can help at https://support.stripe.com/.",
    )


def invalid_api_key(key: str) -> StripeError:
    masked = key[:8] + "*" * max(0, len(key) - 12) + key[-4:] if len(key) > 12 else key
    return StripeError(401, f"Invalid API Key provided: {masked}")


def rate_limited_body() -> dict[str, Any]:
    return error_body(
        "Request rate limit exceeded. You can learn more about rate limits here "
        "https://stripe.com/docs/rate-limits.",
        code="rate_limit",
    )


def server_error_body(status: int) -> dict[str, Any]:
    """What Stripe answers on its own failures (500/502/503)."""
    if status == 429:
        return rate_limited_body()
    return error_body(
        "An unknown error occurred. Please try again later.", type_="api_error"
    )
