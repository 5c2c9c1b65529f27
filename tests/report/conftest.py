"""A real browser for the report's page: Debian's chromium, driven by its chromedriver.

Nothing is downloaded: the driver's path is given to Selenium (its Selenium Manager
stays offline) and Chromium starts headless without background networking, on a fresh
profile. Without /usr/bin/chromium the browser tests are skipped with the reason,
unless PARTNERSYNC_REQUIRE_TOOLS=1 (CI sets it, after `.ci/run` installs both): then
they fail, so nothing passes untested.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_TOOLS = "PARTNERSYNC_REQUIRE_TOOLS"
WINDOW = (1280, 1000)


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


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = missing_browser()
    if reason:
        if os.environ.get(REQUIRE_TOOLS) == "1":
            pytest.fail(f"{REQUIRE_TOOLS}=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager never goes online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-background-networking", "--disable-component-update",
                     "--no-first-run", "--disable-sync", "--hide-scrollbars",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                     f"--window-size={WINDOW[0]},{WINDOW[1]}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=options)
    try:
        yield driver
    finally:
        driver.quit()
