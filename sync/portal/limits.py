"""Rate limits (Flask-Limiter, counted in this process's memory).

Views declare their limits with ``@limiter.limit("10/minute")``; the default key is the
client's address, as werkzeug's ProxyFix gives it behind PARTNERSYNC_PORTAL_TRUSTED_PROXIES
trusted proxies (without it, every client behind a proxy shares the proxy's address).
"""

from __future__ import annotations

from hashlib import sha256

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

SIGN_IN_LIMIT = "10/minute"

limiter = Limiter(get_remote_address, storage_uri="memory://", headers_enabled=True)


def sign_in_key() -> str:
    """One count per client address and link: a script posting junk to one link cannot
    lock anyone out of their own link, even when all share a proxy's address. Guessing
    is not what this stops (a token has 256 random bits), hammering is. The count keeps
    the token's hash, never the token."""
    token = str((request.view_args or {}).get("token", ""))
    return f"{get_remote_address()}|{sha256(token.encode()).hexdigest()[:32]}"
