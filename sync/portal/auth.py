"""Signing in and out, and who may open what.

A sign-in link is ``/sign-in/<token>``. Its GET only shows a button (mail scanners
fetch links before people click them); the POST consumes the single-use token and
starts a session. Views are guarded by ``partner_required`` or ``admin_required``: no
session goes to the sign-in page, a session of the other kind answers 404 (the page
exists for nobody else), as does anything of another partner.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from sync.ledger.portal import Kind, Principal, Refusal
from sync.portal.context import portal
from sync.portal.limits import SIGN_IN_LIMIT, limiter, sign_in_key
from sync.portal.partner_data import partner_of
from sync.portal.sessions import (
    IDLE_TIMEOUT,
    Ended,
    current_principal,
    end_session,
    start_session,
)

P = ParamSpec("P")
R = TypeVar("R")
auth = Blueprint("auth", __name__)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")  # token_urlsafe's alphabet
HOMES = {Kind.PARTNER: "partner.overview", Kind.ADMIN: "admin.dashboard"}
REFUSAL_STATUS = {Refusal.UNKNOWN: 404, Refusal.USED: 410, Refusal.EXPIRED: 410,
                  Refusal.REVOKED: 410}


def _to_sign_in() -> Response:
    ended = g.get("session_ended")
    if ended is Ended.EXPIRED:
        flash(_("Your session has ended after 12 hours. Ask for a new sign-in link."))
    elif ended is Ended.IDLE:
        flash(_("Your session has ended after %(hours)s hours without activity. Ask for a "
                "new sign-in link.", hours=IDLE_TIMEOUT // timedelta(hours=1)))
    elif ended is Ended.SIGNED_OUT:
        flash(_("This session was signed out. Ask for a new sign-in link to sign in again."))
    elif ended is Ended.REVOKED:
        flash(_("Your access to the portal was revoked. Ask your programme manager for a "
                "new sign-in link."))
    return redirect(url_for("auth.sign_in"))


def _required(kind: Kind) -> Callable[[Callable[P, ResponseReturnValue]],
                                      Callable[P, ResponseReturnValue]]:
    def decorator(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            principal = current_principal()
            if principal is None:
                return _to_sign_in()
            if principal.kind is not kind:
                abort(404)
            return view(*args, **kwargs)
        return guarded
    return decorator


partner_required = _required(Kind.PARTNER)
admin_required = _required(Kind.ADMIN)


def _signed_in(kind: Kind) -> str:
    principal = current_principal()
    if principal is None or principal.kind is not kind:
        abort(404)
    return principal.subject


def signed_in_partner() -> str:
    """The signed-in partner's company id: every partner query is scoped by it."""
    return _signed_in(Kind.PARTNER)


def signed_in_admin() -> str:
    """The signed-in programme manager's email (lower-case)."""
    return _signed_in(Kind.ADMIN)


@auth.get("/")
def home() -> ResponseReturnValue:
    principal = current_principal()
    if principal is None:
        return _to_sign_in()
    endpoint = HOMES[principal.kind]
    if endpoint in current_app.view_functions:
        return redirect(url_for(endpoint))
    return render_template("auth/home.html", principal=principal)


@auth.get("/sign-in")
def sign_in() -> ResponseReturnValue:
    return render_template("auth/sign_in.html", principal=current_principal())


def _refused(refusal: Refusal) -> ResponseReturnValue:
    return render_template("auth/link_refused.html", refusal=refusal.value), \
        REFUSAL_STATUS[refusal]


def _known_shape(token: str) -> bool:
    return TOKEN_SHAPE.fullmatch(token) is not None


@auth.get("/sign-in/<token>")
def sign_in_link(token: str) -> ResponseReturnValue:
    """The button, or why the link does not work (checked, not consumed)."""
    if not _known_shape(token):
        return _refused(Refusal.UNKNOWN)
    context = portal()
    found = context.ledger.check_sign_in_link(token, context.now())
    if isinstance(found, Refusal):
        return _refused(found)
    return render_template("auth/sign_in_link.html", token=token, kind=found.kind.value,
                           who=_signs_in_as(found))


def _signs_in_as(principal: Principal) -> str:
    """Whom a link signs in, as its button page names them: an admin's email, a
    partner's name as the mirror of HubSpot holds it, else its id."""
    if principal.kind is Kind.ADMIN:
        return principal.subject
    context = portal()
    with context.ledger.transaction(read_only=True) as session:
        partner = partner_of(session, context.services.props, principal.subject)
    if partner is not None and partner.name:
        return partner.name
    return str(_("partner %(id)s", id=principal.subject))


@auth.post("/sign-in/<token>")
@limiter.limit(SIGN_IN_LIMIT, key_func=sign_in_key)
def use_sign_in_link(token: str) -> ResponseReturnValue:
    if not _known_shape(token):
        return _refused(Refusal.UNKNOWN)
    context = portal()
    now = context.now()
    ledger = context.ledger
    with ledger.transaction():  # the link used and the session started: both or neither
        found = ledger.use_sign_in_link(token, now)
        session_id = (ledger.start_portal_session(found, now)
                      if isinstance(found, Principal) else None)
    if isinstance(found, Refusal):
        return _refused(found)
    assert session_id is not None
    start_session(session_id)
    return redirect(url_for("auth.home"), code=303)


@auth.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    end_session()
    flash(_("You are signed out."))
    return redirect(url_for("auth.sign_in"), code=303)


def principal_label(principal: Principal) -> str:
    """How the page header names who is signed in."""
    if principal.kind is Kind.ADMIN:
        return principal.subject
    return str(_("partner %(id)s", id=principal.subject))
