"""What every view needs: the worker's services and the portal's clock.

The clock is injected (tests move it by hand); a view asks ``portal().now()`` and never
reads the system clock itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app

from sync.domain.months import require_utc
from sync.ledger import Ledger
from sync.wiring import Services

EXTENSION = "partnersync"
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PortalContext:
    services: Services
    clock: Clock = system_clock

    def now(self) -> datetime:
        """The instant of this request, aware UTC."""
        return require_utc(self.clock(), "the portal's clock")

    @property
    def ledger(self) -> Ledger:
        return self.services.ledger


def context_of(app: Flask) -> PortalContext:
    context = app.extensions[EXTENSION]
    assert isinstance(context, PortalContext)
    return context


def portal() -> PortalContext:
    """The context of the application handling the current request."""
    return context_of(current_app)
