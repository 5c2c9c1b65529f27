"""``partnersync``: the command line of docs/configuration.md.

Exit status: 0 done (quarantined records are reported, not failures); 2 configuration
error; 3 an upstream API stayed unavailable after retries (or HubSpot's daily limit);
1 anything else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from sync.cli import audit, demo, doctor, explain, partners, payouts, report, run, standins
from sync.errors import (
    ConfigurationError,
    DailyLimitReached,
    PartnerSyncError,
    RetriableUpstreamError,
)
from sync.runtime.collector import tune_collector

EXIT_OK, EXIT_ERROR, EXIT_CONFIG, EXIT_UPSTREAM = 0, 1, 2, 3

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partnersync",
        description="Runs the partner programme: HubSpot deals and Stripe revenue in, "
                    "commission lines and payouts out.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    standins.register(commands)
    demo.register(commands)
    run.register(commands)
    doctor.register(commands)
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
