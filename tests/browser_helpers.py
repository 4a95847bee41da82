"""Helpers for Playwright tests: keyboard-only navigation and axe checks."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_axe = Axe()


def wait_for_enhanced(page: Page) -> None:
    """Wait until the page's components have started (app.js marks the body ``js-enabled``
    then: a page loads its components after the load event)."""
    page.wait_for_function("() => document.body.classList.contains('js-enabled')")


def focused_text(page: Page) -> str:
    value = page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? (e.getAttribute('aria-label') || e.textContent || '')"
        ".replace(/\\s+/g, ' ') : '' }"
    )
    return str(value).strip()


def tab_to(page: Page, name: str, limit: int = 40) -> None:
    """Press Tab until the focused element is the one named, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_text(page) == name:
            return
    raise AssertionError(f"could not reach {name!r} with the Tab key")


def press_button(page: Page, name: str) -> None:
    """Reach a control by keyboard and activate it with Enter; wait for the next page."""
    tab_to(page, name)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def assert_no_axe_violations(page: Page) -> None:
    results = _axe.run(page)
    assert results.violations_count == 0, results.generate_report()
