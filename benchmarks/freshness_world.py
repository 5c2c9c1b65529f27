"""The freshness benchmark's world, beyond the portal benchmark's (``portal_world``):

- ``prospects``: customers who signed up and have not paid yet, one open first invoice
  each, linked to a pipeline deal (its Stripe customer property), added through the
  control API before the first sync, so there are as many first payments to make as
  the stream and the burst need (the generator's own never-paid customers are 4%);
- ``observer``: a second HTTP server on the same HubSpot state without the rate limiter
  and the call log, which the benchmark polls: HubSpot's burst limit is per private
  app, and a reporting app has its own; the stand-in's limiter is portal-wide, so
  polling the worker's server would eat the worker's budget;
- ``Served``: ``partnersync serve`` as its own process, its receivers on a free port,
  both stand-ins' webhooks pointed at it through their control API.
"""

from __future__ import annotations

import copy
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.portal_world import ROOT, World
from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sandbox.core import SandboxServer
from sync.webhooks.subscriptions import STRIPE_ACCOUNT_EVENTS, watched

STRIPE_SECRET = "whsec_freshness_bench"
HUBSPOT_SECRET = "freshness-bench-client-secret"
FAR_AWAY = "0 0 1 1 *"  # 1 January: only webhooks trigger syncs while it runs
DEAL = PROPS.deal


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- prospects: first invoices to pay ----------------------------------------------------

def add_prospects(world: World, count: int) -> list[tuple[str, str]]:
    """``count`` (deal id, open invoice id): a pipeline deal given a new Stripe customer,
    with a subscription and its open first invoice cloned from a never-paid customer's."""
    state = world.stripe.state
    template = _never_paid(world)
    linked = {str(c.get("metadata", {}).get("hubspot_deal_id"))
              for c in state.newest_first("customer")}
    deals = [d for d in _pipeline_deals(world) if d not in linked][:count]
    if len(deals) < count:
        raise RuntimeError(f"the portal has {len(deals)} pipeline deals, {count} needed")
    pairs, updates = [], []
    for n, deal_id in enumerate(deals):
        customer, subscription, invoice = _cloned(template, f"fresh{n:06d}")
        for kind, obj in (("customer", customer), ("subscription", subscription),
                          ("invoice", invoice)):
            world.stripe.control({"action": "add", "object": kind, "data": obj})
        updates.append({"id": deal_id,
                        "properties": {DEAL.stripe_customer_id: customer["id"]}})
        pairs.append((deal_id, str(invoice["id"])))
    world.hubspot.change_records({"object_type": "deals", "user_id": 81234567,
                                  "update": updates})
    return pairs


def _never_paid(world: World) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    state = world.stripe.state
    invoices: dict[str, list[dict[str, Any]]] = {}
    for invoice in state.newest_first("invoice"):
        invoices.setdefault(str(invoice["customer"]), []).append(invoice)
    for customer_id, theirs in sorted(invoices.items()):
        # In the programme's currency: a customer billed in another converts as
        # "unsupported_currency" and its deal's conversion never fills (the full
        # portal's first never-paid customer is billed in another currency).
        if len(theirs) == 1 and theirs[0]["status"] == "open" and theirs[0]["currency"] == "eur":
            subscription_id = theirs[0]["parent"]["subscription_details"]["subscription"]
            return (state.get("customer", customer_id),
                    state.get("subscription", subscription_id), theirs[0])
    raise RuntimeError("the portal has no never-paid customer to clone")


def _cloned(template: tuple[dict[str, Any], ...], tag: str) -> tuple[dict[str, Any], ...]:
    """The template's objects with every id of theirs replaced by a new one."""
    customer, subscription, invoice = (copy.deepcopy(obj) for obj in template)
    text = json.dumps([customer, subscription, invoice])
    ids = {str(customer["id"]), str(subscription["id"]), str(invoice["id"]),
           *(str(item["id"]) for item in subscription["items"]["data"]),
           *(str(line["id"]) for line in invoice["lines"]["data"])}
    for old in sorted(ids, key=len, reverse=True):
        prefix = old.split("_", 1)[0]
        text = text.replace(old, f"{prefix}_{tag}{old[-4:]}")
    text = text.replace(str(customer["email"]).split("@")[1], f"{tag}.example")
    cloned: list[dict[str, Any]] = json.loads(text)
    cloned[2]["number"] = f"{tag.upper()}-0001"
    return tuple(cloned)


def _pipeline_deals(world: World) -> list[str]:
    """Deals no Stripe customer property names, in id order."""
    state = world.hubspot.state
    with state.lock:
        deals = state.list(state.resolve_type("deals"))
        return sorted((d.id for d in deals if not d.properties.get(DEAL.stripe_customer_id)),
                      key=int)


# -- the observer -------------------------------------------------------------------------

@contextmanager
def observer(world: World) -> Iterator[str]:
    """The HubSpot stand-in's API without its limiter and call log (see the module)."""
    with SandboxServer(world.hubspot.vendor_app) as server:
        yield str(server.url)


# -- partnersync serve --------------------------------------------------------------------

@dataclass
class Served:
    process: subprocess.Popen[str]
    webhook_url: str
    log_path: Path
    peak_file: Path

    def stop(self) -> float:
        """SIGTERM (a run in progress finishes), wait; the worker's peak RSS in MiB."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        text = self.peak_file.read_text() if self.peak_file.exists() else ""
        return int(text) / 1024 if text else float("nan")


def serve_env(world: World, webhook_port: int, debounce: float) -> dict[str, str]:
    return {**world.env(),
            "PARTNERSYNC_LOG_LEVEL": "info",
            "PARTNERSYNC_STRIPE_WEBHOOK_SECRET": STRIPE_SECRET,
            "PARTNERSYNC_HUBSPOT_CLIENT_SECRET": HUBSPOT_SECRET,
            "PARTNERSYNC_WEBHOOK_HOST": "127.0.0.1",
            "PARTNERSYNC_WEBHOOK_PORT": str(webhook_port),
            "PARTNERSYNC_WEBHOOK_PUBLIC_URL": f"http://127.0.0.1:{webhook_port}",
            "PARTNERSYNC_WEBHOOK_DEBOUNCE_SECONDS": repr(debounce),
            "PARTNERSYNC_SERVE_HOST": "127.0.0.1",
            "PARTNERSYNC_SERVE_PORT": str(free_port()),
            "PARTNERSYNC_SCHEDULE_SYNC": FAR_AWAY,
            "PARTNERSYNC_SCHEDULE_MONTH_CLOSE": FAR_AWAY,
            "PARTNERSYNC_SCHEDULE_PAY": FAR_AWAY}


@contextmanager
def served(world: World, debounce: float) -> Iterator[Served]:
    """``partnersync serve`` running, the stand-ins delivering to it; stopped after."""
    port = free_port()
    log_path, peak = world.directory / "serve.log", world.directory / "serve-peak-kib"
    peak.unlink(missing_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.portal_worker", "serve"], cwd=ROOT,
            env={**serve_env(world, port, debounce), "PORTAL_PEAK_FILE": str(peak)},
            stdout=log, stderr=subprocess.STDOUT, text=True)
    running = Served(process, f"http://127.0.0.1:{port}", log_path, peak)
    try:
        _wait_listening(running)
        point_webhooks(world, running.webhook_url, {})
        yield running
    finally:
        for url in (world.stripe_url, world.hubspot_url):
            _control(url, "DELETE", None)
        running.stop()


def point_webhooks(world: World, base: str, faults: dict[str, Any]) -> None:
    """Both stand-ins deliver to ``base``'s receivers what the README says to subscribe
    to (``webhooks setup``'s lists), with ``faults`` (docs/sandbox.md)."""
    seen = watched(PROPS)
    subscriptions = [{"subscriptionType": f"{kind}.creation"} for kind in ("company", "deal")]
    subscriptions += [{"subscriptionType": f"{kind}.propertyChange", "propertyName": name}
                      for kind, names in (("company", seen.company), ("deal", seen.deal))
                      for name in names]
    _control(world.stripe_url, "POST", {
        "url": f"{base}/webhooks/stripe", "secret": STRIPE_SECRET, "faults": faults,
        "enabled_events": list(STRIPE_ACCOUNT_EVENTS), "concurrency": 8})
    _control(world.hubspot_url, "POST", {
        "url": f"{base}/webhooks/hubspot", "secret": HUBSPOT_SECRET, "faults": faults,
        "subscriptions": subscriptions, "concurrency": 4})


def pending_deliveries(world: World) -> int:
    return sum(int(_control(url, "GET", None, "?deliveries=0")["pending"])
               for url in (world.stripe_url, world.hubspot_url))


def delivery_counts(world: World) -> dict[str, int]:
    """Attempts by result (``delivered``, ``retry``, ``failed``...) and the faults the
    injector applied (``fault:duplicate``...), both stand-ins together."""
    counts: Counter[str] = Counter()
    for url in (world.stripe_url, world.hubspot_url):
        settings = _control(url, "GET", None, "?deliveries=1000000")
        counts.update({result: int(n) for result, n in settings["counts"].items()})
        counts.update(f"fault:{fault}" for attempt in settings["deliveries"]
                      for fault in attempt["faults"])
    return dict(counts)


def _control(base: str, method: str, body: dict[str, Any] | None,
             query: str = "") -> dict[str, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}/_sandbox/webhooks{query}", data=data,
                                     method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        result: dict[str, Any] = json.loads(answer.read())
    return result


def _wait_listening(running: Served, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    port = int(running.webhook_url.rsplit(":", 1)[1])
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise RuntimeError(f"serve exited {running.process.returncode}:\n"
                               f"{running.log_path.read_text()[-3000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"serve's receivers did not listen within {timeout:.0f} s")
