"""Ports the user gives: ``sandbox --hubspot-port/--stripe-port`` (0-65535; 99999 used
to serve on another port and say ready) and ``PARTNERSYNC_SERVE_HOST``/``_PORT``; an
address already in use is a configuration error naming what to change (exit 2), not
werkzeug's two lines and exit 1."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.cli.main import main

EXPECTED = "expected a port from 0 to 65535 (0: any free port)"


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


@pytest.mark.parametrize(("option", "value"), [("--stripe-port", "-5"),
                                               ("--hubspot-port", "99999"),
                                               ("--hubspot-port", "http")])
def test_a_port_out_of_range_is_a_bad_argument(
        option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["sandbox", option, value])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"partnersync: sandbox: argument {option}: {EXPECTED}, got {value!r} (see "
        "`partnersync sandbox --help`)"]


@pytest.mark.parametrize("option", ["--hubspot-port", "--stripe-port"])
def test_a_sandbox_port_in_use_is_exit_2_naming_the_option(
        option: str, busy_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", option, str(busy_port)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"partnersync: configuration error: {option}: 127.0.0.1:{busy_port} is in use "
        "(Address already in use); stop what listens there, or choose another port (0: any "
        "free port)"]


@pytest.fixture
def worker_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PARTNERSYNC_"):
            monkeypatch.delenv(name)
    for name, value in {"HUBSPOT_ACCESS_TOKEN": "pat-x", "STRIPE_API_KEY": "sk_test_x",
                        "DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}",
                        "LOG_FORMAT": "json"}.items():
        monkeypatch.setenv(f"PARTNERSYNC_{name}", value)


@pytest.mark.usefixtures("worker_environment")
def test_serve_on_a_port_in_use_is_exit_2_naming_the_variable(
        busy_port: int, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARTNERSYNC_SERVE_PORT", str(busy_port))
    assert main(["serve"]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines()
             if not line.startswith("{")]
    assert lines == [
        f"partnersync: configuration error: PARTNERSYNC_SERVE_PORT: 127.0.0.1:{busy_port} "
        "is in use (Address already in use); stop what listens there, or choose another "
        "port (0: any free port)"]


@pytest.mark.usefixtures("worker_environment")
def test_serve_on_a_host_that_is_not_here_is_exit_2_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARTNERSYNC_SERVE_HOST", "192.0.2.1")  # TEST-NET: not this machine's
    assert main(["serve"]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines()
             if not line.startswith("{")]
    assert lines == [
        "partnersync: configuration error: PARTNERSYNC_SERVE_HOST: cannot listen on "
        "192.0.2.1:9108 (Cannot assign requested address); give an address of this machine "
        "(127.0.0.1, or 0.0.0.0 for all)"]
