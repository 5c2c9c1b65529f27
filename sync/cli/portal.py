"""``partnersync portal``: serve the partner portal alone, invite and revoke (docs/portal.md).

``invite`` makes a single-use sign-in link (valid 24 h; the ledger keeps its hash) and
prints it, or mails it when PARTNERSYNC_SMTP_URL is set. ``revoke`` ends every session
of a partner or programme manager at its next request. Invitations, revocations and
sign-ins are in the audit trail (``partnersync audit``), with who made them (``--by``).
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
from datetime import UTC, datetime

import structlog

from sync.cli.common import (
    EXIT_OK,
    add_actor,
    console,
    not_empty,
    open_services,
    plain,
    require_listenable,
)
from sync.cli.failures import EXIT_CONFIG
from sync.cli.offline import known_partners, unknown_partner
from sync.errors import ConfigurationError
from sync.ledger.portal import Principal
from sync.portal.invites import Invitation, invite, revoke
from sync.wiring import Services

log = structlog.get_logger("partnersync.portal")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
NO_PARTNER_EMAIL = (
    "--email is needed to mail partner {partner}'s link: PARTNERSYNC_SMTP_URL is set, and "
    "the ledger's copy of HubSpot holds no email address for a partner company (or unset "
    "PARTNERSYNC_SMTP_URL to print the link instead)")


def email_argument(text: str) -> str:
    if EMAIL.fullmatch(text.strip()) is None:
        raise argparse.ArgumentTypeError(f"expected an email address, got {text!r}")
    return text.strip()


def usage_error(command: str, message: str) -> int:
    print(f"partnersync: portal {command}: {message}", file=sys.stderr)
    return EXIT_CONFIG


def _serve(args: argparse.Namespace) -> int:
    from sync.cli.run import stop_on_signals
    from sync.portal.server import serve_portal  # Flask: only this command needs it

    stop = threading.Event()
    stop_on_signals(stop)
    with open_services() as services:
        services.configure_logging()
        settings = services.settings
        settings.require_portal_secret()
        _ = services.programme  # a bad programme file stops here (exit 2)
        _ = services.ledger  # so does a missing ledger: run `partnersync sync` first
        require_listenable(settings.resolved_portal_host, settings.portal_port,
                           host_setting="PARTNERSYNC_PORTAL_HOST",
                           port_setting="PARTNERSYNC_PORTAL_PORT")
        serve_portal(services, stop, lambda url: log.info(
            "portal.ready", url=url, links=settings.resolved_portal_url))
    return EXIT_OK


def _send_or_print(services: Services, principal: Principal, email: str | None,
                   by: str, what: str) -> int:
    """Invite ``principal``: mailed to ``email`` with SMTP set, printed otherwise."""
    settings, now = services.settings, datetime.now(UTC)
    if settings.smtp_url is None:
        invitation = invite(services, principal, email=email, by=by, now=now)
        out = console()
        plain(out, f"Sign-in link for {what}, works once until {_until(invitation)}:")
        plain(out, invitation.url)
        return EXIT_OK
    from sync.portal.mail import invitation_message, send

    if settings.smtp_from is None:
        raise ConfigurationError("PARTNERSYNC_SMTP_FROM must be set with PARTNERSYNC_SMTP_URL: "
                                 "the sender of invitation mails, e.g. partners@vmcloud.example")
    assert email is not None
    sender = settings.smtp_from

    def deliver(invitation: Invitation) -> None:
        send(settings, invitation_message(invitation, sender, email, now))

    invitation = invite(services, principal, email=email, by=by, now=now, deliver=deliver)
    plain(console(), f"Sent a sign-in link for {what} to {email}; it works once until "
                     f"{_until(invitation)}.")
    return EXIT_OK


def _until(invitation: Invitation) -> str:
    return invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC")


def _invite(args: argparse.Namespace) -> int:
    partner_id = args.partner.strip()
    with open_services() as services:
        partners = known_partners(services)
        if partner_id not in partners:
            return usage_error("invite", unknown_partner(partner_id))
        if services.settings.smtp_url is not None and args.email is None:
            return usage_error("invite", NO_PARTNER_EMAIL.format(partner=partner_id))
        name = partners[partner_id].name
        what = f"partner {partner_id}" + (f" ({name})" if name else "")
        return _send_or_print(services, Principal.partner(partner_id), args.email, args.by,
                              what)


def _invite_admin(args: argparse.Namespace) -> int:
    principal = Principal.admin(args.email)
    with open_services() as services:
        return _send_or_print(services, principal, principal.subject, args.by,
                              f"programme manager {principal.subject}")


def _revoke(args: argparse.Namespace) -> int:
    partner_id = args.partner.strip()
    with open_services() as services:
        done = revoke(services, Principal.partner(partner_id), by=args.by,
                      now=datetime.now(UTC))
        if not done and partner_id not in known_partners(services):
            return usage_error("revoke", unknown_partner(partner_id))
    plain(console(), f"Partner {partner_id}: " + (
        "portal access revoked; every session ends at its next request and unused links "
        "are refused. `partnersync portal invite` gives access again." if done else
        "never invited to the portal: nothing to revoke."))
    return EXIT_OK


def _revoke_admin(args: argparse.Namespace) -> int:
    principal = Principal.admin(args.email)
    with open_services() as services:
        if not revoke(services, principal, by=args.by, now=datetime.now(UTC)):
            return usage_error("revoke-admin", f"{principal.subject} was never invited to the "
                                               "portal (`partnersync audit` lists invitations)")
    plain(console(), f"Programme manager {principal.subject}: portal access revoked; every "
                     "session ends at its next request and unused links are refused.")
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    portal = commands.add_parser(
        "portal", help="serve the partner portal alone; invite and revoke (docs/portal.md)",
        description="Without an action: serve the portal on PARTNERSYNC_PORTAL_HOST/PORT "
                    "(needs PARTNERSYNC_PORTAL_SECRET_KEY).")
    portal.set_defaults(handler=_serve)
    actions = portal.add_subparsers(dest="action", metavar="[ACTION]")
    partner = actions.add_parser("invite", help="a single-use sign-in link for a partner")
    partner.add_argument("partner", metavar="PARTNER", type=not_empty,
                         help="the partner's HubSpot company id (`partnersync partners list`)")
    partner.add_argument("--email", metavar="ADDR", type=email_argument,
                         help="where to mail the link (needed with PARTNERSYNC_SMTP_URL)")
    add_actor(partner, "who invites")
    partner.set_defaults(handler=_invite)
    admin = actions.add_parser("invite-admin", help="a sign-in link to the admin view")
    admin.add_argument("email", metavar="EMAIL", type=email_argument,
                       help="the programme manager's email (the link is mailed there "
                            "with PARTNERSYNC_SMTP_URL)")
    add_actor(admin, "who invites")
    admin.set_defaults(handler=_invite_admin)
    revoke_partner = actions.add_parser("revoke", help="end every session of a partner")
    revoke_partner.add_argument("partner", metavar="PARTNER", type=not_empty,
                                help="the partner's HubSpot company id")
    add_actor(revoke_partner, "who revokes")
    revoke_partner.set_defaults(handler=_revoke)
    revoke_admin = actions.add_parser("revoke-admin",
                                      help="end every session of a programme manager")
    revoke_admin.add_argument("email", metavar="EMAIL", type=email_argument,
                              help="the programme manager's email, as invited")
    add_actor(revoke_admin, "who revokes")
    revoke_admin.set_defaults(handler=_revoke_admin)
