"""``partnersync demo --serve`` serves the partner portal on the demo's ledger and prints a
sign-in link for a demo partner and for a programme manager; each link signs its person
in once, over real HTTP. Without PARTNERSYNC_PORTAL_SECRET_KEY the run makes its own."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pydantic import SecretStr

from sync.cli.demo_portal import DemoPortal, portal_lines, portal_settings, start_portal
from sync.config.settings import Settings
from tests.portal.demo_world import PROGRAMME, record_demo_sync

PARTNERSYNC = Path(sys.executable).with_name("partnersync")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK = re.compile(r"^  as (partner 30000000001 \(Agence Lumière\)|a programme manager "
                  r"\(manager@vmcloud\.example\)):  (http://127\.0\.0\.1:\d+/sign-in/\S+)$")


def _sign_in(link: str) -> requests.Session:
    """Open the link, press Sign in: a session holding the portal's cookie."""
    session = requests.Session()
    page = session.get(link, timeout=10)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found is not None
    answer = session.post(link, data={"csrf_token": found.group(1)}, allow_redirects=False,
                          timeout=10)
    assert answer.status_code == 303, answer.text
    return session


def test_a_key_is_made_only_when_none_is_set(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARTNERSYNC_PORTAL_SECRET_KEY", raising=False)
    base = Settings(database_url=f"sqlite:///{tmp_path / 'l.db'}", serve_port=9108)
    made, demo_key = portal_settings(base)
    assert demo_key and made.portal_secret_key is not None
    assert len(made.portal_secret_key.get_secret_value()) >= 32
    assert made.serve_port == 0 and made.serve_host == "127.0.0.1"
    assert made.portal_port == 0 and made.resolved_portal_host == "127.0.0.1"
    again, _ = portal_settings(base)
    assert again.portal_secret_key != made.portal_secret_key  # each run its own
    kept, demo_key = portal_settings(base.model_copy(
        update={"portal_secret_key": SecretStr("a-key-set-by-the-operator-0123")}))
    assert not demo_key
    assert kept.portal_secret_key is not None
    assert kept.portal_secret_key.get_secret_value() == "a-key-set-by-the-operator-0123"


@pytest.fixture
def demo_portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoPortal]:
    monkeypatch.delenv("PARTNERSYNC_PORTAL_SECRET_KEY", raising=False)
    record_demo_sync(tmp_path / "ledger.db")
    portal = start_portal(Settings(database_url=f"sqlite:///{tmp_path / 'ledger.db'}",
                                   programme_file=PROGRAMME))
    try:
        yield portal
    finally:
        portal.close()


def test_each_printed_link_signs_its_person_in_once(demo_portal: DemoPortal) -> None:
    printed = "\n".join(portal_lines(demo_portal, "partnersync"))
    assert f"The partner portal, until Ctrl-C: {demo_portal.url} (signed with a key" in printed
    links = dict(match.groups() for line in printed.splitlines()
                 if (match := LINK.match(line)))
    partner = _sign_in(links["partner 30000000001 (Agence Lumière)"])
    overview = partner.get(f"{demo_portal.url}/overview", timeout=10)
    assert overview.status_code == 200
    assert "<h1>Agence Lumière</h1>" in overview.text
    admin = _sign_in(links["a programme manager (manager@vmcloud.example)"])
    dashboard = admin.get(f"{demo_portal.url}/admin", timeout=10)
    assert "<h1>Partner programme report, 2026-10</h1>" in dashboard.text
    used = requests.get(links["a programme manager (manager@vmcloud.example)"], timeout=10)
    assert used.status_code == 410  # once only


def test_demo_serve_prints_links_that_work_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "COLUMNS": "200"}
    demo = subprocess.Popen([str(PARTNERSYNC), "demo", "--serve"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        links: dict[str, str] = {}
        assert demo.stdout is not None
        for line in demo.stdout:  # the demo's cycle runs first: about 15 s
            if (match := LINK.match(line.rstrip("\n"))) is not None:
                links[match.group(1)] = match.group(2)
            if len(links) == 2:
                break
        assert len(links) == 2, "the demo printed no sign-in links"
        session = _sign_in(links["a programme manager (manager@vmcloud.example)"])
        url = links["a programme manager (manager@vmcloud.example)"].split("/sign-in/")[0]
        payouts = session.get(f"{url}/admin/payouts", timeout=10)
        assert payouts.status_code == 200
        assert "<h1>Payouts to approve</h1>" in payouts.text
        demo.send_signal(signal.SIGINT)
        assert demo.wait(30) == 0
    finally:
        if demo.poll() is None:
            os.kill(demo.pid, signal.SIGKILL)
            demo.wait(10)
