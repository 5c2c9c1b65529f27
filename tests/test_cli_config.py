"""docs/configuration.md: a missing or malformed setting stops the worker at start, exit 2, with
one message naming it -- before any API call (the URLs below point at nothing)."""

import subprocess
import sys
from pathlib import Path

NOWHERE = "http://127.0.0.1:9"  # discard port: a call would fail as unreachable (exit 3)


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": "/usr/bin:/bin", "PARTNERSYNC_HUBSPOT_BASE_URL": NOWHERE,
                   "PARTNERSYNC_STRIPE_API_BASE": NOWHERE,
                   "PARTNERSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}", **env}
    return subprocess.run([sys.executable, "-m", "sync.cli", *args], capture_output=True,
                          text=True, env=environment, timeout=60, check=False)


def test_a_bad_programme_file_exits_2_before_any_call(tmp_path: Path) -> None:
    programme = tmp_path / "programme.toml"
    programme.write_text('[tiers.partner]\nrate = "a lot"\n', encoding="utf-8")
    result = run_cli(tmp_path, "sync", PARTNERSYNC_HUBSPOT_ACCESS_TOKEN="pat-x",
                     PARTNERSYNC_STRIPE_API_KEY="sk_test_x",
                     PARTNERSYNC_PROGRAMME_FILE=str(programme))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        'partnersync: configuration error: tiers.partner.rate: expected a decimal rate such '
        'as "0.25"']


def test_missing_credentials_exit_2_naming_them(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "sync")
    assert result.returncode == 2
    assert "PARTNERSYNC_HUBSPOT_ACCESS_TOKEN and PARTNERSYNC_STRIPE_API_KEY" in result.stderr


def test_a_malformed_setting_exits_2_naming_it(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "sync", PARTNERSYNC_HUBSPOT_ACCESS_TOKEN="pat-x",
                     PARTNERSYNC_STRIPE_API_KEY="sk_test_x", PARTNERSYNC_SERVE_PORT="nine")
    assert result.returncode == 2
    assert "PARTNERSYNC_SERVE_PORT" in result.stderr
