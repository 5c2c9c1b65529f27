"""Files a command writes (``payouts export --output``, ``report --html``, ``demo
--database``): a missing folder, or a folder named as the file, is a bad argument
(exit 2, one line) found before any work, never a traceback after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.cli import failures
from sync.cli.main import main

WRITERS = [("payouts export", ["payouts", "export", "--output"], "--output"),
           ("report", ["report", "--html"], "--html"),
           ("demo", ["demo", "--database"], "--database")]


@pytest.mark.parametrize(("command", "argv", "option"), WRITERS, ids=[w[0] for w in WRITERS])
def test_a_file_in_a_missing_folder_is_refused_before_any_work(
        command: str, argv: list[str], option: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing" / "out.file"
    with pytest.raises(SystemExit) as stopped:
        main([*argv, str(target)])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"partnersync: {command}: argument {option}: folder {tmp_path / 'missing'} does not "
        f"exist; create it first (see `partnersync {command} --help`)"]
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(("command", "argv", "option"), WRITERS, ids=[w[0] for w in WRITERS])
def test_a_folder_is_not_a_file(command: str, argv: list[str], option: str, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([*argv, str(tmp_path)])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"partnersync: {command}: argument {option}: {tmp_path} is a folder; name a file in "
        f"it (see `partnersync {command} --help`)"]


def test_a_file_that_cannot_be_written_is_one_line() -> None:
    error = PermissionError(13, "Permission denied", "/srv/exports/payouts.csv")
    assert failures.describe(error) == failures.Failure(
        1, "cannot write or read /srv/exports/payouts.csv: Permission denied")
