"""The secrets suite's scan, in one place: what counts as a leak and how a captured
output is judged. ``test_no_secret_leaks`` runs it over everything the worker wrote;
``test_scan_catches_leaks`` shows it flags a secret that did leak (its positive control).
"""

from __future__ import annotations

from tests.secrets.conftest import SECRETS

# Each secret whole, its last 8 characters (what a "token ending in ..." hint shows) and
# its distinctive middle: any of them in an output is a leak.
NEEDLES = tuple(sorted({*SECRETS, *(secret[-8:] for secret in SECRETS),
                        "SECRET-HUBSPOT", "SECRETSTRIPE", "SECRETKEY", "SECRETPASS"}))


def leaks(text: str) -> list[str]:
    return [needle for needle in NEEDLES if needle in text]


def assert_no_leak(label: str, texts: dict[str, str]) -> None:
    """Fails naming the scenario, the output (stdout, logs, a file...) and the needles."""
    for where, text in texts.items():
        assert not leaks(text), f"{label}: {where} leaks {leaks(text)}:\n{text[:3000]}"
