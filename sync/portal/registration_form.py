"""The registration form's fields to a ``Prospect``, or what is wrong with each field.

Pure: the page turns each problem into a translated sentence beside its field. The
domain is normalised as HubSpot domains are (``mappings.values.normalize_domain``:
lower case, no scheme, path, port or leading ``www.``, accented names in IDNA form:
``café.fr`` is stored and sent as ``xn--caf-dma.fr``), so R8 and the duplicate check
compare like with like. A field holding a control or format character (NUL, U+202E
right-to-left override, a zero-width space...) is refused: none belongs in a name, a
domain, an address or a plan, and they would reach HubSpot and the ledger as typed
(PostgreSQL refuses NUL outright). Tabs and line breaks count as spaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from enum import StrEnum

from mappings.values import normalize_domain
from sync.domain.domains import ascii_domain
from sync.engine.registration import Prospect

FIELDS = ("company_name", "domain", "contact_email", "expected_plan")
MAX_NAME, MAX_EMAIL, MAX_PLAN, MAX_DOMAIN = 255, 320, 64, 253
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_TOP_LEVEL = r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"  # .fr, or an accented one in IDNA
_HOSTNAME = re.compile(rf"(?:{_LABEL}\.)+{_TOP_LEVEL}")
_LOCAL_PART = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}")
# Control, format, surrogate, private-use and unassigned code points: invisible or
# meaningless in any field (Unicode general categories).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_SPACES = frozenset("\t\n\r")


class Problem(StrEnum):
    """What a field needs; the page words each one (English source, French catalogue)."""

    NAME_MISSING = "name_missing"
    NAME_TOO_LONG = "name_too_long"
    DOMAIN_MISSING = "domain_missing"
    DOMAIN_INVALID = "domain_invalid"
    EMAIL_MISSING = "email_missing"
    EMAIL_INVALID = "email_invalid"
    PLAN_MISSING = "plan_missing"
    PLAN_TOO_LONG = "plan_too_long"
    INVISIBLE = "invisible"  # a control or format character, in any field


def has_invisible(text: str) -> bool:
    """Whether ``text`` holds a control or format character (a tab or line break aside)."""
    return any(unicodedata.category(char) in _REFUSED_CATEGORIES and char not in _SPACES
               for char in text)


def _text(form: Mapping[str, str], name: str) -> str:
    return " ".join((form.get(name) or "").split())  # trimmed, inner runs of space as one


def domain_of(text: str) -> str | None:
    """A registrable host name such as ``acme.fr``, normalised; None when it is not one."""
    domain = normalize_domain(text)
    if domain is None or len(domain) > MAX_DOMAIN or not _HOSTNAME.fullmatch(domain):
        return None
    return domain


def email_of(text: str) -> str | None:
    """``local@host.tld``, the host lower-cased; None when it is not an address."""
    local, at, host = text.rpartition("@")
    domain = (ascii_domain(host) or "").lower()
    if (not at or len(text) > MAX_EMAIL or not _LOCAL_PART.fullmatch(local)
            or not _HOSTNAME.fullmatch(domain)):
        return None
    return f"{local}@{domain}"


def parse_prospect(form: Mapping[str, str]) -> tuple[Prospect | None, dict[str, Problem]]:
    """The prospect, or each field's problem (nothing is stored with any problem)."""
    problems = {name: Problem.INVISIBLE for name in FIELDS
                if has_invisible(form.get(name) or "")}
    name = _text(form, "company_name")
    if not name:
        problems.setdefault("company_name", Problem.NAME_MISSING)
    elif len(name) > MAX_NAME:
        problems.setdefault("company_name", Problem.NAME_TOO_LONG)
    raw_domain = _text(form, "domain")
    domain = domain_of(raw_domain)
    if domain is None:
        problems.setdefault("domain", Problem.DOMAIN_INVALID if raw_domain
                            else Problem.DOMAIN_MISSING)
    raw_email = _text(form, "contact_email")
    email = email_of(raw_email)
    if email is None:
        problems.setdefault("contact_email", Problem.EMAIL_INVALID if raw_email
                            else Problem.EMAIL_MISSING)
    plan = _text(form, "expected_plan")
    if not plan:
        problems.setdefault("expected_plan", Problem.PLAN_MISSING)
    elif len(plan) > MAX_PLAN:
        problems.setdefault("expected_plan", Problem.PLAN_TOO_LONG)
    if problems or domain is None or email is None:
        return None, problems
    return Prospect(name, domain, email, plan), problems
