"""A real browser for the report's page: Debian's chromium, driven by its chromedriver,
started as every browser test starts it (tests/chromium.py: nothing downloaded; skipped
with the reason without the browser, failed instead under PARTNERSYNC_REQUIRE_TOOLS=1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.chromium import start_chromium


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"), network_log=True)
    try:
        yield driver
    finally:
        driver.quit()
