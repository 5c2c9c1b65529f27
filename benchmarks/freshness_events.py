"""The freshness benchmark's events and what watches them.

A paid invoice is a prospect's open first invoice paid (the control API's
``pay_invoice``, which records Stripe's ``invoice.updated``, ``invoice.paid`` and
``invoice.payment_succeeded``): R3 converts the customer, and its deal's
``vmc_converted_at`` fills. A deal change is a referral code and ``vmc_referral_at`` set
on a converted deal that had no touch, as a salesperson in HubSpot's UI would (the
control API's records, raising HubSpot's ``deal.propertyChange`` events): R4-R10 decide
its attribution again, and ``vmc_attribution_status`` leaves ``no_touch``.

``Watcher`` polls the observer (``freshness_world.observer``) with HubSpot's batch read,
100 deals a call, and notes when each event's field is first visible.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from benchmarks.portal_world import HUBSPOT_TOKEN, World
from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS

DEAL, COMPANY = PROPS.deal, PROPS.company
POLL_SECONDS = 0.25
PAID, CHANGED = "paid invoice", "deal change"


@dataclass
class Event:
    kind: str  # PAID or CHANGED
    deal_id: str
    made_at: float = 0.0  # time.monotonic() once the change was made
    seen_at: float | None = None
    status: str = ""  # the deal's attribution status when seen

    @property
    def latency(self) -> float | None:
        return None if self.seen_at is None else self.seen_at - self.made_at

    def visible(self, properties: dict[str, Any]) -> bool:
        if self.kind == PAID:
            return bool(properties.get(DEAL.converted_at))
        return properties.get(DEAL.attribution_status) not in (None, "", "no_touch")


@dataclass(frozen=True)
class Touch:
    """A referral set on a converted deal without a touch: a partner's code, at the
    conversion instant (R6: 0 days; R7: a touch at the conversion instant passes)."""

    deal_id: str
    code: str
    at: str


def make(world: World, event: Event, invoice_id: str | None, touch: Touch | None) -> None:
    if invoice_id is not None:
        world.stripe.control({"action": "pay_invoice", "id": invoice_id})
    elif touch is not None:
        world.hubspot.change_records({"object_type": "deals", "user_id": 81234567, "update": [
            {"id": touch.deal_id, "properties": {DEAL.referral_code: touch.code,
                                                 DEAL.referral_at: touch.at}}]})
    event.made_at = time.monotonic()


def touches(world: World, count: int) -> list[Touch]:
    """Converted ``no_touch`` deals (as the first sync wrote them), each given the code
    of an active partner, in turn."""
    state = world.hubspot.state
    with state.lock:
        deals = state.list(state.resolve_type("deals"))
        bare = sorted(((d.id, str(d.properties[DEAL.converted_at])) for d in deals
                       if d.properties.get(DEAL.attribution_status) == "no_touch"
                       and d.properties.get(DEAL.converted_at)), key=lambda p: int(p[0]))
        companies = state.list(state.resolve_type("companies"))
        codes = sorted(str(c.properties[COMPANY.referral_code]) for c in companies
                       if c.properties.get(COMPANY.tier) and c.properties.get(
                           COMPANY.referral_code)
                       and c.properties.get(COMPANY.status) == "active")
    if len(bare) < count or not codes:
        raise RuntimeError(f"{len(bare)} converted deals without a touch, {count} needed; "
                           f"{len(codes)} active partners with a code")
    return [Touch(deal_id, codes[n % len(codes)], at)
            for n, (deal_id, at) in enumerate(bare[:count])]


@dataclass
class Watcher:
    """Polls the observer for the events' deals until each one's field is visible."""

    url: str
    waiting: list[Event] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    polls: int = 0

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, name="freshness-watcher",
                                       daemon=True)
        self.thread.start()

    def watch(self, events: Iterable[Event]) -> None:
        with self.lock:
            self.waiting.extend(events)

    def wait(self, timeout: float) -> bool:
        """True once every watched event was seen; False after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if not self.waiting:
                    return True
            time.sleep(POLL_SECONDS / 2)
        return False

    def close(self) -> None:
        self.stop.set()
        self.thread.join()

    def _run(self) -> None:
        while not self.stop.wait(POLL_SECONDS):
            with self.lock:
                waiting = list(self.waiting)
            if not waiting:
                continue
            self._look(waiting)
            with self.lock:
                self.waiting = [e for e in self.waiting if e.seen_at is None]

    def _look(self, waiting: list[Event]) -> None:
        ids = sorted({e.deal_id for e in waiting}, key=int)
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 100):
            found |= self._read(ids[start:start + 100])
        now = time.monotonic()
        for event in waiting:
            properties = found.get(event.deal_id, {})
            if event.made_at and event.visible(properties):
                event.seen_at = now
                event.status = str(properties.get(DEAL.attribution_status) or "")

    def _read(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        body = json.dumps({"properties": [DEAL.converted_at, DEAL.attribution_status],
                           "inputs": [{"id": i} for i in ids]}).encode()
        request = urllib.request.Request(
            f"{self.url}/crm/v3/objects/deals/batch/read", data=body, method="POST",
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {HUBSPOT_TOKEN}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            results = json.loads(answer.read())["results"]
        self.polls += 1
        return {str(r["id"]): r.get("properties") or {} for r in results}
