"""Logs go to standard error, so standard output carries only what a command prints
(tables, plans, CSV) and can be piped (docs/configuration.md, "Command line")."""

from __future__ import annotations

import json

import pytest
import structlog

from sync.runtime.logs import configure_logging


@pytest.fixture(autouse=True)
def _reset_structlog() -> None:
    yield
    structlog.reset_defaults()


def test_json_log_lines_go_to_stderr_not_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json")
    structlog.get_logger("partnersync").info("sync.finished", lines=3)
    captured = capsys.readouterr()
    assert captured.out == ""
    line = json.loads(captured.err.strip().splitlines()[-1])
    assert (line["event"], line["lines"], line["level"]) == ("sync.finished", 3, "info")


def test_console_log_lines_go_to_stderr_not_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("console")
    structlog.get_logger("partnersync").warning("api.retrying", api="hubspot")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "api.retrying" in captured.err and "api=hubspot" in captured.err
