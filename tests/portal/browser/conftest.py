"""The portal in a real browser: one headless Chromium per test module (tests/chromium.py:
Debian's chromium and chromedriver, nothing downloaded), each on a fresh profile and its
own download folder. Screenshots of the pages go to test-artifacts/portal/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import start_chromium

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "portal"


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[Any]:
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"), downloads=downloads)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(browser: Any, name: str) -> Path:
    """Save the whole page as test-artifacts/portal/<name>.png (a CI artefact)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    height = browser.execute_script("return document.documentElement.scrollHeight")
    width = browser.get_window_size()["width"]
    browser.set_window_size(width, max(int(height) + 120, 600))
    try:
        assert browser.save_screenshot(str(path)), f"no screenshot saved at {path}"
    finally:
        browser.set_window_size(width, 1000)
    return path


def click_and_wait(browser: Any, selector: str, timeout: float = 10.0) -> None:
    """Click the element, then wait until the browser has left the page it was on (a form
    POST answered by a redirect), so the next step sees the page that followed."""
    from selenium.webdriver.support.ui import WebDriverWait

    before = browser.current_url
    old = browser.find_element("tag name", "html")
    browser.find_element("css selector", selector).click()

    def moved(driver: Any) -> bool:
        try:
            old.tag_name  # noqa: B018 (raises once the page it belonged to is gone)
        except Exception:  # selenium's StaleElementReferenceException
            return True
        return bool(driver.current_url != before)

    WebDriverWait(browser, timeout).until(moved)
