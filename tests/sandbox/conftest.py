"""Shared helpers for the sandbox tests: serve a WSGI app on 127.0.0.1 and stop it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from sandbox.core import SandboxServer

FIXTURES = Path(__file__).parent / "fixtures"


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve `app` on a free 127.0.0.1 port for the block; yields the base URL."""
    server = SandboxServer(app)
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def serve() -> Iterator[Any]:
    """`url = serve(app)`: serve apps for one test; all are stopped after it."""
    servers: list[SandboxServer] = []

    def start(app: Any) -> str:
        server = SandboxServer(app)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def fixtures_dir() -> Path:
    """The root of the sandbox test fixture sets (`<set>/hubspot`, `<set>/stripe`)."""
    return FIXTURES


@pytest.fixture
def hubspot_sandbox(fixtures_dir: Path) -> Any:
    """A HubSpot stand-in seeded from `fixtures/basic`, on a frozen sandbox clock."""
    from datetime import UTC, datetime

    from sandbox.core import SandboxClock
    from sandbox.hubspot import HubSpotSandbox

    clock = SandboxClock(datetime(2026, 2, 1, 12, 0, tzinfo=UTC), time_scale=0)
    return HubSpotSandbox.from_fixtures(fixtures_dir / "basic", clock=clock)


@pytest.fixture
def hubspot_url(hubspot_sandbox: Any) -> Iterator[str]:
    with served(hubspot_sandbox.wsgi_app) as url:
        yield url


def hubspot_client(url: str, token: str = "sandbox-hubspot-token") -> Any:
    """The official SDK pointed at the stand-in, with its own retries off."""
    from hubspot import HubSpot

    return HubSpot(access_token=token, host=url, retry=False)


@pytest.fixture
def hs(hubspot_url: str) -> Any:
    return hubspot_client(hubspot_url)
