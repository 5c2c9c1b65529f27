"""Rate limits (Flask-Limiter, counted in this process's memory).

Views declare their limits with ``@limiter.limit("10/minute")``; the default key is the
client's address. Behind a reverse proxy every client shares the proxy's address: put
the limits there too, or run the portal with a proxy-aware WSGI middleware.
"""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

SIGN_IN_LIMIT = "10/minute"

limiter = Limiter(get_remote_address, storage_uri="memory://", headers_enabled=True)
