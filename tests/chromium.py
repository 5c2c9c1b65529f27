"""One way to start a real browser for the tests: Debian's chromium, driven by its
chromedriver (the report's page, tests/report; the portal, tests/portal/browser).

Nothing is downloaded: the driver's path is given to Selenium, whose Selenium Manager
stays offline (SE_OFFLINE), and Chromium starts headless without background networking,
component updates or QUIC, on a fresh profile. Without /usr/bin/chromium (or its driver,
or selenium) the browser tests are skipped with the reason, unless
PARTNERSYNC_REQUIRE_TOOLS=1 (CI sets it, after `.ci/run` installs both): then they fail,
so nothing passes untested.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_TOOLS = "PARTNERSYNC_REQUIRE_TOOLS"
WINDOW = (1280, 1000)
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--hide-scrollbars")


def missing_browser() -> str:
    """Why no browser can run here, or "" when one can."""
    absent = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if absent:
        return (f"{' and '.join(absent)} not installed: "
                "apt-get install -y chromium chromium-driver (CI's .ci/run does)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -c constraints.txt -e '.[dev]'"
    return ""


def require_browser() -> None:
    """Skip (or, with PARTNERSYNC_REQUIRE_TOOLS=1, fail) when no browser can run."""
    reason = missing_browser()
    if reason:
        if os.environ.get(REQUIRE_TOOLS) == "1":
            pytest.fail(f"{REQUIRE_TOOLS}=1 but {reason}", pytrace=False)
        pytest.skip(reason)


def start_chromium(profile: Path, *, downloads: Path | None = None,
                   network_log: bool = False) -> Any:
    """A headless Chromium on the fresh profile folder ``profile``; files it downloads go
    to ``downloads``; ``network_log`` keeps the performance log (the requests made).
    The caller quits it."""
    require_browser()
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager never goes online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (*FLAGS, f"--user-data-dir={profile}",
                     f"--window-size={WINDOW[0]},{WINDOW[1]}"):
        options.add_argument(argument)
    if downloads is not None:
        options.add_experimental_option("prefs", {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        })
    if network_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                            options=options)
