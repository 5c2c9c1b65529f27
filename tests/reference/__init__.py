"""Stripe's published example objects, vendored in the repository (origin: README.md
here): the reference the Stripe shape tests compare the stand-ins with."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

EXTRACT = Path(__file__).parent / "stripe-fixtures3.extract.json"

# Keys the published examples still carry that the pinned API version (2026-10-28.endive)
# does not have. The invoice's `subscription` was removed in 2025-03-31.basil
# (stripe-python 12.0.0 CHANGELOG: "Remove support for ... `subscription` ... on
# `Invoice`"; the pinned SDK's `stripe/_invoice.py` has no such attribute): its place is
# `parent.subscription_details.subscription`. An invoice line keeps its `subscription`.
NOT_IN_PINNED_VERSION: dict[str, frozenset[str]] = {"invoice": frozenset({"subscription"})}


@cache
def published_examples() -> dict[str, dict[str, Any]]:
    """Stripe's example object of each vendored resource, by name (``"invoice"``...)."""
    resources: dict[str, dict[str, Any]] = json.loads(
        EXTRACT.read_text(encoding="utf-8"))["resources"]
    return resources


def pinned_example(resource: str) -> dict[str, Any]:
    """The published example without the keys the pinned version does not have."""
    removed = NOT_IN_PINNED_VERSION.get(resource, frozenset())
    example = copy.deepcopy(published_examples()[resource])
    return {key: value for key, value in example.items() if key not in removed}


def pinned_keys(resource: str) -> set[str]:
    """The top-level keys an object of ``resource`` has in the pinned version."""
    return set(pinned_example(resource))
