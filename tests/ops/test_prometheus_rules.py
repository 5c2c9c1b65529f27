"""The alert rules (ops/prometheus/partnersync-alerts.yml): valid for Prometheus
(`promtool check rules`), passing their unit tests (`promtool test rules`), every alert
tested, and every metric and label they read one the worker exports.

promtool comes from Debian's ``prometheus`` package, which `.ci/run` installs. Without
it the promtool checks skip, saying so, on a developer's machine; in CI (``CI`` set, or
``PARTNERSYNC_REQUIRE_TOOLS=1`` as `.ci/run` sets it) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ops.promql import unknown

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "ops" / "prometheus" / "partnersync-alerts.yml"
RULE_TESTS = ROOT / "ops" / "prometheus" / "partnersync-alerts.test.yml"
ALERTS = ["PartnerSyncJobFailing", "PartnerSyncNoSuccessfulSync", "PartnerSyncNeverSynced",
          "PartnerSyncDown", "PartnerSyncPayoutsFailing", "PartnerSyncRateLimitStorm",
          "PartnerSyncQuarantineGrowing", "PartnerSyncWebhooksRefused"]


def tools_required(environ: dict[str, str]) -> bool:
    ci = environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return ci or environ.get("PARTNERSYNC_REQUIRE_TOOLS") == "1"


def promtool() -> str:
    found = shutil.which("promtool")
    if found is not None:
        return found
    if tools_required(dict(os.environ)):
        pytest.fail("promtool is not installed, and CI (CI or PARTNERSYNC_REQUIRE_TOOLS=1) "
                    "must run these checks: .ci/run installs Debian's prometheus package",
                    pytrace=False)
    pytest.skip("promtool is not installed (Debian: apt-get install prometheus); "
                "CI runs these checks")


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_promtool_checks_the_rules() -> None:
    done = subprocess.run([promtool(), "check", "rules", str(RULES)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in done.stdout


def test_the_rules_pass_their_unit_tests() -> None:
    done = subprocess.run([promtool(), "test", "rules", RULE_TESTS.name], capture_output=True,
                          text=True, timeout=120, cwd=RULE_TESTS.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_every_alert_has_a_unit_test_that_fires_it() -> None:
    assert [rule["alert"] for rule in rules()] == ALERTS
    cases = yaml.safe_load(RULE_TESTS.read_text(encoding="utf-8"))["tests"]
    fired = {check["alertname"] for case in cases for check in case["alert_rule_test"]
             if check.get("exp_alerts")}
    assert fired == set(ALERTS)


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["alert"])
def test_each_rule_reads_only_what_the_worker_exports(rule: dict[str, Any]) -> None:
    assert unknown(rule["expr"]) == []


def test_a_misspelt_metric_or_label_is_caught() -> None:
    """The check above can fail: promtool accepts any metric name."""
    assert unknown('sum(increase(partnersync_payout_total{status="failed"}[1h])) > 0') == [
        "metric partnersync_payout_total"]
    assert unknown("sum by (job) (increase(partnersync_runs_total{job_name=\"sync\"}[1h]))"
                   " > 0") == []  # job is the scrape's label: allowed, if not meant
    assert unknown('max by (source) (partnersync_quarantined_records{kind="x"})') == [
        "label(s) ['kind'] on partnersync_quarantined_records"]


@pytest.mark.parametrize(("environ", "required"), [
    ({}, False), ({"CI": "true"}, True), ({"CI": "false"}, False),
    ({"PARTNERSYNC_REQUIRE_TOOLS": "1"}, True), ({"PARTNERSYNC_REQUIRE_TOOLS": "0"}, False)])
def test_ci_cannot_skip_the_promtool_checks(environ: dict[str, str], required: bool) -> None:
    assert tools_required(environ) is required
