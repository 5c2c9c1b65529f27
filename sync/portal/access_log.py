"""One structured log line per portal request, whichever server runs the portal.

A path is logged as the pattern of the route it matched (``/sign-in/<token>``,
``/lines/<line_id>``), never as sent: a sign-in link is a credential until used, and a
browser or a person may spell it in many ways (``/sign-%69n/...``, ``//sign-in//...``).
A path that matched no route keeps its first segment only.
"""

from __future__ import annotations

import structlog
from flask import Flask, Response, request

from sync.runtime.http import first_segment

log = structlog.get_logger("partnersync.portal")


def logged_path() -> str:
    """The current request's path as logs may show it."""
    rule = request.url_rule
    if rule is not None:
        return rule.rule
    return first_segment(request.path)


def _log_request(response: Response) -> Response:
    log.info("portal.request", method=request.method, path=logged_path(),
             status=response.status_code, client=request.remote_addr)
    return response


def register_access_log(app: Flask) -> None:
    app.after_request(_log_request)
