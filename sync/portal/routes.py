"""The ``ledger_id`` route converter: a path segment that can be a ledger id, or 404.

Ids in URLs are the ledger's own (sync.domain.decisions): ``vmcl_<partner>_<customer>_
<YYYY-MM>_<kind>[_<YYYY-MM>]``, ``vmcpo_<partner>_<YYYY-MM>``, registrations'
``reg_<hex>``, made of HubSpot ids (digits), Stripe ids (``cus_`` and letters or
digits), month labels and kind names: ASCII letters, digits, ``_`` and ``-`` only. A
segment with anything else (``%00``, a space, a dot, an accent) cannot name a record, so
the URL map answers 404 before any view runs or any query reaches the database
(psycopg refuses NUL in a string: a 500 on PostgreSQL otherwise).
"""

from __future__ import annotations

from werkzeug.routing import BaseConverter

NAME = "ledger_id"
ID_PATTERN = r"[A-Za-z0-9_-]{1,200}"


class LedgerIdConverter(BaseConverter):
    regex = ID_PATTERN
