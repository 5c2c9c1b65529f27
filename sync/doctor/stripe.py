"""Stripe: the key and its mode, each permission the worker needs, Connect, the EUR balance.

Stripe has no introspection for a restricted key, so each permission is probed with a
harmless read: the first object of a listing, the balance. A restricted key lacking a
permission gets HTTP 403 (``invalid_request_error``, no code; the message names the
``rak_...`` permission that would allow the request); 401 refuses the key itself. A
write permission cannot be probed without writing: its read is, and the first run
proves the write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sync.adapters.stripe.gateway import CURRENCY, StripeGateway
from sync.doctor.checks import Check, is_unreachable, unreachable_reason
from sync.doctor.database import Waiting
from sync.domain.money import eur
from sync.errors import AuthenticationError, UpstreamError

KEY, CONNECT, BALANCE = "stripe.key", "stripe.connect", "stripe.balance"
VARIABLE = "PARTNERSYNC_STRIPE_API_KEY"
KEYS_PAGE = "Stripe Dashboard > Developers > API keys"
RAK = re.compile(r"'(rak_[a-z_]+)'")


@dataclass(frozen=True, slots=True)
class Probe:
    resource: str  # as Stripe's paths name it: "invoices"
    permission: str  # as the restricted key's editor names it
    access: str  # what the worker needs: "Read" or "Write"
    path: str
    needed: bool = True  # False: only doctor's balance check reads it

    @property
    def id(self) -> str:
        return f"stripe.permission.{self.resource}"

    @property
    def label(self) -> str:
        return f"Stripe {self.permission}"


PROBES = (
    Probe("customers", "Customers", "Write", "/v1/customers"),  # attribution metadata
    Probe("prices", "Prices", "Read", "/v1/prices"),
    Probe("subscriptions", "Subscriptions", "Read", "/v1/subscriptions"),
    Probe("invoices", "Invoices", "Read", "/v1/invoices"),
    Probe("events", "Events", "Read", "/v1/events"),  # incremental pulls
    Probe("accounts", "Connect → Accounts", "Read", "/v1/accounts"),  # R26, R32
    Probe("transfers", "Connect → Transfers", "Write", "/v1/transfers"),  # R26
    Probe("balance", "Balance", "Read", "/v1/balance", needed=False),
)
Answer = dict[str, Any] | UpstreamError


def stripe_checks(gateway: StripeGateway | None, key: str | None, base_url: str,
                  waiting: Waiting | None) -> list[Check]:
    """Every Stripe line; ``gateway`` None: no key is set."""
    if gateway is None or key is None:
        return [Check.fail(KEY, "Stripe key", f"{VARIABLE} is not set", "set it to a "
                           f"restricted key ({KEYS_PAGE} > Create restricted key)"),
                *_skipped(f"no {VARIABLE}")]
    answers: dict[str, Answer] = {}
    for probe in PROBES:
        try:
            answers[probe.resource] = _peek(gateway, probe)
        except UpstreamError as error:
            refused = _key_refused(error, base_url)
            if refused is not None:
                return [refused, *_skipped("the key check failed")]
            answers[probe.resource] = error
    return [_key(key), *(_permission(p, answers[p.resource]) for p in PROBES),
            _connect(answers["accounts"]), _balance(answers["balance"], waiting)]


def _peek(gateway: StripeGateway, probe: Probe) -> dict[str, Any]:
    if probe.resource == "balance":
        return gateway.peek("balance.retrieve", probe.path)
    return gateway.peek(f"{probe.resource}.list", probe.path, {"limit": 1})


def _key_refused(error: UpstreamError, base_url: str) -> Check | None:
    """The key line when no probe can tell anything: Stripe unreachable, key refused."""
    if is_unreachable(error):
        return Check.unreachable(KEY, "Stripe key", f"Stripe at {base_url}: "
                                 f"{unreachable_reason(error)}",
                                 "check the network, its proxy variables (HTTPS_PROXY) or "
                                 "PARTNERSYNC_STRIPE_API_BASE")
    if isinstance(error, AuthenticationError) and error.status == 401:
        return Check.fail(KEY, "Stripe key", "Stripe refused the key (HTTP 401)",
                          f"set {VARIABLE} to a key of the account ({KEYS_PAGE})")
    return None


def _key(key: str) -> Check:
    mode = "live" if "_live_" in key else "test" if "_test_" in key else "unknown"
    if key.startswith("rk_"):
        return Check.ok(KEY, "Stripe key", f"restricted key, {mode} mode")
    return Check.warn(KEY, "Stripe key", f"secret key, {mode} mode: it may do anything on "
                      "the account", "use a restricted key with the permissions below "
                      f"({KEYS_PAGE} > Create restricted key)")


def _permission(probe: Probe, answer: Answer) -> Check:
    if not isinstance(answer, UpstreamError):
        if probe.access == "Write":
            return Check.ok(probe.id, probe.label, "read allowed; write is proved by the "
                            "first run (probing it would write)")
        return Check.ok(probe.id, probe.label, "read allowed")
    fix = f"give the key {probe.permission}: {probe.access} ({KEYS_PAGE} > the key > Edit)"
    if isinstance(answer, AuthenticationError) and answer.status == 403:
        named = RAK.search(str(answer))
        asks = f" (Stripe asks for {named.group(1)})" if named else ""
        detail = f"the key may not read {probe.resource}{asks}"
        if probe.needed:
            return Check.fail(probe.id, probe.label, detail, fix)
        return Check.warn(probe.id, probe.label, f"{detail}: doctor cannot check the EUR "
                          "balance", fix)
    return Check.fail(probe.id, probe.label, f"Stripe refused the read (HTTP "
                      f"{answer.status}, {answer.code or 'no code'})", fix)


def _connect(answer: Answer) -> Check:
    label = "Stripe Connect"
    if isinstance(answer, AuthenticationError):
        return Check.skip(CONNECT, label, "not checked: the key may not read accounts")
    if isinstance(answer, UpstreamError):
        return Check.fail(CONNECT, label, f"Stripe refused listing connected accounts (HTTP "
                          f"{answer.status}): is Connect active on this account?",
                          "activate Connect in the Stripe Dashboard (Connect > Get started)")
    if not answer.get("data"):
        return Check.warn(CONNECT, label, "the platform has no connected account yet",
                          "onboard the partners to Connect: each is paid to its account")
    return Check.ok(CONNECT, label, "the platform lists its connected accounts")


def _balance(answer: Answer, waiting: Waiting | None) -> Check:
    label = "Stripe EUR balance"
    if isinstance(answer, UpstreamError):
        return Check.skip(BALANCE, label, "not checked: the key may not read the balance")
    available = sum(int(entry.get("amount") or 0) for entry in answer.get("available") or ()
                    if isinstance(entry, dict) and entry.get("currency") == CURRENCY)
    if waiting is None:
        return Check.ok(BALANCE, label, f"{eur(available)} EUR available; the payouts "
                        "waiting are not known (see the database line)")
    payouts = f"{waiting.count} payout{'' if waiting.count == 1 else 's'}"
    if available < waiting.cents:
        return Check.warn(BALANCE, label, f"{eur(available)} EUR available, below the "
                          f"{eur(waiting.cents)} EUR of the {payouts} waiting", "add EUR "
                          "funds to the platform balance before the next payment run (a "
                          "transfer beyond it fails with balance_insufficient)")
    return Check.ok(BALANCE, label, f"{eur(available)} EUR available; {eur(waiting.cents)} "
                    f"EUR waiting in {payouts}")


def _skipped(reason: str) -> list[Check]:
    return [*(Check.skip(p.id, p.label, f"not checked: {reason}") for p in PROBES),
            Check.skip(CONNECT, "Stripe Connect", f"not checked: {reason}"),
            Check.skip(BALANCE, "Stripe EUR balance", f"not checked: {reason}")]
