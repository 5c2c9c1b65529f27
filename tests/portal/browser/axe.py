"""axe-core run in the test's browser on the page it shows: the serious and critical
violations, which fail a test. The script is the vendored axe.min.js (vendor/README.md),
checked against its sha256 before it is injected; nothing is downloaded."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
FAILING = frozenset({"serious", "critical"})

RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(results => done({version: axe.version, violations: results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 5).map(node => node.target.join(' ')),
  }))}))
  .catch(error => done({error: String(error)}));
"""


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.impact} {self.rule}: {self.help} ({', '.join(self.targets)})"


@cache
def axe_source() -> str:
    data = AXE.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != AXE_SHA256:
        raise AssertionError(f"{AXE} has sha256 {digest}, not the vendored {AXE_SHA256} "
                             "(vendor/README.md says how to update it)")
    return data.decode("utf-8")


def serious_violations(browser: Any) -> list[Violation]:
    """The serious and critical violations axe-core finds on the browser's page."""
    browser.set_script_timeout(60)
    browser.execute_script(axe_source())
    result = browser.execute_async_script(RUN)
    if "error" in result:
        raise AssertionError(f"axe-core failed on {browser.current_url}: {result['error']}")
    if result["version"] != AXE_VERSION:
        raise AssertionError(f"axe-core {result['version']} ran, not {AXE_VERSION}")
    return [Violation(item["id"], item["impact"], item["help"], tuple(item["targets"]))
            for item in result["violations"] if item["impact"] in FAILING]


def assert_accessible(browser: Any) -> None:
    violations = serious_violations(browser)
    assert not violations, (f"{browser.current_url}: " + "; ".join(map(str, violations)))
