"""Every command, option and positional of ``partnersync`` says what it is for in
``--help`` (``--by``, ``--as-of``, ``--output``, the sandbox ports, ``ID``...)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from sync.cli.main import build_parser


def _without_help(parser: argparse.ArgumentParser, path: str) -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            described = {choice.dest for choice in action._choices_actions if choice.help}
            for name, command in action.choices.items():
                if name not in described:
                    yield f"{path} {name}"
                yield from _without_help(command, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction) and not (action.help or "").strip():
            yield f"{path} {'/'.join(action.option_strings) or action.metavar or action.dest}"


def test_every_command_option_and_positional_has_a_help_text() -> None:
    assert list(_without_help(build_parser(), "partnersync")) == []
