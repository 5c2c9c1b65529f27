"""Error pages: translated, in the portal's layout, never a traceback.

A failure inside a view is logged (the structured log, its secrets scrubbed, the route's
pattern rather than the path: no sign-in token) and the person sees what to do next.
"""

from __future__ import annotations

import time

import structlog
from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from sync.portal.access_log import logged_path
from sync.portal.limits import limiter

log = structlog.get_logger("partnersync.portal")
HANDLED = (400, 404, 405, 410, 413, 429, 500)
TOO_MANY = 429
MINUTE, HOUR = 60, 3600


def _texts(status: int) -> tuple[str, str]:
    """The heading and the advice for ``status``."""
    texts = {
        400: (_("The request could not be understood"),
              _("Go back, reload the page and try again.")),
        404: (_("Page not found"),
              _("There is nothing here that you may see. Check the address, or go back "
                "to your home page.")),
        405: (_("Not allowed"), _("This page does not accept that action. Go back and use "
                                  "the page's buttons.")),
        410: (_("This link no longer works"),
              _("Ask your programme manager for a new sign-in link.")),
        413: (_("What you sent is too large"),
              _("A form of this portal holds at most 64 KB of text. Go back, shorten what "
                "you typed and send it again.")),
        429: (_("Too many attempts"),
              _("Wait a minute, then try again.")),
        500: (_("Something went wrong on our side"),
              _("The error was recorded. Try again in a moment; if it happens again, tell "
                "your programme manager.")),
    }
    return texts[status]


def wait_advice(seconds: int) -> str:
    """What the 429 page says, from the Retry-After in seconds: rounded up, so that
    waiting as long as it says always works."""
    if seconds <= MINUTE:
        advice = _("Wait a minute, then try again.")
    elif seconds < HOUR:
        advice = _("Wait %(minutes)s minutes, then try again.",
                   minutes=-(-seconds // MINUTE))
    elif seconds <= HOUR:
        advice = _("Wait an hour, then try again.")
    else:
        advice = _("Wait %(hours)s hours, then try again.", hours=-(-seconds // HOUR))
    return str(advice)


def _retry_after() -> int | None:
    """Seconds until the breached limit lets this client through again, as the limiter's
    Retry-After header says it (from the limiter's own clock, the system's)."""
    breached = limiter.current_limit
    if breached is None:
        return None
    return max(0, int(breached.reset_at - time.time()))


def error_page(status: int, heading: str | None = None,
               advice: str | None = None) -> ResponseReturnValue:
    default_heading, default_advice = _texts(status)
    return render_template("error.html", status=status, heading=heading or default_heading,
                           advice=advice or default_advice,
                           bare=status == 500), status  # 500: maybe no ledger to ask


def _http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    if status < 400:  # a routing redirect (a missing trailing slash), not an error
        return error
    if status == TOO_MANY:
        seconds = _retry_after()
        return error_page(TOO_MANY, advice=None if seconds is None else wait_advice(seconds))
    return error_page(status if status in HANDLED else 400)


def _csrf_error(error: CSRFError) -> ResponseReturnValue:
    return error_page(400, _("This form has expired or did not come from this site"),
                      _("Reload the page and send the form again. If you opened it long "
                        "ago, sign in again first."))


def _unexpected(error: Exception) -> ResponseReturnValue:
    log.error("portal.failed", path=logged_path(), method=request.method,
              error=f"{type(error).__name__}: {error}")
    return error_page(500)


def register_errors(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
