"""The reviewer's page opened from file:// in a real Chromium (Playwright driving Debian's package).

Skipped, saying why, where Chromium or Playwright is missing; CI installs both
(scripts/install.sh).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_report_front import sample_page

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
VISIBLE_WITHIN_S = 1.5


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python is not installed: run "
        "bash scripts/install.sh (pip install -e '.[dev]')")
    if not Path(CHROMIUM).is_file():
        pytest.skip("Chromium is not installed (apt-get install -y chromium); "
                    "scripts/install.sh installs it where apt-get is available")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=30_000)
        yield chromium
        chromium.close()


def _open(browser: Any, page_file: Path) -> tuple[Any, list[str], list[str], float]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(("file://", "data:")) else None)
    started = time.monotonic()
    page.goto(page_file.as_uri())
    page.wait_for_selector("#verdict", state="visible")
    return page, errors, outside, time.monotonic() - started


@pytest.mark.parametrize(("lang", "failing", "word"), [
    ("en", False, "READY"), ("nl", False, "GEREED"),
    ("en", True, "NOT READY"), ("nl", True, "NIET GEREED"),
])
def test_banner_is_the_first_screen_in_the_reports_language(
    browser: Any, tmp_path: Path, lang: str, failing: bool, word: str
) -> None:
    _, page_file = sample_page(tmp_path, failing=failing, lang=lang)
    page, errors, outside, seconds = _open(browser, page_file)
    banner = page.locator("#verdict")
    assert banner.locator(".word").inner_text() == word
    box = banner.bounding_box()
    assert box is not None and box["y"] == 0 and box["y"] + box["height"] < 900  # first screen
    assert seconds < VISIBLE_WITHIN_S, f"the verdict took {seconds:.2f} s to show"
    if failing:
        assert banner.locator("a[href='#ERR-04']").inner_text() == "ERR-04"
    assert errors == [] and outside == []
    page.close()


def test_failing_check_shows_its_finding_exchange_and_the_logo(browser: Any,
                                                              tmp_path: Path) -> None:
    _, page_file = sample_page(tmp_path, failing=True, lang="en")
    page, errors, outside, _ = _open(browser, page_file)
    page.locator("#verdict a[href='#ERR-04']").click()
    check = page.locator("details#ERR-04")
    assert check.get_attribute("open") is not None  # failures are open, no click needed
    assert "the identical payload was sent again 1 time(s)" in check.inner_text()
    exchange = page.locator("#ERR-04-x48")
    assert exchange.is_visible()
    assert "#48 POST http://127.0.0.1:1/demo/api/salesjournalentry → 400" in exchange.inner_text()
    assert "injected fault: ds3100 (fault-3)" in exchange.inner_text()
    logo = page.locator("img.logo")
    assert logo.evaluate("image => image.complete && image.naturalWidth") == 256
    assert errors == [] and outside == []
    page.close()
