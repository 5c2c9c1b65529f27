"""The positive control of the secrets suite: its scan does catch a secret that leaked.

``test_no_secret_leaks`` passes when nothing is found; these tests show that the same
scan (``tests.secrets.scan``), over the same kinds of output, finds a secret when one is
there: in each form a leak takes, in JSON log lines rendered by the worker's own logging
(a line built with the key), in runs stored in the ledger and dumped as the suite dumps
it, and in metrics. None needs the suite's session: they take seconds.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from prometheus_client import CollectorRegistry, Counter, generate_latest

from sync.config.settings import Settings
from sync.runtime.logs import REDACTED, configure_logging
from sync.wiring import Services
from tests.secrets.conftest import HUBSPOT_SECRET, SECRETS, STRIPE_SECRET, dump_ledger
from tests.secrets.scan import assert_no_leak, leaks

# How a secret shows up when it leaks, as the suite's outputs would carry it.
FORMS = {
    "whole": "{secret}",
    "an HTTP header": "Authorization: Bearer {secret}",
    "a URL": "https://api.example.test/v1/customers?api_key={secret}&limit=100",
    "a JSON log line": json.dumps({"event": "request", "headers": {"auth": "{secret}"}}),
    "an exception's repr": repr(ValueError("401 Unauthorized for token '{secret}'")),
    "a rich table cell": "│ credentials │ {secret} │",
    "its last 8 characters": "token ending in ...{suffix}",
}


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("form", FORMS)
def test_the_scan_flags_each_form_of_a_leak(form: str, secret: str) -> None:
    text = FORMS[form].replace("{secret}", secret).replace("{suffix}", secret[-8:])
    assert leaks(text)
    with pytest.raises(AssertionError, match="leaks"):
        assert_no_leak("positive control", {"stdout": f"starting\n{text}\ndone\n"})


def test_the_scan_passes_what_the_worker_writes_instead() -> None:
    """The redaction marker and the secrets' harmless neighbours are not leaks."""
    clean = {"logs": json.dumps({"event": "request", "token": REDACTED}),
             "stderr": "partnersync: HubSpot answered 401 (check PARTNERSYNC_HUBSPOT_ACCESS_TOKEN)"}
    assert_no_leak("negative control", clean)


@contextlib.contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """What the worker's structlog configuration prints, as ``conftest.in_process``
    captures it; the configuration is reset afterwards."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stderr(out):  # the worker logs on standard error
            yield out
    finally:
        structlog.reset_defaults()


def log_lines_with_the_keys() -> None:
    """A careless log line built with the key, as a request log or an error would be."""
    log = structlog.get_logger("partnersync.cycle")
    log.info("hubspot.request", url=f"https://api.hubapi.com/crm/v3?hapikey={HUBSPOT_SECRET}")
    log.error("stripe.failed", detail=f"Invalid API Key provided: {STRIPE_SECRET}")


def test_a_key_logged_by_a_worker_that_forgot_its_secrets_is_caught() -> None:
    """The worker's JSON logging (sync.runtime.logs), without the secrets to scrub: both
    keys reach the output, and the suite's check fails on it."""
    with captured_logs() as out:
        configure_logging("json", secrets=())
        log_lines_with_the_keys()
    logs = out.getvalue()
    assert [json.loads(line)["event"] for line in logs.splitlines()] == [
        "hubspot.request", "stripe.failed"]
    assert set(leaks(logs)) >= {HUBSPOT_SECRET, STRIPE_SECRET}
    with pytest.raises(AssertionError, match="in-process success: logs leaks"):
        assert_no_leak("in-process success", {"logs": logs})


def test_a_partial_key_through_the_real_wiring_is_caught() -> None:
    """``Services.configure_logging`` scrubs the secrets it knows, whole; a line that
    shows only the end of a key (a "token ending in" hint) gets through the scrubber,
    and the scan, which looks for the last 8 characters too, catches it."""
    settings = Settings(hubspot_access_token=HUBSPOT_SECRET, stripe_api_key=STRIPE_SECRET,
                        log_format="json", log_level="debug")
    services = Services(settings)
    try:
        with captured_logs() as out:
            services.configure_logging()
            log_lines_with_the_keys()  # whole keys: scrubbed
            scrubbed = out.getvalue()
            structlog.get_logger("partnersync.cycle").warning(
                "hubspot.token_rejected", hint=f"token ending in ...{HUBSPOT_SECRET[-8:]}")
    finally:
        services.close()
    assert scrubbed.count(REDACTED) == 2
    assert_no_leak("whole keys, scrubbed", {"logs": scrubbed})
    with pytest.raises(AssertionError, match=HUBSPOT_SECRET[-8:]):
        assert_no_leak("partial key", {"logs": out.getvalue()})


def test_a_key_stored_in_the_ledger_is_caught() -> None:
    """Runs stored as the worker stores them, dumped as the suite dumps the ledger
    (``conftest.dump_ledger``, read by ``test_no_secret_in_the_ledger``). The ledger
    scrubs a whole key from a stored error (sync.ledger.errors) but not the end of one,
    nor a run summary: both leaks are found in the dump."""
    with tempfile.TemporaryDirectory(prefix="partnersync-secrets-control-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'ledger.db'}"
        services = Services(Settings(database_url=url))
        try:
            ledger = services.ledger
            as_of = datetime(2026, 11, 1, tzinfo=UTC)
            scrubbed = ledger.start_run("sync", as_of)
            ledger.finish_run(scrubbed, "failed", {}, f"AuthError: 401 for {HUBSPOT_SECRET}")
            clean = dump_ledger(url)
            partial = ledger.start_run("sync", as_of)
            ledger.finish_run(partial, "failed", {},
                              f"AuthError: 401 for the token ending in {HUBSPOT_SECRET[-8:]}")
            in_summary = ledger.start_run("sync", as_of)
            ledger.finish_run(in_summary, "succeeded", {"stripe_key": STRIPE_SECRET})
        finally:
            services.close()
        dumped = dump_ledger(url)
    assert "AuthError: 401 for [redacted]" in clean and not leaks(clean)
    assert set(leaks(dumped)) >= {HUBSPOT_SECRET[-8:], STRIPE_SECRET}


def test_a_key_in_metrics_is_caught() -> None:
    """Prometheus' exposition of a label holding a key, as ``/metrics`` would serve it."""
    registry = CollectorRegistry()
    Counter("partnersync_api_calls", "calls", ["endpoint"], registry=registry).labels(
        endpoint=f"/v1/customers?key={STRIPE_SECRET}").inc()
    assert STRIPE_SECRET in leaks(generate_latest(registry).decode())
