"""``partnersync demo --serve``: the partner portal on the demo's ledger, with a sign-in
link for one demo partner and one programme manager, so a newcomer sees it in a browser
within a minute (docs/portal.md). Without PARTNERSYNC_PORTAL_SECRET_KEY a random key for
this run signs the cookies (sessions end with the demo)."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from pydantic import SecretStr

from sync.config.settings import Settings
from sync.ledger.portal import Principal
from sync.wiring import Services

PARTNER = "30000000001"  # Agence Lumière, partner tier: lines, payouts, registrations
OTHER_PARTNER = "30000000003"  # Infogérance Rhône-Alpes, premier: MDF too
ADMIN = "manager@vmcloud.example"
INVITER = "partnersync demo"
LOOPBACK = "127.0.0.1"  # the default: nobody else on the network sees the demo
EVERY_ADDRESS = ("0.0.0.0", "")  # what a container binds to be published (IPv4)


@dataclass
class DemoPortal:
    url: str  # where a browser reaches it, http://127.0.0.1:PORT
    partner_link: str
    admin_link: str
    demo_key: bool  # the secret key is this run's own (none was set)
    services: Services
    stop: threading.Event
    thread: threading.Thread

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)
        self.services.close()


def portal_settings(settings: Settings, host: str = LOOPBACK,
                    port: int = 0) -> tuple[Settings, bool]:
    """The demo's settings for the portal on ``host`` and ``port`` (default: any free
    port of 127.0.0.1); a key of this run's own when none is set (and whether it is)."""
    demo_key = settings.portal_secret_key is None
    key = SecretStr(secrets.token_urlsafe(32)) if demo_key else settings.portal_secret_key
    return settings.model_copy(update={"portal_secret_key": key, "serve_host": LOOPBACK,
                                       "serve_port": 0, "portal_host": host,
                                       "portal_port": port, "portal_url": None}), demo_key


def reachable(announced: str) -> str:
    """Where a browser reaches the portal the server announced: a server on every
    address (0.0.0.0 in a container, published with ``docker run -p``) is reached on
    127.0.0.1, on the host as in the container."""
    parts = urlsplit(announced)
    if parts.hostname in EVERY_ADDRESS:
        return f"{parts.scheme}://{LOOPBACK}:{parts.port}"
    return announced


def start_portal(settings: Settings, host: str = LOOPBACK, port: int = 0) -> DemoPortal:
    """Serve the portal in a thread (``partnersync portal``'s server) on ``host`` and
    ``port`` and invite one partner and one programme manager through the real
    invitation."""
    from sync.portal.invites import invite
    from sync.portal.server import serve_portal  # Flask: only --serve needs it

    chosen, demo_key = portal_settings(settings, host, port)
    services, stop, ready, urls = Services(chosen), threading.Event(), threading.Event(), []

    def announce(url: str) -> None:
        urls.append(url)
        ready.set()

    thread = threading.Thread(target=serve_portal, args=(services, stop, announce),
                              name="demo-portal", daemon=True)
    thread.start()
    if not ready.wait(30):
        stop.set()
        services.close()
        raise RuntimeError("the demo's portal did not start within 30 s")
    url, base, now = reachable(urls[0]), chosen.resolved_portal_url, datetime.now(UTC)

    def link(principal: Principal) -> str:
        made = invite(services, principal, email=None, by=INVITER, now=now)
        return url + made.url.removeprefix(base)  # its real port, not 0

    return DemoPortal(url, link(Principal.partner(PARTNER)), link(Principal.admin(ADMIN)),
                      demo_key, services, stop, thread)


def portal_lines(portal: DemoPortal, run: str) -> list[str]:
    """What the demo prints about the portal."""
    key = (" (signed with a key of this run's own: PARTNERSYNC_PORTAL_SECRET_KEY is not set)"
           if portal.demo_key else "")
    return [
        "", f"The partner portal, until Ctrl-C: {portal.url}{key}",
        "Open a link in a browser, then press Sign in (each link works once, for 24 hours):",
        f"  as partner {PARTNER} (Agence Lumière):  {portal.partner_link}",
        f"  as a programme manager ({ADMIN}):  {portal.admin_link}",
        "More links, in another terminal with the variables printed below:",
        f"  {run} portal invite {OTHER_PARTNER} --by you@example.com",
        f"  {run} portal invite-admin you@example.com --by you@example.com",
    ]
