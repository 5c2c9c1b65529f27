"""The record of every webhook delivery attempt, and the one HTTP POST that makes one."""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from sandbox.core.webhooks import Delivery

JSON = dict[str, Any]
# Results: delivered (2xx), retry (refused or failed, tried again later), failed
# (refused or failed, no attempt left), dropped (a `drop` fault: never sent).
RESULTS = ("delivered", "retry", "failed", "dropped")


class DeliveryLog:
    """Attempts in the order they ended; `at` is the machine's real time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._attempts: list[JSON] = []

    def record(self, delivery: Delivery, status: int | None, result: str,
               error: str | None = None) -> None:
        entry: JSON = {
            "delivery": delivery.id, "target": delivery.target.name,
            "url": delivery.target.url, "events": [_event_id(e) for e in delivery.events],
            "attempt": delivery.attempts, "status": status, "result": result,
            "faults": delivery.faults.names(), "copy_of": delivery.copy_of,
            "at": datetime.now(UTC).isoformat(),
        }
        if error:
            entry["error"] = error
        with self._lock:
            self._attempts.append(entry)

    def attempts(self) -> list[JSON]:
        with self._lock:
            return [dict(a) for a in self._attempts]

    def counts(self) -> dict[str, int]:
        """Attempts per result."""
        return dict(Counter(a["result"] for a in self.attempts()))

    def clear(self) -> None:
        with self._lock:
            self._attempts.clear()


def _event_id(event: JSON) -> str:
    # Stripe events carry `id` (evt_...), HubSpot events `eventId` (a number).
    return str(event.get("id") or event.get("eventId"))


def post(url: str, body: bytes, headers: dict[str, str], timeout: float
         ) -> tuple[int, str | None]:
    """POST `body`; the answer's status, or 0 and why when no answer came.

    http.client keeps the headers' case (urllib would rewrite it), follows no redirect
    (a 3xx is a failed delivery, as the vendors count it) and uses no proxy.
    """
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return int(answer.status), None
    except (OSError, http.client.HTTPException) as failed:
        return 0, f"{type(failed).__name__}: {failed}"
    finally:
        connection.close()
