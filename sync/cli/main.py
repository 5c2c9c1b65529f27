"""``partnersync``: the command line of docs/configuration.md.

Exit status: 0 done (quarantined records are reported, not failures); 2 configuration
error; 3 an upstream API stayed unavailable after retries (or HubSpot's daily limit);
1 anything else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sync.cli import audit, demo, explain, partners, payouts, report, run
from sync.errors import (
    ConfigurationError,
    DailyLimitReached,
    PartnerSyncError,
    RetriableUpstreamError,
)
from sync.runtime.collector import tune_collector

EXIT_OK, EXIT_ERROR, EXIT_CONFIG, EXIT_UPSTREAM = 0, 1, 2, 3

Handler = Callable[[argparse.Namespace], int]


def _sandbox(args: argparse.Namespace) -> int:
    from sandbox.runner import run_sandbox

    fixtures = Path(args.fixtures) if args.fixtures else None
    if fixtures is not None and not fixtures.is_dir():
        raise ConfigurationError(f"--fixtures {fixtures}: not a directory")
    run_sandbox(fixtures, args.hubspot_port, args.stripe_port)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partnersync",
        description="Runs the partner programme: HubSpot deals and Stripe revenue in, "
                    "commission lines and payouts out.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sandbox = commands.add_parser(
        "sandbox", help="run the HubSpot and Stripe stand-ins on 127.0.0.1 until stopped")
    sandbox.add_argument("--fixtures", metavar="DIR", help="a fixture directory to seed from")
    sandbox.add_argument("--hubspot-port", type=int, default=0, metavar="N")
    sandbox.add_argument("--stripe-port", type=int, default=0, metavar="N")
    sandbox.set_defaults(handler=_sandbox)
    demo.register(commands)
    run.register(commands)
    payouts.register(commands)
    partners.register(commands)
    audit.register(commands)
    explain.register(commands)
    report.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    tune_collector()
    try:
        return handler(args)
    except ConfigurationError as error:
        print(f"partnersync: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except (DailyLimitReached, RetriableUpstreamError) as error:
        print(f"partnersync: upstream unavailable: {error}", file=sys.stderr)
        return EXIT_UPSTREAM
    except PartnerSyncError as error:
        print(f"partnersync: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
