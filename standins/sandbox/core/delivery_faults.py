"""Seeded faults for webhook deliveries, as `faults.py` is for API calls.

A plan gives each kind a probability (every delivery draws, from the seeded generator,
in kind order) or a count (the next N deliveries get it). The same seed and the same
order of deliveries give the same faults. Kinds:

- `duplicate`: the delivery is sent twice (same events, same ids);
- `delay`: sent `seconds` later (default 1) than it would have been;
- `reorder`: held back until the next delivery has been sent (at most `hold_seconds`,
  default 2), so the two arrive swapped;
- `drop`: never sent, and not retried (the vendor "lost" it);
- `bad_signature`: the first attempt is signed with a wrong secret (retries are signed
  right, as they would be once the receiver refuses it).

JSON: `{"seed": 7, "duplicate": {"probability": 0.5}, "drop": {"count": 1},
"delay": {"count": 2, "seconds": 3}}`; `{}` is a plan without faults.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DELIVERY_FAULT_KINDS = ("duplicate", "delay", "reorder", "drop", "bad_signature")
DEFAULT_DELAY_SECONDS = 1.0
DEFAULT_HOLD_SECONDS = 2.0
_EXTRA_KEYS = {"delay": "seconds", "reorder": "hold_seconds"}


@dataclass(frozen=True)
class DeliveryFaults:
    """What happens to one delivery; the default is nothing."""

    duplicate: bool = False
    delay_seconds: float = 0.0
    hold_seconds: float = 0.0  # > 0: reordered
    drop: bool = False
    bad_signature: bool = False

    def names(self) -> list[str]:
        flags = {"duplicate": self.duplicate, "delay": self.delay_seconds > 0,
                 "reorder": self.hold_seconds > 0, "drop": self.drop,
                 "bad_signature": self.bad_signature}
        return [name for name in DELIVERY_FAULT_KINDS if flags[name]]


@dataclass
class FaultRule:
    """One kind's rule: a probability (0..1) or a count of deliveries still to hit."""

    kind: str
    probability: float | None = None
    count: int | None = None
    seconds: float = 0.0  # delay: the delay; reorder: the longest hold

    @classmethod
    def from_json(cls, kind: str, data: Any) -> FaultRule:
        if kind not in DELIVERY_FAULT_KINDS:
            raise ValueError(f"unknown delivery fault {kind!r}; expected one of "
                             f"{DELIVERY_FAULT_KINDS}")
        if not isinstance(data, Mapping) or ("probability" in data) == ("count" in data):
            raise ValueError(f"delivery fault {kind!r}: give either "
                             '{"probability": 0..1} or {"count": N}')
        extra = _EXTRA_KEYS.get(kind)
        unknown = set(data) - {"probability", "count", *([extra] if extra else [])}
        if unknown:
            raise ValueError(f"delivery fault {kind!r}: unknown keys {sorted(unknown)}")
        default = DEFAULT_HOLD_SECONDS if kind == "reorder" else DEFAULT_DELAY_SECONDS
        rule = cls(kind, seconds=float(data.get(extra, default)) if extra else 0.0)
        if "probability" in data:
            rule.probability = float(data["probability"])
            if not 0.0 <= rule.probability <= 1.0:
                raise ValueError(f"delivery fault {kind!r}: probability must be 0..1")
        else:
            rule.count = int(data["count"])
            if rule.count < 0:
                raise ValueError(f"delivery fault {kind!r}: count must be >= 0")
        return rule

    def hits(self, rng: random.Random) -> bool:
        if self.count is not None:
            if self.count == 0:
                return False
            self.count -= 1
            return True
        return rng.random() < (self.probability or 0.0)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = ({"count": self.count} if self.count is not None
                                else {"probability": self.probability})
        extra = _EXTRA_KEYS.get(self.kind)
        if extra:
            data[extra] = self.seconds
        return data


@dataclass
class DeliveryFaultPlan:
    seed: int = 0
    rules: dict[str, FaultRule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> DeliveryFaultPlan:
        data = dict(data or {})
        seed = int(data.pop("seed", 0))
        return cls(seed, {kind: FaultRule.from_json(kind, rule) for kind, rule in data.items()})

    def decide(self) -> DeliveryFaults:
        """The faults of the next delivery; call once per delivery, in sending order."""
        with self._lock:
            hit = {kind: rule for kind in DELIVERY_FAULT_KINDS
                   if (rule := self.rules.get(kind)) is not None and rule.hits(self._rng)}
        return DeliveryFaults(
            duplicate="duplicate" in hit,
            delay_seconds=hit["delay"].seconds if "delay" in hit else 0.0,
            hold_seconds=hit["reorder"].seconds if "reorder" in hit else 0.0,
            drop="drop" in hit,
            bad_signature="bad_signature" in hit,
        )

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {"seed": self.seed,
                    **{kind: rule.to_json() for kind, rule in self.rules.items()}}
