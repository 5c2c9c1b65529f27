"""`HubSpotSandbox`: the HubSpot stand-in assembled on the shared sandbox core."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.core import CallLog, FaultSwitch, SandboxApp, SandboxClock, VendorParts
from sandbox.core.wsgi import endpoint_namer
from sandbox.hubspot.app import URL_MAP, HubSpotApp
from sandbox.hubspot.errors import fault_response
from sandbox.hubspot.fixtures import load_fixtures
from sandbox.hubspot.ratelimit import HubSpotRateLimits
from sandbox.hubspot.records import WriteSource
from sandbox.hubspot.render import render_record
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.webhooks import HubSpotWebhooks

if TYPE_CHECKING:
    from sandbox.core.wsgi import StartResponse, WSGIEnvironment

DEFAULT_TOKEN = "sandbox-hubspot-token"

JsonObject = dict[str, Any]


class HubSpotSandbox:
    """State, call log, faults, limits and webhooks of one HubSpot stand-in, and its WSGI
    app. `close()` stops the webhook sender."""

    def __init__(self, *, clock: SandboxClock | None = None, token: str | None = DEFAULT_TOKEN,
                 strict_properties: bool = True, index_lag_seconds: float = 0.0,
                 token_scopes: list[str] | None = None, **limits: Any) -> None:
        self.clock = clock or SandboxClock()
        self.state = HubSpotState(self.clock, strict_properties=strict_properties,
                                  index_lag_seconds=index_lag_seconds)
        if token_scopes is not None:  # what the token introspection reports
            self.state.private_app.set_scopes(token_scopes)
        self.calls = CallLog(self.clock.now)
        self.faults = FaultSwitch()
        self.limits = HubSpotRateLimits(self.clock, **limits)
        self.vendor_app = HubSpotApp(self.state, token)
        self.webhooks = HubSpotWebhooks(self.state)  # events for every change
        self.wsgi_app = SandboxApp(VendorParts(
            app=self.vendor_app, endpoint_of=endpoint_namer(URL_MAP),
            error_response=fault_response, limits=self.limits,
            load_fixtures=self.load_fixtures, change_records=self.change_records,
            webhooks=self.webhooks.hub,
        ), clock=self.clock, calls=self.calls, faults=self.faults)

    @classmethod
    def from_fixtures(cls, path: Path | None, **options: Any) -> HubSpotSandbox:
        """A stand-in seeded from a fixture set (`<path>/hubspot/*.json`), or empty."""
        sandbox = cls(**options)
        if path is not None and (path / "hubspot").is_dir():
            sandbox.load_fixtures(path)
        return sandbox

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        return self.wsgi_app(environ, start_response)

    def close(self) -> None:
        """Stop the webhook sender (what is still queued is not sent)."""
        self.webhooks.close()

    def load_fixtures(self, path: Path) -> dict[str, int]:
        return load_fixtures(self.state, path)

    def change_records(self, body: JsonObject) -> JsonObject:
        """`POST /_sandbox/records`: change the world as someone in HubSpot's UI would.

        `{"object_type": "deals", "create": [{props}], "update": [{"id", "properties"}],
        "archive": [ids], "source_type": "CRM_UI", "user_id": 1}`; or
        `{"index_lag_seconds": N}`; or `{"token_scopes": [...]}`, the scopes the token
        introspection reports. Returns the records written.
        """
        with self.state.lock:
            if "token_scopes" in body:
                return {"token_scopes": self.state.private_app.set_scopes(body["token_scopes"])}
            if "index_lag_seconds" in body:
                self.state.index.lag_seconds = float(body["index_lag_seconds"])
            if "object_type" not in body:
                return {"index_lag_seconds": self.state.index.lag_seconds}
            return self._apply_changes(body)

    def _apply_changes(self, body: JsonObject) -> JsonObject:
        state = self.state
        otype = state.resolve_type(str(body["object_type"]))
        user_id = body.get("user_id")
        source = WriteSource(str(body.get("source_type", "CRM_UI")),
                             body.get("source_id", f"userId:{user_id}" if user_id else None),
                             int(user_id) if user_id is not None else None)
        written = [state.create(otype, props, source) for props in body.get("create", [])]
        for change in body.get("update", []):
            record = state.find(otype, str(change["id"]))
            written.append(state.update(otype, record, change["properties"], source))
        for record_id in body.get("archive", []):
            state.archive(otype, state.find(otype, str(record_id)))
        return {"records": [render_record(state, otype, r, properties=list(r.properties))
                            for r in written], "archived": list(body.get("archive", []))}
