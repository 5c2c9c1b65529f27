"""Domain names in one form, so that R7, R8 and R9 compare like with like.

A domain with non-ASCII letters (``café.fr``) is compared, stored and sent to HubSpot
in its IDNA form (``xn--caf-dma.fr``): IDNA 2008 with the UTS 46 mapping browsers
apply (case folded, full-width dots as dots), by the ``idna`` package. So ``café.fr``
typed in the portal, ``CAFÉ.fr`` on a HubSpot company and ``contact@café.fr`` on a
Stripe customer are one domain, and equal to ``xn--caf-dma.fr`` typed as such.
"""

from __future__ import annotations

import idna


def ascii_domain(text: str) -> str | None:
    """``text`` in IDNA (ASCII) form: unchanged when already ASCII; None when it cannot
    be a domain name (a space, a symbol, a label starting with a hyphen...)."""
    if text.isascii():
        return text
    try:
        return idna.encode(text, uts46=True).decode("ascii")
    except UnicodeError:  # idna.IDNAError and the codec's own errors
        return None


def unicode_domain(text: str) -> str:
    """The form people type (``café.fr``) of an IDNA domain; ``text`` when not one."""
    if "xn--" not in text:
        return text
    try:
        return idna.decode(text)
    except UnicodeError:
        return text
