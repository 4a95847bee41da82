"""Helpers for Playwright tests: phone-sized pages, a screening and a session made ready
through the API, keyboard-only navigation and axe checks."""

from __future__ import annotations

from collections.abc import Iterator

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page

from server.content import Content

_axe = Axe()


def phone_page(browser: Browser, java_script: bool) -> Iterator[Page]:
    """A 390x844 page with JavaScript on or off, closed after the test (for a fixture)."""
    context = browser.new_context(
        java_script_enabled=java_script, viewport={"width": 390, "height": 844}
    )
    yield context.new_page()
    context.close()


def screen(
    context: BrowserContext,
    base: str,
    content: Content,
    who: str = "you",
    yes: str = "",
    lang: str = "en",
) -> None:
    """A screening started for ``who`` ("you" or "they"), every answer No but ``yes``."""
    request = context.request
    request.post(f"{base}/{lang}/screening/start", form={"perspective": who})
    for q in content.questions:
        answer = "yes" if q.id == yes else "no"
        request.post(f"{base}/{lang}/screening/q/{q.id}", form={"answer": answer})


def pass_session_checks(
    context: BrowserContext,
    base: str,
    content: Content,
    plan: str,
    choice: dict[str, str | float | bool],
    lang: str = "en",
) -> None:
    """After a screening with no known reason: the doctor confirmed, ``plan`` chosen with
    the ``choice`` form (what the device knows: suggested plan, sessions), every check
    passed."""
    request = context.request
    request.post(f"{base}/{lang}/session/clinician", form={"answer": "agreed"})
    request.post(f"{base}/{lang}/session/plan/{plan}/choose", form=choice)
    for check in content.session.checks:
        request.post(
            f"{base}/{lang}/session/plan/{plan}/check/{check.id}",
            form={"answer": check.go_on_answer},
        )


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


def tab_to(page: Page, name: str, limit: int = 80) -> None:
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
    # A click that navigates returns once the new page commits: at load 20 axe once ran on
    # a check page whose <title> was parsed but not yet its <main> or <h1>.
    page.wait_for_load_state("load")
    results = _axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def play_from_the_first_hold(page: Page) -> None:
    """Play the session track from its first hold: a session under way, head down, where
    Stop must go to the come-up."""
    page.evaluate(
        "(() => { const root = document.querySelector('[data-player]');"
        " const data = JSON.parse(root.dataset.player);"
        " const hold = data.chapters.find((c) => c.id.startsWith('hold'));"
        " const audio = root.querySelector('[data-session-audio]');"
        " audio.currentTime = hold.start + 0.5; return audio.play(); })()"
    )
    page.wait_for_function("() => !document.querySelector('[data-session-audio]').paused")
