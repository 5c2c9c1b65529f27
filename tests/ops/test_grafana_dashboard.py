"""The Grafana dashboard (ops/grafana/partnersync.json): valid JSON Grafana can import,
every query reading only metrics and labels the worker exports, every exported metric
shown, and every query valid PromQL (promtool, as for the alert rules)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.ops.promql import exported, selectors, unknown
from tests.ops.test_prometheus_rules import promtool

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "ops" / "grafana" / "partnersync.json"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return loaded


def panels() -> list[dict[str, Any]]:
    return [panel for panel in dashboard()["panels"] if panel["type"] != "row"]


def queries() -> list[tuple[str, str]]:
    return [(panel["title"], target["expr"]) for panel in panels() for target in panel["targets"]]


def test_it_is_a_dashboard_grafana_can_import_with_any_prometheus() -> None:
    board = dashboard()
    assert (board["title"], board["uid"]) == ("PartnerSync", "partnersync")
    (variable,) = board["templating"]["list"]
    assert (variable["name"], variable["type"], variable["query"]) == (
        "datasource", "datasource", "prometheus")
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in panels():
        assert panel["datasource"] == DATASOURCE, panel["title"]
        assert panel["targets"] and all(t["datasource"] == DATASOURCE for t in panel["targets"])


def test_every_query_reads_only_what_the_worker_exports() -> None:
    problems = {title: unknown(expr) for title, expr in queries() if unknown(expr)}
    assert problems == {}


def test_every_exported_metric_is_on_the_dashboard() -> None:
    shown = {name for _, expr in queries() for name in selectors(expr).metrics}
    families = {name.removesuffix(suffix) for name in exported()
                for suffix in ("_bucket", "_sum", "_count") if name.endswith(suffix)}
    plain = {name for name in exported() if not name.startswith(tuple(families))}
    assert plain <= shown
    assert all(any(name.startswith(family) for name in shown) for family in families)


def test_every_query_is_valid_promql(tmp_path: Path) -> None:
    """Each query as a recording rule, which `promtool check rules` parses."""
    rules = [{"record": f"dashboard:query_{number}",
              "expr": expr.replace("$__rate_interval", "5m")}
             for number, (_, expr) in enumerate(queries())]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}),
                    encoding="utf-8")
    done = subprocess.run([promtool(), "check", "rules", str(path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(rules)} rules found" in done.stdout
