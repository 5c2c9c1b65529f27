"""``partnersync doctor [--format text|json]``: the checklist of ``sync.doctor``.

One line per check (``ok``, ``warn``, ``fail`` or ``skip``), the fix under each line
that is not ok, then a count. Exit status (docs/configuration.md): 0 when nothing
failed (warnings included), 2 when a configuration must change, 3 when an upstream or
the database server did not answer. No secret is ever printed: the checks' texts are
built from statuses, codes and names, the database URL without its password.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from rich.console import Console
from rich.text import Text

from sync.cli.common import EXIT_OK, console
from sync.doctor.checks import Cause, Check, Status, worst_cause
from sync.doctor.run import run_doctor

EXIT_STATUS = {None: EXIT_OK, Cause.CONFIGURATION: 2, Cause.UNREACHABLE: 3}
STYLES = {Status.OK: "green", Status.WARN: "yellow", Status.FAIL: "bold red",
          Status.SKIP: "dim"}
INDENT = " " * 6


def _doctor(args: argparse.Namespace) -> int:
    checks = run_doctor()
    status = EXIT_STATUS[worst_cause(checks)]
    out = console()
    if args.format == "json":
        print(json.dumps({"checks": [_as_json(c) for c in checks], "exit_status": status},
                         indent=2, ensure_ascii=False))
    else:
        render(out, checks)
    return status


def render(out: Console, checks: list[Check]) -> None:
    for check in checks:
        line = Text()
        line.append(f"{check.status.value:<5}", style=STYLES[check.status])
        line.append(f" {check.label}: {check.detail}")
        out.print(line, soft_wrap=True)
        if check.fix is not None:
            out.print(Text(f"{INDENT}fix: {check.fix}"), soft_wrap=True)
    counts = Counter(check.status for check in checks)
    out.print(Text(", ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])),
              soft_wrap=True)


def _as_json(check: Check) -> dict[str, str | None]:
    return {"id": check.id, "label": check.label, "status": check.status.value,
            "detail": check.detail, "fix": check.fix,
            "cause": check.cause.value if check.cause else None}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    doctor = commands.add_parser(
        "doctor", help="check the settings, the database, HubSpot and Stripe before a "
                       "first run; changes nothing")
    doctor.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: the checklist (default); json: the same for scripts")
    doctor.set_defaults(handler=_doctor)
