"""Stripe's published example objects, vendored in the repository (origin: README.md
here): the reference the Stripe shape tests compare the stand-ins with."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

EXTRACT = Path(__file__).parent / "stripe-fixtures3.extract.json"


@cache
def published_examples() -> dict[str, dict[str, Any]]:
    """Stripe's example object of each vendored resource, by name (``"invoice"``...)."""
    resources: dict[str, dict[str, Any]] = json.loads(
        EXTRACT.read_text(encoding="utf-8"))["resources"]
    return resources
