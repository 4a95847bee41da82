"""The screening in headless Chromium, by keyboard alone, with JavaScript off and on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from server.content import Content
from tests.browser_helpers import assert_no_axe_violations, phone_page, press_button, tab_to
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

CASES = {
    "no-known-reason": ({}, "No known reason to avoid inversion"),
    "avoid": ({"glaucoma": "Yes"}, "Do not use inversion"),
    "ask-first": ({"high-blood-pressure": "Not sure"}, "Check with your clinician first"),
}


@pytest.fixture(params=[False, True], ids=["js-off", "js-on"])
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    yield from phone_page(browser, java_script=request.param)


@pytest.mark.parametrize("case", list(CASES))
def test_keyboard_only_screening_reaches_each_outcome(
    page: Page, live_server: LiveServer, content: Content, case: str
) -> None:
    overrides, title = CASES[case]
    page.goto(f"{live_server.url}/en/")
    # The first Tab lands on the skip link; it leads to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "ig-skip-link"
    press_button(page, content.ui.start_check)
    assert page.title() == f"{content.intro.title} - Inversion Guide"
    press_button(page, "Start the check for myself")
    total = len(content.questions)
    for n, question in enumerate(content.questions, start=1):
        assert page.title() == f"Question {n} of {total}: {question.title} - Inversion Guide"
        assert page.locator("h1").inner_text() == question.you
        press_button(page, overrides.get(question.id, "No"))
    assert page.title() == "Check your answers - Inversion Guide"
    press_button(page, "See the result")
    assert page.title() == f"Your result: {title} - Inversion Guide"
    assert page.locator("h1").inner_text() == title
    reasons = page.locator(".ig-reasons li")
    assert reasons.count() == len(overrides)
    for question_id, answer in overrides.items():
        q = content.question(question_id)
        assert q is not None
        assert reasons.first.inner_text().startswith(f"{q.title}: {answer}.")


def test_change_an_answer_by_keyboard(
    page: Page, live_server: LiveServer, content: Content
) -> None:
    page.goto(f"{live_server.url}/en/screening")
    press_button(page, "Start the check for myself")
    for _ in content.questions:
        press_button(page, "No")
    glaucoma = content.question("glaucoma")
    assert glaucoma is not None
    tab_to(page, f"{content.ui.change} {content.ui.change_hidden} {glaucoma.title.lower()}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    press_button(page, "Yes")
    assert page.title() == "Check your answers - Inversion Guide"
    press_button(page, "See the result")
    assert page.locator("h1").inner_text() == "Do not use inversion"


@pytest.mark.parametrize("scripts", ["blocked", "running"])
def test_no_axe_violations_on_any_page(
    browser: Browser, live_server: LiveServer, content: Content, scripts: str
) -> None:
    """axe needs JavaScript to run, so "JavaScript off" is modelled by blocking the app's own
    scripts: the page is then exactly what a browser without JavaScript renders."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    if scripts == "blocked":
        context.route("**/*.js", lambda route: route.abort())
        context.route("**/*.js?*", lambda route: route.abort())
    page = context.new_page()
    base = live_server.url
    for path in ["/en/", "/en/helping", "/en/screening", "/en/does-not-exist"]:
        page.goto(base + path)
        assert_no_axe_violations(page)
    page.goto(f"{base}/en/screening")
    press_button(page, "Start the check for myself")
    assert_no_axe_violations(page)
    # The error state of a question page.
    with page.expect_navigation():
        page.evaluate("document.querySelector('form[data-module=question]').requestSubmit()")
    assert page.title().startswith("Error: Question 1")
    if scripts == "running":
        # The summary takes focus once the page's components have started (after load).
        expect(page.locator(".ig-error-summary")).to_be_focused()
    assert_no_axe_violations(page)
    for _ in content.questions:
        page.locator("button[value=yes]").click()
    assert page.title() == "Check your answers - Inversion Guide"
    assert_no_axe_violations(page)
    # The result as loaded, not the check page as it goes (axe once ran between the two).
    with page.expect_navigation():
        page.locator("a", has_text="See the result").click()
    assert_no_axe_violations(page)
    context.close()


def test_readable_at_200_percent_and_320_px(browser: Browser, live_server: LiveServer) -> None:
    """At 320 CSS px wide with text doubled, nothing scrolls sideways."""
    # bypass_csp lets the test inject the larger text size; the app itself never inlines CSS.
    context = browser.new_context(viewport={"width": 320, "height": 640}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/screening")
    press_button(page, "Start the check for myself")
    page.add_style_tag(content="html { font-size: 200% !important; }")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    for button in page.locator("button.ig-answer").all():
        box = button.bounding_box()
        assert box is not None and box["height"] >= 48 and box["width"] >= 48
    context.close()
