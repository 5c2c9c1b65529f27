"""The portal's Flask application, built once per process from the worker's services.

``create_portal`` wires the session cookie, CSRF protection, languages, rate limits,
error pages and security headers, then the blueprints: ``auth`` here; each area of the
portal (partner pages, registrations, admin) registers its own.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response, current_app, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from sync.ledger.portal import Kind
from sync.portal import registration_pages as registrations
from sync.portal.access_log import register_access_log
from sync.portal.admin_pages import admin
from sync.portal.auth import auth, principal_label
from sync.portal.context import EXTENSION, Clock, PortalContext, system_clock
from sync.portal.errors import register_errors
from sync.portal.i18n import init_i18n
from sync.portal.limits import limiter
from sync.portal.partner_pages import blueprint as partner_pages
from sync.portal.routes import NAME, LedgerIdConverter
from sync.portal.sessions import SESSION_LIFETIME, current_principal
from sync.wiring import Services

SESSION_COOKIE = "partnersync_session"
# Same-origin everything: no script, style, image or form target from elsewhere; no
# framing. The Referer goes to this site only: a sign-in link's token never leaves it,
# and Flask-WTF's CSRF check over HTTPS needs a same-origin Referer on every POST.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self' 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",  # pages show one partner's money: never cached
}
# Over https, browsers keep to https for this host for a year (no downgrade to http).
HSTS = ("Strict-Transport-Security", "max-age=31536000")
# The nav shows, in this order, those of these endpoints that some blueprint provides.
PARTNER_NAV = ("partner.overview", "partner.customers", "partner.lines", "partner.payouts",
               "partner.referral", "registrations.index")
ADMIN_NAV = ("admin.dashboard", "admin.partners", "admin.payouts")


def create_portal(services: Services, *, clock: Clock | None = None) -> Flask:
    """The portal on ``services``; ``clock`` (aware UTC) decides links' and sessions'
    ages (tests pass their own). Needs PARTNERSYNC_PORTAL_SECRET_KEY."""
    settings = services.settings
    app = Flask(__name__)
    secure = settings.resolved_portal_url.startswith("https://")
    app.config.update(
        SECRET_KEY=settings.require_portal_secret(),
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        # A form's token holds as long as its session: sessions end at 12 h anyway.
        WTF_CSRF_TIME_LIMIT=int(SESSION_LIFETIME / timedelta(seconds=1)),
        MAX_CONTENT_LENGTH=64 * 1024,  # forms only: nothing large is ever posted
    )
    app.url_map.converters[NAME] = LedgerIdConverter  # before the blueprints' routes
    app.extensions[EXTENSION] = PortalContext(services, clock or system_clock)
    CSRFProtect(app)
    limiter.init_app(app)
    init_i18n(app, secure_cookies=secure)
    register_errors(app)
    register_access_log(app)
    app.after_request(_security_headers)
    if secure:
        app.after_request(_strict_transport)
    app.context_processor(_layout_context)
    app.register_blueprint(auth)
    app.register_blueprint(admin)
    app.register_blueprint(partner_pages)
    app.register_blueprint(registrations.blueprint)
    hops = settings.portal_trusted_proxies
    if hops:  # the client's address, scheme and host as the trusted proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops)
    return app


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        if name != "Cache-Control" or request.endpoint != "static":
            response.headers.setdefault(name, value)
    return response


def _strict_transport(response: Response) -> Response:
    response.headers.setdefault(*HSTS)
    return response


def _layout_context() -> dict[str, object]:
    """What base.html needs: who is signed in and the nav entries that exist."""

    def nav() -> list[str]:
        principal = current_principal()
        if principal is None:
            return []
        wanted = PARTNER_NAV if principal.kind is Kind.PARTNER else ADMIN_NAV
        return [endpoint for endpoint in wanted if endpoint in current_app.view_functions]

    return {"signed_in": current_principal, "nav_endpoints": nav,
            "principal_label": principal_label}
