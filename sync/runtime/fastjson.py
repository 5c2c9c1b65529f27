"""JSON for the big volumes (Stripe's listing pages, the mirror's bodies): orjson where it
gives exactly what the standard library would, the standard library otherwise.

A full pull decodes hundreds of megabytes of invoices and the engine decodes them again
from the mirror; orjson does it several times faster. Where it differs from ``json``
the work goes to ``json``, so results never depend on which one ran:

- orjson reads an integer beyond 64 bits (an absurd amount) as a float: a body holding
  a run of 19 or more digits is decoded by ``json``, which keeps it exact;
- orjson refuses NaN, Infinity and numbers overflowing a double, which ``json`` reads
  (the mapping then quarantines the record with its reason); ``json`` gives them as
  ``NonFinite`` floats, which orjson refuses to encode in turn;
- orjson encodes only string keys and 64-bit integers, and would write NaN as null:
  such values are encoded by ``json``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

# Digits to "0", everything else to " ": a run of 19 zeros is then a run of 19 digits
# (translate and find: a tenth of a regular expression's time on a page of invoices).
_DIGITS_AS_ZEROS = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
_LONG_RUN = b"0" * 19


class NonFinite(float):
    """NaN or an infinity read from JSON: a float like any other to the code reading
    it, but encoded by ``json`` (orjson refuses float subclasses, and would write
    null)."""


def _float(text: str) -> float:
    value = float(text)
    return value if math.isfinite(value) else NonFinite(value)


def _constant(name: str) -> float:
    return NonFinite(name)


def loads(data: bytes | str) -> Any:
    raw = data.encode() if isinstance(data, str) else data
    if _LONG_RUN not in raw.translate(_DIGITS_AS_ZEROS):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # NaN, Infinity, a lone surrogate...: json's answer (or its error)
    return json.loads(raw, parse_float=_float, parse_constant=_constant)


def dumps(value: Any) -> str:
    """Compact JSON text, as ``json.dumps(value, separators=(",", ":"),
    ensure_ascii=False)`` would give it."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def canonical(value: Any) -> bytes:
    """Compact JSON with sorted keys, for digests: equal values give equal bytes."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an integer beyond 64 bits, say
        return json.dumps(value, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()
