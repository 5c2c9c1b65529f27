"""``partnersync portal invite|invite-admin|revoke|revoke-admin`` and the bare command.

The ledger holds the demo's HubSpot companies in its mirror, as a sync leaves them.
Mail goes to an SMTP server on loopback (aiosmtpd) through the real smtplib.
"""

from __future__ import annotations

import email
import os
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from flask import Flask

from sync.cli.main import main
from sync.ledger import Ledger
from sync.portal.app import create_portal
from sync.wiring import Services
from tests.portal.auth.conftest import PARTNER
from tests.portal.conftest import ManualClock, csrf_token, portal_settings

ACTOR = "claire.martin@vmcloud.example"
LINK = re.compile(r"http://portal\.test/sign-in/([A-Za-z0-9_-]{43})")


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class Inbox:
    """What the SMTP server on loopback received."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        # A relay without TLS: only the explicit opt-in mails through it.
        monkeypatch.setenv("PARTNERSYNC_SMTP_URL",
                           f"smtp+insecure://127.0.0.1:{controller.port}")
        monkeypatch.setenv("PARTNERSYNC_SMTP_FROM", "partners@vmcloud.example")
        yield received
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as stopped:
        code = stopped.code if isinstance(stopped.code, int) else 1
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def portal_on(database: Path, tmp_path: Path) -> tuple[Services, Flask]:
    services = Services(portal_settings(tmp_path, database_url=f"sqlite:///{database}"))
    return services, create_portal(services, clock=ManualClock(datetime.now(UTC)))


def sign_in(app: Flask, token: str) -> int:
    client = app.test_client()
    page = client.get(f"/sign-in/{token}")
    if page.status_code != 200:
        return page.status_code
    return client.post(f"/sign-in/{token}",
                       data={"csrf_token": csrf_token(page.get_data(as_text=True))}).status_code


def audit_actions(database: Path) -> list[tuple[str, str, str | None]]:
    ledger = Ledger.open(f"sqlite:///{database}", create=False)
    try:
        return [(event.action, event.actor, event.partner_id)
                for event in ledger.audit_events(None, None)]
    finally:
        ledger.close()


def test_invite_prints_a_link_that_signs_the_partner_in_once(
        database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = run(capsys, "portal", "invite", PARTNER, "--by", ACTOR)
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    assert lines[0].startswith(f"Sign-in link for partner {PARTNER} (Agence Lumière), works "
                               "once until ")
    found = LINK.fullmatch(lines[1])
    assert found is not None, lines[1]

    services, app = portal_on(database, tmp_path)
    try:
        assert sign_in(app, found.group(1)) == 303
        assert sign_in(app, found.group(1)) == 410
    finally:
        services.close()
    assert audit_actions(database) == [("portal_invite", ACTOR, PARTNER),
                                       ("portal_sign_in", f"partner {PARTNER}", PARTNER)]


def test_invite_refuses_a_company_the_ledger_has_not_read(
        database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = run(capsys, "portal", "invite", "99999999999", "--by", ACTOR)
    assert done.code == 2
    assert done.err == ("partnersync: portal invite: partner 99999999999 is not a partner the "
                        "ledger has read from HubSpot (its company id; `partnersync partners "
                        "list` shows them)\n")
    assert done.out == ""
    assert audit_actions(database) == []


def test_invite_needs_someone_to_record(database: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    done = run(capsys, "portal", "invite", PARTNER)
    assert done.code == 2
    assert done.err.startswith("partnersync: configuration error: --by: say who decides")
    assert audit_actions(database) == []


def test_revoke_ends_the_partner_sessions(
        database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    invited = run(capsys, "portal", "invite", PARTNER, "--by", ACTOR)
    found = LINK.search(invited.out)
    assert found is not None
    done = run(capsys, "portal", "revoke", PARTNER, "--by", "security@vmcloud.example")
    assert done.code == 0, done.err
    assert done.out.startswith(f"Partner {PARTNER}: portal access revoked;")

    services, app = portal_on(database, tmp_path)
    try:
        assert sign_in(app, found.group(1)) == 410  # made before the revoke
    finally:
        services.close()
    assert audit_actions(database) == [("portal_invite", ACTOR, PARTNER),
                                       ("portal_revoke", "security@vmcloud.example", PARTNER)]
    unknown = run(capsys, "portal", "revoke", "99999999999", "--by", ACTOR)
    assert unknown.code == 2
    assert "partner 99999999999 is not a partner the ledger has read" in unknown.err


def test_admins_are_invited_and_revoked_by_email(
        database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    invited = run(capsys, "portal", "invite-admin", "Manager@VMCloud.example", "--by", ACTOR)
    assert invited.code == 0, invited.err
    assert invited.out.startswith("Sign-in link for programme manager "
                                  "manager@vmcloud.example, works once until ")
    found = LINK.search(invited.out)
    assert found is not None
    done = run(capsys, "portal", "revoke-admin", "manager@vmcloud.example", "--by", ACTOR)
    assert done.code == 0
    services, app = portal_on(database, tmp_path)
    try:
        assert sign_in(app, found.group(1)) == 410
    finally:
        services.close()
    never = run(capsys, "portal", "revoke-admin", "nobody@vmcloud.example", "--by", ACTOR)
    assert never.code == 2
    assert never.err == ("partnersync: portal revoke-admin: nobody@vmcloud.example was never "
                         "invited to the portal (`partnersync audit` lists invitations)\n")
    malformed = run(capsys, "portal", "invite-admin", "not-an-email", "--by", ACTOR)
    assert malformed.code == 2
    assert "expected an email address, got 'not-an-email'" in malformed.err


def test_invite_mails_the_link_over_smtp(database: Path, inbox: Inbox, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    done = run(capsys, "portal", "invite", PARTNER, "--email", "contact@agence-lumiere.fr",
               "--by", ACTOR)
    assert done.code == 0, done.err
    assert done.out.startswith(f"Sent a sign-in link for partner {PARTNER} (Agence Lumière) "
                               "to contact@agence-lumiere.fr; it works once until ")
    assert "sign-in/" not in done.out  # mailed, not printed
    [message] = inbox.messages
    assert message["To"] == "contact@agence-lumiere.fr"
    assert message["From"] == "partners@vmcloud.example"
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = LINK.search(body.decode("utf-8"))
    assert found is not None
    services, app = portal_on(database, tmp_path)
    try:
        assert sign_in(app, found.group(1)) == 303
    finally:
        services.close()


def test_with_smtp_a_partner_invite_needs_an_email(
        database: Path, inbox: Inbox, capsys: pytest.CaptureFixture[str]) -> None:
    done = run(capsys, "portal", "invite", PARTNER, "--by", ACTOR)
    assert done.code == 2
    assert done.err.startswith(f"partnersync: portal invite: --email is needed to mail "
                               f"partner {PARTNER}'s link: PARTNERSYNC_SMTP_URL is set")
    assert inbox.messages == []
    assert audit_actions(database) == []


def test_a_mail_server_that_does_not_answer_leaves_no_link(
        database: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERSYNC_SMTP_URL", "smtp://127.0.0.1:1")
    monkeypatch.setenv("PARTNERSYNC_SMTP_FROM", "partners@vmcloud.example")
    done = run(capsys, "portal", "invite-admin", "manager@vmcloud.example", "--by", ACTOR)
    assert done.code == 3
    assert done.err.startswith("partnersync: upstream unavailable: the mail server "
                               "smtp://127.0.0.1:1 did not take the message (")
    assert audit_actions(database) == []  # nothing recorded: the link was never sent


def test_a_password_is_never_sent_without_tls(
        database: Path, inbox: Inbox, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    port = os.environ["PARTNERSYNC_SMTP_URL"].rsplit(":", 1)[1]
    monkeypatch.setenv("PARTNERSYNC_SMTP_URL", f"smtp://mailer:s3cret-pass@127.0.0.1:{port}")
    done = run(capsys, "portal", "invite-admin", "manager@vmcloud.example", "--by", ACTOR)
    assert done.code == 2
    assert done.err == (f"partnersync: configuration error: PARTNERSYNC_SMTP_URL: "
                        f"smtp://mailer@127.0.0.1:{port} offers no STARTTLS, and a sign-in "
                        "link is never mailed in clear: use smtps:// or a server that offers "
                        "STARTTLS (smtp+insecure:// only for a relay on a trusted network)\n")
    assert inbox.messages == []


def test_a_link_is_never_mailed_without_tls_even_without_a_password(
        database: Path, inbox: Inbox, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """smtp:// to a server that offers no STARTTLS (or whose offer was stripped on the
    way): the link is a credential, so nothing is sent and nothing recorded."""
    port = os.environ["PARTNERSYNC_SMTP_URL"].rsplit(":", 1)[1]
    monkeypatch.setenv("PARTNERSYNC_SMTP_URL", f"smtp://127.0.0.1:{port}")
    done = run(capsys, "portal", "invite", PARTNER, "--email", "contact@agence-lumiere.fr",
               "--by", ACTOR)
    assert done.code == 2
    assert done.err == (f"partnersync: configuration error: PARTNERSYNC_SMTP_URL: "
                        f"smtp://127.0.0.1:{port} offers no STARTTLS, and a sign-in link is "
                        "never mailed in clear: use smtps:// or a server that offers "
                        "STARTTLS (smtp+insecure:// only for a relay on a trusted network)\n")
    assert inbox.messages == []
    assert audit_actions(database) == []


def test_the_plaintext_opt_in_takes_no_password(
        database: Path, inbox: Inbox, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    port = os.environ["PARTNERSYNC_SMTP_URL"].rsplit(":", 1)[1]
    monkeypatch.setenv("PARTNERSYNC_SMTP_URL", f"smtp+insecure://mailer:pw@127.0.0.1:{port}")
    done = run(capsys, "portal", "invite-admin", "manager@vmcloud.example", "--by", ACTOR)
    assert done.code == 2
    assert "smtp+insecure:// sends in clear, so it takes no user or password" in done.err
    assert "pw@" not in done.err
    assert inbox.messages == []


def test_portal_without_a_secret_key_is_one_line_exit_2(
        database: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARTNERSYNC_PORTAL_SECRET_KEY")
    done = run(capsys, "portal")
    assert done.code == 2
    assert done.err == ("partnersync: configuration error: PARTNERSYNC_PORTAL_SECRET_KEY is "
                        "not set: the portal signs its session cookies with it and is off "
                        "without it (set it to a long random value, e.g. the output of "
                        "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`)\n")


@dataclass
class Logins:
    """The user and password the server saw, over TLS only (auth_require_tls)."""

    seen: list[tuple[bytes, bytes]] = field(default_factory=list)

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
        self.seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"p@ss word")


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by openssl."""
    if shutil.which("openssl") is None:
        if os.environ.get("PARTNERSYNC_REQUIRE_TOOLS") == "1":
            pytest.fail("openssl is not installed (apt-get install -y openssl)")
        pytest.skip("openssl is not installed (apt-get install -y openssl)")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_smtp_upgrades_with_starttls_before_logging_in(
        database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    received, logins = Inbox(), Logins()
    controller = Controller(received, hostname="127.0.0.1", port=free_port(),
                            tls_context=context, require_starttls=True,
                            authenticator=logins, auth_require_tls=True)
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this server
        monkeypatch.setenv("PARTNERSYNC_SMTP_URL",
                           f"smtp://mailer:p%40ss%20word@127.0.0.1:{controller.port}")
        monkeypatch.setenv("PARTNERSYNC_SMTP_FROM", "partners@vmcloud.example")
        done = run(capsys, "portal", "invite-admin", "manager@vmcloud.example", "--by", ACTOR)
    finally:
        controller.stop()
    assert done.code == 0, done.err
    assert logins.seen == [(b"mailer", b"p@ss word")]
    [message] = received.messages
    assert message["To"] == "manager@vmcloud.example"


def test_smtps_speaks_tls_from_the_start(
        database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    received, logins = Inbox(), Logins()
    controller = Controller(received, hostname="127.0.0.1", port=free_port(),
                            ssl_context=context, authenticator=logins,
                            auth_require_tls=False)  # the whole connection is TLS
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        monkeypatch.setenv("PARTNERSYNC_SMTP_URL",
                           f"smtps://mailer:p%40ss%20word@127.0.0.1:{controller.port}")
        monkeypatch.setenv("PARTNERSYNC_SMTP_FROM", "partners@vmcloud.example")
        done = run(capsys, "portal", "invite", PARTNER, "--email", "a@agence-lumiere.fr",
                   "--by", ACTOR)
    finally:
        controller.stop()
    assert done.code == 0, done.err
    assert logins.seen == [(b"mailer", b"p@ss word")]
    assert [message["To"] for message in received.messages] == ["a@agence-lumiere.fr"]
