"""Helpers for the HubSpot gateway tests: a served sandbox portal and a gateway on it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mappings.properties import DEFAULT_PROPERTY_MAP, PropertyMap
from sandbox.core import SandboxClock, SandboxServer
from sandbox.hubspot import DEFAULT_TOKEN, HubSpotSandbox
from sandbox.hubspot.records import Record
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.pacing import RollingWindowPacer
from sync.adapters.retry import RetryPolicy

BASIC = Path(__file__).parents[1] / "sandbox" / "fixtures" / "basic"
START = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
STAMP = "2025-06-01T00:00:00.000Z"



@dataclass
class Portal:
    """A HubSpot stand-in served on loopback, with the gateways' retry sleeps recorded."""

    sandbox: HubSpotSandbox
    url: str
    sleeps: list[float] = field(default_factory=list)

    def gateway(self, *, token: str = DEFAULT_TOKEN, props: PropertyMap = DEFAULT_PROPERTY_MAP,
                pacer: RollingWindowPacer | None = None,
                search_pacer: RollingWindowPacer | None = None,
                association_pacer: RollingWindowPacer | None = None,
                attempts: int = 4, timeout: float = 5.0) -> HubSpotGateway:
        retry = RetryPolicy(max_attempts=attempts, initial_wait=0.001, max_wait=0.01,
                            sleep=self.sleeps.append)
        return HubSpotGateway(token, self.url, props, retry=retry, pacer=pacer,
                              search_pacer=search_pacer, association_pacer=association_pacer,
                              timeout=timeout)

    def count(self, endpoint: str | None = None, status: int | None = None) -> int:
        return self.sandbox.calls.count(endpoint=endpoint, status=status)

    def reset_calls(self) -> None:
        self.sandbox.calls.reset()


@contextmanager
def served_portal(fixtures: Path | None = BASIC, **options: Any) -> Iterator[Portal]:
    """A portal on a frozen sandbox clock (``options`` go to ``HubSpotSandbox``)."""
    options.setdefault("clock", SandboxClock(START, time_scale=0))
    sandbox = HubSpotSandbox.from_fixtures(fixtures, **options)
    with SandboxServer(sandbox.wsgi_app) as server:
        yield Portal(sandbox, server.url)


def seed_companies(sandbox: HubSpotSandbox, ids: Iterable[int], tier: str | None = "partner",
                   history: list[str | None] | None = None) -> None:
    """Put companies straight into the sandbox state (cheap for thousands); ``history``
    lists tier values newest first, one day apart, ending at ``STAMP``."""
    values = history if history is not None else [tier]
    state = sandbox.state
    companies = state.resolve_type("companies")
    with state.lock:
        for number in ids:
            record_id = str(number)
            properties = {"hs_object_id": record_id, "name": f"Partner {record_id}",
                          "domain": f"p{record_id}.example", "vmc_partner_tier": values[0]}
            entries = [{"value": v, "timestamp": _stamp(len(values) - 1 - i),
                        "sourceType": "CRM_UI"} for i, v in enumerate(values)]
            state.seed(companies, Record(record_id, properties, {"vmc_partner_tier": entries},
                                         STAMP, STAMP))
        state.properties_changed(companies)


def _stamp(days_after: int) -> str:
    return f"2025-06-{1 + days_after:02d}T00:00:00.000Z"
