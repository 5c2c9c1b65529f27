"""The portal as `partnersync serve` serves it (jobs.schedule.serve: the scheduler with
no job due, the health endpoints and the portal each on its own waitress server, here
on 127.0.0.1 and free ports, in a thread), on a copy of the demo world's ledger, with the
HubSpot stand-in behind it for deal registrations (seeded with the demo's records, and
`hubspot setup` run against it). Stopped when the test module ends."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jobs.schedule import serve
from sync.adapters.hubspot.setup import ensure_setup
from sync.config.settings import Settings
from sync.ledger.portal import Principal
from sync.portal.invites import invite
from sync.wiring import Services
from tests.commands.conftest import DEMO
from tests.portal.demo_world import PROGRAMME

NEVER_SOON = "0 0 1 1 *"  # New Year's midnight: no job fires during the tests
SECRET = "browser-portal-secret-0123456789abcdef"
HUBSPOT_TOKEN = "pat-browser-test"


@dataclass
class Served:
    url: str  # http://127.0.0.1:PORT
    services: Services  # the same ledger the server reads, for setting up and checking
    hubspot_url: str
    hubspot: Any  # the HubSpot stand-in (sandbox.hubspot.HubSpotSandbox) behind the portal

    def link(self, principal: Principal, *, now: datetime) -> str:
        """A sign-in link made by the real invitation, on the served address."""
        made = invite(self.services, principal, email=None, by="browser-test", now=now)
        base = self.services.settings.resolved_portal_url
        return self.url + made.url.removeprefix(base)


@contextmanager
def served_portal(folder: Path, database: Path) -> Iterator[Served]:
    from sandbox.core import SandboxClock, SandboxServer
    from sandbox.hubspot import HubSpotSandbox

    shutil.copyfile(database, folder / "ledger.db")
    stand_in = HubSpotSandbox.from_fixtures(DEMO, clock=SandboxClock(), token=HUBSPOT_TOKEN)
    hubspot = SandboxServer(stand_in.wsgi_app)
    with hubspot:
        settings = Settings(  # type: ignore[call-arg]
            database_url=f"sqlite:///{folder / 'ledger.db'}", programme_file=PROGRAMME,
            hubspot_access_token=HUBSPOT_TOKEN, hubspot_base_url=hubspot.url,
            stripe_api_key="sk_test_browser", serve_host="127.0.0.1", serve_port=0,
            portal_port=0,
            schedule_sync=NEVER_SOON, schedule_month_close=NEVER_SOON,
            schedule_pay=NEVER_SOON, portal_secret_key=SECRET)
        services, stop, ready, urls = Services(settings), threading.Event(), threading.Event(), []
        ensure_setup(services.hubspot, services.props)  # as the demo: the vmc_ properties

        def announce(url: str) -> None:
            urls.append(url)
            ready.set()

        worker = threading.Thread(target=serve, args=(services, stop, lambda _: None),
                                  kwargs={"portal_ready": announce}, name="portal-under-test")
        worker.start()
        try:
            assert ready.wait(30), "partnersync serve did not start"
            yield Served(urls[0], services, hubspot.url, stand_in)
        finally:
            stop.set()
            worker.join(30)
            services.close()
