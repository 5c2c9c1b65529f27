"""Logs go to standard error, so standard output carries only what a command prints
(tables, plans, CSV) and can be piped; their levels match outcomes, and a retry is one
warning line saying what is retried and when (docs/configuration.md, "Logs")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import structlog
from structlog.testing import capture_logs

from jobs.summary import RunSummary
from sync.adapters.retry import RetryPolicy, call_with_retry
from sync.errors import NetworkError, RateLimited
from sync.runtime.logs import configure_logging


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
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


def _summary(outcome: str, **counts: int) -> RunSummary:
    summary = RunSummary("sync", datetime(2026, 11, 1, tzinfo=UTC), outcome=outcome)
    for name, value in counts.items():
        setattr(summary, name, value)
    return summary


@pytest.mark.parametrize(("outcome", "counts", "level"), [
    ("succeeded", {}, "info"),
    ("skipped", {}, "info"),
    ("succeeded", {"writes_failed": 2}, "warning"),
    ("succeeded", {"payment_failures": 1}, "warning"),
    ("failed", {}, "error"),
    ("stopped", {}, "error"),
])
def test_the_summary_line_has_the_level_of_the_outcome(
        outcome: str, counts: dict[str, int], level: str) -> None:
    with capture_logs() as logs:
        _summary(outcome, **counts).log(structlog.get_logger("partnersync"), "sync.finished")
    assert [(entry["event"], entry["log_level"], entry["outcome"]) for entry in logs] == [
        ("sync.finished", level, outcome)]


def test_a_retry_is_one_warning_line_saying_what_and_when() -> None:
    sleeps: list[float] = []
    failures = [NetworkError("HubSpot companies.search: no answer (refused)", api="hubspot"),
                RateLimited("HubSpot companies.search: HTTP 429", api="hubspot",
                            retry_after=2.0)]

    def search() -> str:
        if failures:
            raise failures.pop(0)
        return "found"

    with capture_logs() as logs:
        assert call_with_retry(search, RetryPolicy(sleep=sleeps.append),
                               what="companies.search") == "found"
    retries = [entry for entry in logs if entry["event"] == "api.retrying"]
    assert [(entry["log_level"], entry["api"], entry["operation"], entry["attempt"],
             entry["max_attempts"], entry["error"]) for entry in retries] == [
        ("warning", "hubspot", "companies.search", 2, 6,
         "HubSpot companies.search: no answer (refused)"),
        ("warning", "hubspot", "companies.search", 3, 6, "HubSpot companies.search: HTTP 429"),
    ]
    assert retries[1]["in_seconds"] == 2.0  # Retry-After, as the policy waits it
    assert retries[0]["in_seconds"] == round(sleeps[0], 1)
    assert len(logs) == 2  # one line per retry, nothing else
