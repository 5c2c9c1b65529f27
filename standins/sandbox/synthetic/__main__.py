"""``python -m sandbox.synthetic demo --out fixtures/demo`` and
``python -m sandbox.synthetic portal --seed 1 --partners 2000 ... --out DIR``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sandbox.synthetic.demo import demo_portal
from sandbox.synthetic.generate import generate_scenario, iter_portal
from sandbox.synthetic.portal import write_portal, write_portal_chunks


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox.synthetic",
                                     description="Write a synthetic HubSpot + Stripe portal.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="the demo scenario (fixtures/demo)")
    demo.add_argument("--out", type=Path, default=Path("fixtures/demo"))
    portal = commands.add_parser("portal", help="a seeded portal of any size")
    portal.add_argument("--seed", type=int, default=1)
    portal.add_argument("--partners", type=int, default=200)
    portal.add_argument("--deals", type=int, default=5000)
    portal.add_argument("--customers", type=int, default=3000)
    portal.add_argument("--months", type=int, default=24)
    portal.add_argument("--start", default="2024-11", help="first month, YYYY-MM")
    portal.add_argument("--out", type=Path, required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    began = time.monotonic()
    if args.command == "demo":
        paths = write_portal(demo_portal(), args.out)
    else:
        scenario = generate_scenario(args.seed, partners=args.partners, deals=args.deals,
                                     customers=args.customers, months=args.months,
                                     start=args.start)
        paths = write_portal_chunks(iter_portal(scenario), args.out)
    for path in paths.values():
        print(f"{path}  {path.stat().st_size / 1e6:.2f} MB")
    print(f"done in {time.monotonic() - began:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
