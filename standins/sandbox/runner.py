"""`partnersync sandbox`: both stand-ins on 127.0.0.1 until SIGINT/SIGTERM (docs/sandbox.md)."""

from __future__ import annotations

import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sandbox.core import SandboxClock, SandboxServer
from sandbox.hubspot import HubSpotSandbox
from sandbox.hubspot.webhooks import DEFAULT_CLIENT_SECRET
from sandbox.stripe import StripeSandbox
from sandbox.stripe.webhooks import DEFAULT_SECRET


@dataclass(frozen=True)
class WebhookSettings:
    """Where both stand-ins post their webhooks: `base` + `/webhooks/stripe` and
    `/webhooks/hubspot` (the worker's paths), signed with these secrets."""

    base: str
    stripe_secret: str = DEFAULT_SECRET
    hubspot_client_secret: str = DEFAULT_CLIENT_SECRET

    def configure(self, hubspot: HubSpotSandbox, stripe: StripeSandbox) -> None:
        base = self.base.rstrip("/")
        stripe.webhooks.hub.configure({"url": f"{base}/webhooks/stripe",
                                       "secret": self.stripe_secret})
        hubspot.webhooks.hub.configure({"url": f"{base}/webhooks/hubspot",
                                        "secret": self.hubspot_client_secret})


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGINT/SIGTERM end the run; signals can only be hooked from the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())


def run_sandbox(
    fixtures: Path | None,
    hubspot_port: int,
    stripe_port: int,
    out: TextIO = sys.stdout,
    *,
    stop: threading.Event | None = None,
    webhooks: WebhookSettings | None = None,
) -> None:
    """Serve both stand-ins, print `hubspot: URL`, `stripe: URL`, `ready`; block until stop.

    Both share one sandbox clock. Any bearer token / `sk_`/`rk_` key is accepted, so
    people exploring need no configuration. `stop` lets a caller end the run without a
    signal (tests, the demo). With `webhooks`, every change is posted to the worker's
    webhook paths; stopping stops the senders too.
    """
    stop = stop or threading.Event()
    clock = SandboxClock()
    hubspot = HubSpotSandbox.from_fixtures(fixtures, clock=clock, token=None)
    stripe = StripeSandbox.from_fixtures(fixtures, clock=clock, api_key=None)
    if webhooks is not None:
        webhooks.configure(hubspot, stripe)
    servers = [SandboxServer(hubspot.wsgi_app, port=hubspot_port),
               SandboxServer(stripe.wsgi_app, port=stripe_port)]
    try:
        urls = [server.start() for server in servers]
        _stop_on_signals(stop)
        print(f"hubspot: {urls[0]}", file=out)
        print(f"stripe: {urls[1]}", file=out)
        print("ready", file=out, flush=True)
        stop.wait()
    finally:
        for server in servers:
            server.stop()
        hubspot.close()
        stripe.close()
