"""Invitation mails over SMTP (``PARTNERSYNC_SMTP_URL``), with the standard library.

``smtps://`` speaks TLS from the first byte; ``smtp://`` upgrades with STARTTLS and
sends nothing when the server does not offer it (or someone on the way removed the
offer): a sign-in link is a credential, with or without an SMTP password.
``smtp+insecure://`` is the deliberate exception, a relay on a trusted network that has
no TLS: it sends in clear, and takes no password. The message is built apart
(``invitation_message``) from the sending.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote

from sync.config.settings import SMTP_INSECURE, SMTP_SCHEMES, SMTPS, Settings, smtp_parts
from sync.errors import ConfigurationError, RetriableUpstreamError
from sync.ledger.portal import Kind
from sync.portal.invites import Invitation

TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class SmtpServer:
    scheme: str  # smtps: TLS from the start; smtp: STARTTLS; smtp+insecure: in clear
    host: str
    port: int
    username: str | None
    password: str | None

    @property
    def tls(self) -> bool:
        return self.scheme == SMTPS

    @property
    def shown(self) -> str:
        """Where it is, as messages name it: never the password."""
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def smtp_server(url: str) -> SmtpServer:
    parts = smtp_parts(url)
    assert parts.hostname is not None  # smtp_parts checked it
    return SmtpServer(parts.scheme, parts.hostname, parts.port or SMTP_SCHEMES[parts.scheme],
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None)


def invitation_message(invitation: Invitation, sender: str, to: str,
                       now: datetime) -> EmailMessage:
    """The invitation, in English then French (the portal lets each person choose)."""
    until = invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    where = ("the programme's admin view" if invitation.principal.kind is Kind.ADMIN
             else "your partner space")
    where_fr = ("la vue d'administration du programme"
                if invitation.principal.kind is Kind.ADMIN else "votre espace partenaire")
    message = EmailMessage()
    message["Subject"] = "Your sign-in link to the partner portal / Votre lien de connexion"
    message["From"], message["To"] = sender, to
    message["Date"] = formatdate(now.timestamp(), usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(
        f"Open this link to sign in to {where} of the partner portal, then press Sign in:\n\n"
        f"    {invitation.url}\n\n"
        f"It works once, until {until}. Do not forward it: it signs in whoever uses it.\n\n"
        "---\n\n"
        f"Ouvrez ce lien pour vous connecter à {where_fr} du portail partenaires, puis "
        f"appuyez sur « Se connecter » :\n\n    {invitation.url}\n\n"
        f"Il sert une fois, jusqu'au {until}. Ne le transférez pas : il connecte quiconque "
        "l'utilise.\n")
    return message


def send(settings: Settings, message: EmailMessage) -> None:
    """Send ``message`` through PARTNERSYNC_SMTP_URL's server. A server that does not
    answer is ``RetriableUpstreamError`` (exit 3); one that refuses us, or a link that
    would travel in clear, a ``ConfigurationError`` (exit 2)."""
    if settings.smtp_url is None:
        raise ConfigurationError("PARTNERSYNC_SMTP_URL is not set")
    server = smtp_server(settings.smtp_url.get_secret_value())
    try:
        _deliver(server, message)
    except smtplib.SMTPAuthenticationError as error:
        raise ConfigurationError(f"PARTNERSYNC_SMTP_URL: {server.shown} refused the user "
                                 f"and password ({error.smtp_code})") from None
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise ConfigurationError(f"the mail server {server.shown} refused the message: "
                                 f"{_reason(error)}") from None
    except (smtplib.SMTPException, OSError) as error:
        raise RetriableUpstreamError(f"the mail server {server.shown} did not take the "
                                     f"message ({_reason(error)})", api="smtp") from None


def _deliver(server: SmtpServer, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    if server.tls:
        with smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS,
                              context=context) as smtp:
            _log_in_and_send(smtp, server, message)
        return
    with smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS) as smtp:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
        elif server.scheme != SMTP_INSECURE:  # the link would travel in clear
            raise ConfigurationError(
                f"PARTNERSYNC_SMTP_URL: {server.shown} offers no STARTTLS, and a sign-in "
                "link is never mailed in clear: use smtps:// or a server that offers "
                "STARTTLS (smtp+insecure:// only for a relay on a trusted network)")
        _log_in_and_send(smtp, server, message)


def _log_in_and_send(smtp: smtplib.SMTP, server: SmtpServer, message: EmailMessage) -> None:
    if server.username is not None and server.password is not None:
        smtp.login(server.username, server.password)
    smtp.send_message(message)


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to}: {code} {_text(text)}"
                         for to, (code, text) in error.recipients.items())
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return str(error) or type(error).__name__


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply
