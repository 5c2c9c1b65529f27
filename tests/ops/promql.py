"""What the operations kit's PromQL uses, against what the worker exports.

``exported()`` lists the series names ``/metrics`` can carry, from the metrics declared
in sync/runtime/metrics.py (a counter ``x`` is ``x_total``; a histogram ``x_bucket``,
``x_sum``, ``x_count``) with their labels; ``selectors()`` reads the metric names and
label names out of an expression. Enough PromQL for our rules and dashboard, not a
parser: strings, ranges, offsets and Grafana's ``$variables`` are set aside first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from prometheus_client.metrics import MetricWrapperBase

from sync.runtime import metrics

TARGET_LABELS = {"job", "instance"}  # set by Prometheus on every scraped series
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
            "and", "or", "unless", "inf", "nan", "atan2"}
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}


def exported() -> dict[str, set[str]]:
    """Each series name the worker exports, with the labels it may carry."""
    names: dict[str, set[str]] = {}
    for declared in vars(metrics).values():
        if not isinstance(declared, MetricWrapperBase):
            continue
        (family,) = declared.describe()
        labels = set(declared._labelnames) | TARGET_LABELS  # no public accessor
        for suffix in SUFFIXES[family.type]:
            names[family.name + suffix] = labels | ({"le"} if suffix == "_bucket" else set())
    return names


@dataclass
class Uses:
    metrics: dict[str, set[str]] = field(default_factory=dict)  # name -> labels matched
    grouping: set[str] = field(default_factory=set)  # labels in by (...), on (...)


def selectors(expression: str) -> Uses:
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expression)  # label values, format strings
    text = re.sub(r"\$\{?\w+\}?", "", text)  # Grafana's $__rate_interval, ${datasource}
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges and subqueries
    text = re.sub(r"\boffset\s+-?\w+", "", text)
    uses = Uses()
    for group in re.finditer(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*"
                             r"\(([^)]*)\)", text):
        uses.grouping |= {label.strip() for label in group.group(1).split(",") if label.strip()}
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    for found in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)\s*(\{[^}]*\})?\s*(\()?", text):
        name, matchers, call = found.groups()
        if call or name in KEYWORDS:
            continue  # a function, an aggregation or an operator
        labels = set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers or ""))
        uses.metrics.setdefault(name, set()).update(labels)
    return uses


def unknown(expression: str) -> list[str]:
    """What the expression uses that the worker does not export, in words."""
    known, uses, problems = exported(), selectors(expression), []
    for name, labels in uses.metrics.items():
        if name not in known:
            problems.append(f"metric {name}")
        elif labels - known[name]:
            problems.append(f"label(s) {sorted(labels - known[name])} on {name}")
    available = set().union(*(known.get(name, set()) for name in uses.metrics))
    if uses.grouping - available:
        problems.append(f"grouping label(s) {sorted(uses.grouping - available)}")
    if not uses.metrics:
        problems.append("no metric at all")
    return problems
