"""The accessibility check itself: the vendored axe-core runs in Chromium and finds the
serious and critical violations of a page that has them, and none on a page that has
none; so a portal page passing it means something."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.portal.browser.axe import AXE_VERSION, serious_violations

BROKEN = """<!DOCTYPE html><html><head><title>broken</title></head><body>
<main><h1>Sign in</h1><form><input type="text" name="email"><button></button></form>
<p style="color:#bbb;background:#fff">pale text</p></main></body></html>"""

SOUND = """<!DOCTYPE html><html lang="en"><head><title>sound</title></head><body>
<main><h1>Sign in</h1><form><label for="email">Email</label>
<input id="email" type="email" name="email"><button type="submit">Send</button></form>
<p>dark text</p></main></body></html>"""


def _open(browser: Any, folder: Path, html: str) -> None:
    page = folder / "page.html"
    page.write_text(html, encoding="utf-8")
    browser.get(page.as_uri())


def test_a_page_with_unlabelled_controls_fails(browser: Any, tmp_path: Path) -> None:
    _open(browser, tmp_path, BROKEN)
    found = {violation.rule: violation.impact for violation in serious_violations(browser)}
    # axe-core 4.14's impacts: an input without a label and a button without text are
    # critical, 1.9:1 contrast (#bbb on white) is serious; html without lang is serious.
    assert found == {"label": "critical", "button-name": "critical",
                     "color-contrast": "serious", "html-has-lang": "serious"}


def test_a_sound_page_passes(browser: Any, tmp_path: Path) -> None:
    _open(browser, tmp_path, SOUND)
    assert serious_violations(browser) == []
    assert browser.execute_script("return axe.version") == AXE_VERSION
