"""Shared fixtures: Stripe's published reference objects (skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).parents[2]
REFERENCE = REPO / ".." / "shared" / "reference" / "stripe-fixtures3.json"


@pytest.fixture(scope="session")
def stripe_reference() -> dict[str, Any]:
    if not REFERENCE.is_file():
        pytest.skip(f"Stripe reference objects not available at {REFERENCE} "
                    "(shared/ does not ship with the product)")
    resources: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))["resources"]
    return resources
