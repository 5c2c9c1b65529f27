"""Shared fixtures: Stripe's published reference objects (vendored, tests/reference/)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reference import published_examples


@pytest.fixture(scope="session")
def stripe_reference() -> dict[str, Any]:
    return published_examples()
