"""Stripe's published example objects, vendored from ``stripe-fixtures3.json``.

Every generated Stripe object starts as a deep copy of its resource's example and
then has fields set, so it carries exactly the keys of the pinned API version
(2026-10-28.endive): the keys the examples still carry but the version removed
(``sandbox.stripe.objects.NOT_IN_PINNED_VERSION``, the invoice's ``subscription``) are
dropped. Only the resources the generator uses are vendored.
"""

from __future__ import annotations

import json
import pickle
from functools import cache
from importlib import resources
from typing import Any, cast

from sandbox.stripe.objects import without_removed_keys

JsonObject = dict[str, Any]
REFERENCE_FILE = "reference_objects.json"


@cache
def _pickled() -> dict[str, bytes]:
    """Each example pickled once: unpickling is a fast deep copy."""
    text = resources.files(__package__).joinpath(REFERENCE_FILE).read_text(encoding="utf-8")
    examples = json.loads(text)["resources"]
    return {name: pickle.dumps(without_removed_keys(name, example))
            for name, example in examples.items()}


def reference(resource: str) -> JsonObject:
    """A fresh deep copy of Stripe's example object for ``resource`` (``"invoice"``...)."""
    return cast(JsonObject, pickle.loads(_pickled()[resource]))


def resource_names() -> tuple[str, ...]:
    return tuple(sorted(_pickled()))
