"""``partnersync demo`` ends with commands to run next: they run as printed, from any
directory, in a shell where ``partnersync`` is not on PATH (as after scripts/demo.sh)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sync.cli import demo

PARTNERSYNC = Path(sys.executable).with_name("partnersync")


def _steps(out: str, heading: str) -> list[str]:
    """The indented commands under ``heading``, without their comments."""
    lines = out.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(heading))
    steps = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        steps.append(re.sub(r"\s+#.*$", "", line.strip()))
    return steps


def test_the_demo_s_next_steps_run_as_printed(tmp_path: Path) -> None:
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "COLUMNS": "200"}
    shown = subprocess.run([str(PARTNERSYNC), "demo"], cwd=work, env=env, capture_output=True,
                           text=True, timeout=600, check=False)
    assert shown.returncode == 0, shown.stderr[-3000:]
    steps = _steps(shown.stdout, "Where to look next")
    assert steps[:2] == [f"cd {work}", "export PARTNERSYNC_DATABASE_URL=sqlite:///partnersync-demo.db"]
    assert steps[2] == f"{PARTNERSYNC} report"  # not on PATH: its path, as it was started
    assert f"Run `{PARTNERSYNC} demo --serve` to keep the stand-ins up" in shown.stdout

    ran = subprocess.run(["bash", "-euc", "\n".join(steps)], cwd=elsewhere, env=env,
                         capture_output=True, text=True, timeout=300, check=False)

    assert ran.returncode == 0, ran.stderr[-3000:]
    assert (work / "report.html").is_file()
    assert "approved by" in ran.stdout and "hugo.bernard@vmcloud.example" in ran.stdout


@pytest.mark.parametrize(("on_path", "expected"), [
    (False, ".venv/bin/partnersync"), (True, "partnersync")])
def test_the_program_is_named_as_it_can_be_run_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on_path: bool, expected: str) -> None:
    program = tmp_path / ".venv" / "bin" / "partnersync"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [".venv/bin/partnersync", "demo"])
    monkeypatch.setenv("PATH", f"{program.parent}:/usr/bin" if on_path else "/usr/bin")
    assert demo.program() == expected


def test_as_a_module_the_program_is_python_dash_m(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["/src/sync/cli/__main__.py", "demo"])
    assert demo.program().endswith(" -m sync.cli")
