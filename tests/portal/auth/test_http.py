"""The portal over real HTTP: mounted in ``serve`` beside /healthz, and alone as
``partnersync portal`` (a subprocess, JSON logs at debug level: no token in them)."""

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
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

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


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Services, str]]:
    extra = getattr(request, "param", {})
    services = Services(portal_settings(
        tmp_path, serve_port=0, schedule_sync=NEVER_SOON, schedule_month_close=NEVER_SOON,
        schedule_pay=NEVER_SOON, hubspot_access_token="pat-test", stripe_api_key="sk_test_x",
        **extra))
    stop, ready, urls = threading.Event(), threading.Event(), []

    def announce(url: str) -> None:
        urls.append(url)
        ready.set()

    worker = threading.Thread(target=serve, args=(services, stop, announce))
    worker.start()
    try:
        assert ready.wait(10)
        yield services, urls[0]
    finally:
        stop.set()
        worker.join(10)
        services.close()


def test_serve_mounts_the_portal_beside_healthz(served: tuple[Services, str]) -> None:
    services, base = served
    opener = browser()
    status, health = fetch(opener, base + "/healthz")
    assert status == 200
    assert json.loads(health)["status"] == "ok"
    status, page = fetch(opener, base + "/sign-in")
    assert status == 200
    assert "<h1>Sign in to the partner portal</h1>" in page

    link = invite(services, Principal.partner(PARTNER), email=None, by="test",
                  now=services.ledger.now())
    status, home = sign_in_over_http(base, link.url.removeprefix(
        services.settings.resolved_portal_url))
    assert status == 200
    assert f"Signed in as partner {PARTNER}" in home
    assert fetch(opener, base + "/nowhere")[0] == 404


@pytest.mark.parametrize("served", [{"portal_secret_key": None}], indirect=True)
def test_serve_without_a_secret_key_has_no_portal(served: tuple[Services, str]) -> None:
    _, base = served
    assert fetch(browser(), base + "/sign-in") == (404, "not found")
    assert fetch(browser(), base + "/healthz")[0] == 200


def test_the_portal_alone_logs_requests_without_the_token(database: Path) -> None:
    env = {**os.environ, "PARTNERSYNC_DATABASE_URL": f"sqlite:///{database}",
           "PARTNERSYNC_PORTAL_SECRET_KEY": PORTAL_SECRET, "PARTNERSYNC_SERVE_PORT": "0",
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
        status, home = sign_in_over_http(base, path)
        assert status == 200
        assert f"Signed in as partner {PARTNER}" in home
    finally:
        process.send_signal(signal.SIGTERM)
        rest = process.communicate(timeout=30)[1]
    logs = "".join(seen) + rest
    token = path.removeprefix("/sign-in/")
    assert process.returncode == 0, logs
    assert token not in logs
    requests = [json.loads(line) for line in logs.splitlines()
                if '"portal.request"' in line]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("GET", "/sign-in/[token]", "200"), ("POST", "/sign-in/[token]", "303"),
        ("GET", "/", "302"), ("GET", "/overview", "200")]  # home: the partner's overview
    assert re.search(PORTAL_SECRET, logs) is None
