"""The shared retry policy and the secret-scrubbing log processor."""

import json

import pytest
import structlog

from sync.adapters.retry import RetryPolicy, call_with_retry
from sync.config.settings import Settings
from sync.errors import NetworkError, RateLimited, RequestRejected, ServerError
from sync.runtime.logs import SecretScrubber, configure_logging
from sync.wiring import Services


def flaky(failures: list[Exception], result: str = "ok"):  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def operation() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return result

    return operation, calls


def test_retries_429_5xx_and_network_errors_then_succeeds() -> None:
    sleeps: list[float] = []
    retried: list[tuple[str, int]] = []
    operation, calls = flaky([RateLimited("429", api="hubspot", retry_after=2.5),
                              ServerError("502", api="stripe", status=502),
                              NetworkError("reset", api="stripe")])
    result = call_with_retry(operation, RetryPolicy(sleep=sleeps.append),
                             on_retry=lambda error, n: retried.append((type(error).__name__, n)))
    assert result == "ok" and len(calls) == 4
    assert sleeps[0] == 2.5  # Retry-After honoured exactly
    assert all(0 <= s <= 30 for s in sleeps)
    assert retried == [("RateLimited", 1), ("ServerError", 2), ("NetworkError", 3)]


def test_fatal_errors_are_not_retried() -> None:
    operation, calls = flaky([RequestRejected("card declined", api="stripe", status=402)])
    with pytest.raises(RequestRejected):
        call_with_retry(operation, RetryPolicy(sleep=lambda _: None))
    assert len(calls) == 1


def test_attempts_are_capped_and_the_last_error_is_raised() -> None:
    operation, calls = flaky([ServerError(f"500 #{n}", api="hubspot", status=500) for n in range(10)])
    with pytest.raises(ServerError, match="500 #2"):
        call_with_retry(operation, RetryPolicy(max_attempts=3, sleep=lambda _: None))
    assert len(calls) == 3


def test_retry_after_is_capped_by_the_policy() -> None:
    sleeps: list[float] = []
    operation, _ = flaky([RateLimited("429", api="hubspot", retry_after=3600)])
    call_with_retry(operation, RetryPolicy(max_wait=10, sleep=sleeps.append))
    assert sleeps == [10]


def test_scrubber_removes_known_secrets_and_secret_keys() -> None:
    scrub = SecretScrubber(["pat-na1-abcdef"])
    event = scrub(None, "info", {"event": "call failed with pat-na1-abcdef", "access_token": "x",
                                 "nested": {"Authorization": "Bearer y", "path": "/crm"}})
    assert event == {"event": "call failed with [redacted]", "access_token": "[redacted]",
                     "nested": {"Authorization": "[redacted]", "path": "/crm"}}


def test_json_logs_never_print_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", secrets=["sk_test_supersecret"])
    structlog.get_logger().info("sync.finished", error="401 for key sk_test_supersecret", lines=3)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert json.loads(line)["error"] == "401 for key [redacted]"
    assert "supersecret" not in line


def test_the_database_password_is_a_secret_the_logs_scrub(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A driver's error may repeat the URL it was given: its password never reaches a log
    line (job.failed carries the error's text)."""
    settings = Settings(database_url="postgresql+psycopg://worker:s3cret-Pa55@db:5432/ledger",
                        log_format="json")
    services = Services(settings)
    services.configure_logging()
    structlog.get_logger().error(
        "job.failed", error="connection to postgresql://worker:s3cret-Pa55@db:5432 refused")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert json.loads(line)["error"] == "connection to postgresql://worker:[redacted]@db:5432 refused"
    structlog.reset_defaults()
