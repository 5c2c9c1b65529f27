"""The portal over real HTTP: on its own port under ``serve`` (apart from the internal
/healthz, /readyz, /metrics), and alone as ``partnersync portal`` (a subprocess, JSON
logs at debug level: no token in them, however the link is spelt)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from jobs.schedule import serve
from sync.ledger.portal import Principal
from sync.portal.invites import invite
from sync.wiring import Services
from tests.portal.auth.conftest import PARTNER
from tests.portal.conftest import PORTAL_SECRET, csrf_token, portal_settings

ROOT = Path(__file__).resolve().parents[3]
NEVER_SOON = "0 0 1 1 *"


def browser() -> urllib.request.OpenerDirector:
    """An HTTP client that keeps cookies, as a browser does."""
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def fetch(opener: urllib.request.OpenerDirector, url: str,
          form: dict[str, str] | None = None) -> tuple[int, str]:
    data = None if form is None else urllib.parse.urlencode(form).encode()
    try:
        with opener.open(url, data=data, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def sign_in_over_http(base: str, link_path: str) -> tuple[int, str]:
    """GET the link, press Sign in (POST, then the redirect home): the final page."""
    opener = browser()
    status, page = fetch(opener, base + link_path)
    assert status == 200, page
    return fetch(opener, base + link_path, {"csrf_token": csrf_token(page)})


@dataclass
class Serving:
    services: Services
    health: str  # where /healthz, /readyz and /metrics answer (internal)
    portal: str | None  # the portal's own address, with a secret key


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Serving]:
    extra = getattr(request, "param", {})
    services = Services(portal_settings(
        tmp_path, serve_port=0, portal_port=0, schedule_sync=NEVER_SOON,
        schedule_month_close=NEVER_SOON, schedule_pay=NEVER_SOON,
        hubspot_access_token="pat-test", stripe_api_key="sk_test_x", **extra))
    stop, ready, urls, portal_urls = threading.Event(), threading.Event(), [], []

    def announce(url: str) -> None:
        urls.append(url)
        ready.set()

    worker = threading.Thread(target=serve, args=(services, stop, announce),
                              kwargs={"portal_ready": portal_urls.append})
    worker.start()
    try:
        assert ready.wait(10)
        yield Serving(services, urls[0], portal_urls[0] if portal_urls else None)
    finally:
        stop.set()
        worker.join(10)
        services.close()
    assert not worker.is_alive()


def test_serve_serves_the_portal_on_its_own_port(served: Serving) -> None:
    services, health, portal = served.services, served.health, served.portal
    assert portal is not None and portal.rsplit(":", 1)[1] != health.rsplit(":", 1)[1]
    opener = browser()
    status, page = fetch(opener, portal + "/sign-in")
    assert status == 200
    assert "<h1>Sign in to the partner portal</h1>" in page
    for internal in ("/healthz", "/readyz", "/metrics"):  # not on the exposed port
        assert fetch(opener, portal + internal)[0] == 404, internal
        assert fetch(opener, health + internal)[0] == 200, internal
    assert fetch(opener, health + "/sign-in") == (404, "not found")  # nor the other way

    link = invite(services, Principal.partner(PARTNER), email=None, by="test",
                  now=services.ledger.now())
    status, home = sign_in_over_http(portal, link.url.removeprefix(
        services.settings.resolved_portal_url))
    assert status == 200
    assert f"Signed in as partner {PARTNER}" in home
    assert fetch(opener, portal + "/nowhere")[0] == 404


def test_neither_server_names_itself(served: Serving) -> None:
    assert served.portal is not None
    for url in (served.portal + "/sign-in", served.health + "/healthz"):
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.headers.get("Server") is None, url
            assert answer.headers.get("Via") is None, url


def test_under_serve_portal_requests_are_logged_and_probes_are_not(served: Serving) -> None:
    assert served.portal is not None
    with capture_logs() as logs:
        fetch(browser(), served.health + "/healthz")
        fetch(browser(), served.health + "/metrics")
        fetch(browser(), served.portal + "/sign-in")
        fetch(browser(), served.portal + "/sign-%69n/" + "T" * 43)
    requests = [(entry["method"], entry["path"], entry["status"]) for entry in logs
                if entry["event"] == "portal.request"]
    assert requests == [("GET", "/sign-in", 200), ("GET", "/sign-in/<token>", 404)]
    assert "T" * 43 not in str(logs)


@pytest.mark.parametrize("served", [{"portal_secret_key": None}], indirect=True)
def test_serve_without_a_secret_key_has_no_portal(served: Serving) -> None:
    assert served.portal is None
    assert fetch(browser(), served.health + "/sign-in") == (404, "not found")
    assert fetch(browser(), served.health + "/healthz")[0] == 200


def test_the_portal_alone_logs_requests_without_the_token(database: Path) -> None:
    env = {**os.environ, "PARTNERSYNC_DATABASE_URL": f"sqlite:///{database}",
           "PARTNERSYNC_PORTAL_SECRET_KEY": PORTAL_SECRET, "PARTNERSYNC_PORTAL_PORT": "0",
           "PARTNERSYNC_LOG_FORMAT": "json", "PARTNERSYNC_LOG_LEVEL": "debug",
           "PARTNERSYNC_PORTAL_URL": "http://portal.test"}
    process = subprocess.Popen([sys.executable, "-m", "sync.cli", "portal"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            seen.append(line)
            if '"portal.ready"' in line:
                base = json.loads(line)["url"]
                break
        services = Services(portal_settings(database.parent, database_url=env[
            "PARTNERSYNC_DATABASE_URL"]))
        try:
            link = invite(services, Principal.partner(PARTNER), email=None, by="test",
                          now=services.ledger.now())
        finally:
            services.close()
        path = link.url.removeprefix("http://portal.test")
        token = path.removeprefix("/sign-in/")
        # the same link spelt otherwise: still the sign-in page, still no token logged
        assert fetch(browser(), f"{base}/sign-%69n/{token}")[0] == 200
        assert fetch(browser(), f"{base}//sign-in//{token}")[0] == 200  # via a 308
        status, home = sign_in_over_http(base, path)
        assert status == 200
        assert f"Signed in as partner {PARTNER}" in home
    finally:
        process.send_signal(signal.SIGTERM)
        rest = process.communicate(timeout=30)[1]
    logs = "".join(seen) + rest
    assert process.returncode == 0, logs
    assert token not in logs
    requests = [json.loads(line) for line in logs.splitlines()
                if '"portal.request"' in line]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("GET", "/sign-in/<token>", 200), ("GET", "/sign-in/…", 308),
        ("GET", "/sign-in/<token>", 200), ("GET", "/sign-in/<token>", 200),
        ("POST", "/sign-in/<token>", 303), ("GET", "/", 302), ("GET", "/overview", 200)]
    assert re.search(PORTAL_SECRET, logs) is None
