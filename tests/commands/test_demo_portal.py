"""``partnersync demo --serve`` serves the partner portal on the demo's ledger and prints a
sign-in link for a demo partner and for a programme manager; each link signs its person
in once, over real HTTP. Without PARTNERSYNC_PORTAL_SECRET_KEY the run makes its own."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from pydantic import SecretStr

from sync.cli.demo_portal import DemoPortal, portal_lines, portal_settings, start_portal
from sync.cli.main import build_parser, main
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


def test_the_printed_invite_commands_work_as_printed(
        demo_portal: DemoPortal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Typed as printed, with the printed variables only: no PARTNERSYNC_OPERATOR."""
    monkeypatch.delenv("PARTNERSYNC_OPERATOR", raising=False)
    monkeypatch.delenv("PARTNERSYNC_SMTP_URL", raising=False)
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.setenv("PARTNERSYNC_PORTAL_URL", demo_portal.url)
    commands = [shlex.split(line)[1:] for line in portal_lines(demo_portal, "partnersync")
                if line.startswith("  partnersync portal ")]
    assert [command[:2] for command in commands] == [["portal", "invite"],
                                                     ["portal", "invite-admin"]]
    for command in commands:
        capsys.readouterr()
        assert main(command) == 0, capsys.readouterr().err
        assert f"{demo_portal.url}/sign-in/" in capsys.readouterr().out


def test_the_demo_partner_sees_its_referral_link(demo_portal: DemoPortal) -> None:
    partner = _sign_in(demo_portal.partner_link)
    page = partner.get(f"{demo_portal.url}/referral", timeout=10)
    assert page.status_code == 200
    assert 'value="https://vmcloud.fr/?ref=LUMIERE"' in page.text


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def test_the_portal_listens_on_loopback_unless_asked_for_every_address(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.2 is this machine too, but a server on 127.0.0.1 does not answer there;
    one on 0.0.0.0 (the demo image's) does, as it answers a published container port."""
    monkeypatch.delenv("PARTNERSYNC_PORTAL_SECRET_KEY", raising=False)
    record_demo_sync(tmp_path / "ledger.db")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ledger.db'}",
                        programme_file=PROGRAMME)
    loopback = start_portal(settings)
    try:
        port = urlsplit(loopback.url).port
        assert loopback.url == f"http://127.0.0.1:{port}"
        assert _answers(f"http://127.0.0.1:{port}/sign-in")
        assert not _answers(f"http://127.0.0.2:{port}/sign-in")
    finally:
        loopback.close()
    everywhere = start_portal(settings, "0.0.0.0", 0)
    try:
        port = urlsplit(everywhere.url).port
        assert everywhere.url == f"http://127.0.0.1:{port}"  # what a browser opens
        assert everywhere.partner_link.startswith(f"http://127.0.0.1:{port}/sign-in/")
        assert _answers(f"http://127.0.0.2:{port}/sign-in")
    finally:
        everywhere.close()


def test_the_demo_image_publishes_its_portal() -> None:
    """The demo image's command, read by the real parser: the portal on every address of
    the container, on the port the image exposes (docker run -p 8080:8080)."""
    dockerfile = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text(
        encoding="utf-8")
    demo_stage = dockerfile.split("FROM runtime AS demo", 1)[1].split("\nFROM ", 1)[0]
    [command] = [json.loads(line.removeprefix("CMD ")) for line in demo_stage.splitlines()
                 if line.startswith("CMD ")]
    [exposed] = [line.split()[1] for line in demo_stage.splitlines()
                 if line.startswith("EXPOSE ")]
    args = build_parser().parse_args(command)
    assert args.serve
    assert (args.portal_host, args.portal_port) == ("0.0.0.0", int(exposed))
    assert build_parser().parse_args(["demo", "--serve"]).portal_host == "127.0.0.1"


@pytest.mark.parametrize("port", ["70000", "-1", "eighty", "８０"])
def test_a_portal_port_that_is_not_one_is_refused_before_any_work(
        port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["demo", "--serve", "--portal-port", port])
    assert stopped.value.code == 2
    assert f"expected a port from 0 (any free port) to 65535, got {port!r}" in (
        capsys.readouterr().err)
