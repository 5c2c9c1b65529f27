"""``partnersync``: the command line of docs/configuration.md.

Exit status: 0 done (quarantined records are reported, not failures); 2 configuration
error (a setting, an argument, credentials refused); 3 an upstream API or the ledger's
database stayed unavailable (or HubSpot's daily limit); 1 anything else. A failure is
one ``partnersync:`` line naming the fix (``sync.cli.failures``); ``--debug`` shows its
traceback too.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, cast

from sync.cli import (
    audit,
    demo,
    doctor,
    explain,
    failures,
    partners,
    payouts,
    portal,
    report,
    run,
    standins,
    webhooks,
)
from sync.cli.common import resolve_actor
from sync.cli.failures import EXIT_CONFIG, EXIT_ERROR
from sync.runtime.collector import tune_collector

Handler = Callable[[argparse.Namespace], int]
DEBUG_HELP = "on failure, also show the traceback (for debugging; secrets stay redacted)"


class Parser(argparse.ArgumentParser):
    """argparse, with a misused argument reported as one ``partnersync:`` line (exit 2)
    instead of the usage text and a second line."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("partnersync").strip()
        where = f"{command}: " if command else ""
        self.exit(EXIT_CONFIG, f"partnersync: {where}{message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="partnersync",
        description="Runs the partner programme: HubSpot deals and Stripe revenue in, "
                    "commission lines and payouts out.",
        epilog="Exit status: 0 done, 2 configuration error, 3 HubSpot, Stripe or the "
               "database unavailable, 1 anything else (docs/configuration.md).")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    # Every command's parser is a Parser too (argparse makes them of the parent's class).
    commands = cast("argparse._SubParsersAction[argparse.ArgumentParser]",
                    parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    standins.register(commands)
    demo.register(commands)
    run.register(commands)
    doctor.register(commands)
    payouts.register(commands)
    partners.register(commands)
    audit.register(commands)
    explain.register(commands)
    report.register(commands)
    portal.register(commands)
    webhooks.register(commands)
    _debug_after_the_command(parser)
    return parser


def _debug_after_the_command(parser: argparse.ArgumentParser) -> None:
    """``partnersync sync --debug`` works as ``partnersync --debug sync`` does."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                command.add_argument("--debug", action="store_true",
                                     default=argparse.SUPPRESS, help=DEBUG_HELP)
                _debug_after_the_command(command)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    tune_collector()
    try:
        resolve_actor(args)
        return handler(args)
    except BrokenPipeError:
        # The reader of our output went away (`| head`): stop quietly, and let the
        # interpreter's final flush write nowhere instead of failing again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except (Exception, KeyboardInterrupt) as error:
        return failures.report(error, debug=args.debug)


if __name__ == "__main__":
    sys.exit(main())
