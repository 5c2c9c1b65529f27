"""Shared helpers for the Stripe gateway tests: a seeded sandbox on loopback, bulk
clones in the pinned shapes, a gateway whose retries never sleep, counter deltas."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.core import ConnectionDropped, SandboxClock, SandboxServer
from sandbox.stripe import StripeSandbox
from sandbox.stripe.fixtures import add_object
from sync.adapters.retry import RetryPolicy
from sync.adapters.stripe.gateway import StripeGateway
from sync.runtime.metrics import REGISTRY

# Long and distinctive, so a test can prove it never leaks, even partly.
API_KEY = "sk_test_51GatewayKey0123456789abcdefXYZ"
FIXTURES = Path(__file__).parent / "fixtures" / "stripe_gateway"
STRIPE_DIR = FIXTURES / "stripe"
# After every fixture object was created, so objects made by tests sort newest.
START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
JSON = dict[str, Any]


@dataclass
class StripeEnv:
    sandbox: StripeSandbox
    url: str
    clock: SandboxClock


@contextmanager
def stripe_env(wrap: Any = None) -> Iterator[StripeEnv]:
    """The fixture set served on 127.0.0.1, clock frozen at START, rate limits off.

    ``wrap(app)`` may put a test-only WSGI layer in front of the sandbox.
    """
    clock = SandboxClock(start=START, time_scale=0.0)
    sandbox = StripeSandbox.from_fixtures(FIXTURES, clock=clock, api_key=API_KEY)
    sandbox.limits.configure({"enabled": False})
    app = wrap(sandbox.wsgi_app) if wrap else sandbox.wsgi_app
    server = SandboxServer(app)
    url = server.start()
    try:
        yield StripeEnv(sandbox, url, clock)
    finally:
        server.stop()


def gateway(url: str, *, max_attempts: int = 5, api_key: str = API_KEY) -> StripeGateway:
    """A gateway on ``url`` whose retry policy never sleeps."""
    policy = RetryPolicy(max_attempts=max_attempts, sleep=lambda _seconds: None)
    return StripeGateway(api_key, url, retry=policy, pacer=None, timeout=5)


def fixture_objects(name: str) -> list[JSON]:
    data: list[JSON] = json.loads((STRIPE_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def seed_clones(sandbox: StripeSandbox, kind: str, template: JSON, count: int) -> list[str]:
    """``count`` copies of ``template`` with fresh ids and distinct ``created``."""
    prefix = template["id"].split("_", 1)[0]
    ids = []
    for n in range(count):
        clone = copy.deepcopy(template)
        clone["id"] = f"{prefix}_gw{kind[:3]}{n:05d}"
        clone["created"] = int(template["created"]) - 1 - n
        if kind == "invoice":
            for line in clone["lines"]["data"]:
                line["invoice"] = clone["id"]
        add_object(sandbox.state, kind, clone, emit_event=False)
        ids.append(clone["id"])
    return ids


def invoice_with_lines(template: JSON, line_count: int, invoice_id: str) -> JSON:
    """``template`` carrying ``line_count`` lines (all stored; the API embeds a page)."""
    invoice = copy.deepcopy(template)
    invoice["id"] = invoice_id
    line = invoice["lines"]["data"][0]
    invoice["lines"]["data"] = [
        {**copy.deepcopy(line), "id": f"il_gw{invoice_id[-4:]}{n:05d}", "invoice": invoice_id}
        for n in range(line_count)
    ]
    return invoice


def minimum_calls(objects: int, page_size: int = 100) -> int:
    """Pages a listing of ``objects`` needs: a page of 100 says whether more follow."""
    return max(1, math.ceil(objects / page_size))


def counter(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(f"{name}_total", labels) or 0.0


def counters(name: str, label_sets: Iterable[dict[str, str]]) -> list[float]:
    return [counter(name, **labels) for labels in label_sets]


class DropAnswerOnce:
    """WSGI layer: the first ``method path`` call runs, then its answer is lost.

    The worst case for payments: Stripe made the transfer, the worker never heard.
    """

    def __init__(self, app: Any, method: str, path: str) -> None:
        self.app, self.method, self.path = app, method, path
        self.dropped = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        hit = (environ["REQUEST_METHOD"], environ.get("PATH_INFO")) == (self.method, self.path)
        if not hit or self.dropped:
            answer: Iterable[bytes] = self.app(environ, start_response)
            return answer
        self.dropped += 1
        body = self.app(environ, lambda *_args: None)
        b"".join(body)  # the request ran to completion on the server side
        dropped = ConnectionDropped(environ)
        dropped.close()
        raise dropped
