"""Two runs shared by the whole catalogue: the base portal, and the base portal with every
bad record of the catalogue planted at once."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.synthetic import write_portal
from tests.badinput.catalogue import Expect, plant_all
from tests.badinput.portal import Clone, base_portal
from tests.badinput.support import Result, open_bench_world, run_bench


@dataclass
class Catalogue:
    clean: Result  # the base portal alone
    bad: Result  # the base portal and every planted record
    expected: dict[str, Expect]
    base_partners: frozenset[str]
    base_deals: frozenset[str]
    control: Clone  # a well-formed customer of the harness partner


@pytest.fixture(scope="session")
def catalogue() -> Iterator[Catalogue]:
    # A private directory: pytest's shared basetemp may be pruned by other sessions.
    with tempfile.TemporaryDirectory(prefix="partnersync-badinput-") as scratch:
        yield from _catalogue(Path(scratch))


def _catalogue(scratch: Path) -> Iterator[Catalogue]:
    base = base_portal()
    planted = plant_all(base)
    expected, control = planted.expected, planted.control
    clean_dir, bad_dir = scratch / "clean", scratch / "bad"
    write_portal(base, clean_dir)
    write_portal(planted.planter.portal, bad_dir)
    base_partners = frozenset(str(c["id"]) for c in base.companies
                              if c["properties"].get("vmc_partner_tier"))
    with open_bench_world(clean_dir, clean_dir) as clean_world, \
            open_bench_world(bad_dir, bad_dir) as bad_world:
        yield Catalogue(run_bench(clean_world), run_bench(bad_world), expected, base_partners,
                        frozenset(str(d["id"]) for d in base.deals), control)
