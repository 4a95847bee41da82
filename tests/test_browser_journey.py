"""One voice for the whole journey (issue 22, items 1 and 2), in a Chromium that plays sound
only after a tap, as WebKit and Firefox do: launched with ``--autoplay-policy=user-gesture-
required`` instead of the suite's no-gesture flag. Under that policy an audio element may play
only from a tap, or once it has played after one; a page loaded by a link or a form would start
silent and show the Play prompt.

From home, one tap on Start; then, by real clicks on links and buttons found by role and name,
the intro, every screening question, the check page, the result, the session's front door,
the plan, every pre-session check and the player each speak on arrival (a ``playing`` event,
then ``currentTime`` moving on) with no other tap, and no Play prompt is ever shown. Each page
arrives in the same document, titled, with focus on its h1; Back restores the page and the
control that left it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from server.content import Content
from tests.conftest import LiveServer
from tests.test_browser_pwa import RECORDER

pytestmark = pytest.mark.browser

# Counts the Play prompts shown (any [data-play-prompt] losing its hidden attribute) and the
# plays the browser refused (NotAllowedError), across every page shown in this document.
PROMPTS = """
(() => {
  const seen = { prompts: 0, refused: 0 };
  Object.defineProperty(window, '__journey', { value: seen });
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    const promise = play.call(this);
    promise.catch((error) => { if (error && error.name === 'NotAllowedError') seen.refused += 1; });
    return promise;
  };
  new MutationObserver((records) => {
    for (const r of records) {
      const prompt = r.target.matches && r.target.matches('[data-play-prompt]');
      if (prompt && !r.target.hidden) seen.prompts += 1;
    }
  }).observe(document, { attributes: true, attributeFilter: ['hidden'], subtree: true });
})();
"""

# Set on the first page; still there only if no other document was loaded since.
MARK = "window.__sameDocument = true"
SAME_DOCUMENT = "window.__sameDocument === true"


@pytest.fixture(scope="module")
def gesture_browser(
    playwright: Playwright, browser_type_launch_args: dict[str, Any]
) -> Iterator[Browser]:
    """Debian's Chromium as the suite launches it, but needing a tap before sound."""
    args = [a for a in browser_type_launch_args["args"] if not a.startswith("--autoplay-policy")]
    browser = playwright.chromium.launch(
        **{**browser_type_launch_args, "args": [*args, "--autoplay-policy=user-gesture-required"]}
    )
    yield browser
    browser.close()


@pytest.fixture
def page(gesture_browser: Browser) -> Iterator[Page]:
    """A phone-sized first visit (nothing saved on the device), service worker blocked."""
    context = gesture_browser.new_context(
        viewport={"width": 390, "height": 844}, service_workers="block"
    )
    context.add_init_script(RECORDER)
    context.add_init_script(PROMPTS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def plays(page: Page) -> int:
    return int(page.evaluate("window.__ig.events.filter(([t]) => t === 'playing').length"))


def title_from_server(page: Page) -> str:
    """The <title> the server gives the address shown now (a GET, as a reload would)."""
    html = page.context.request.get(page.url).text()
    match = re.search(r"<title>(.*?)</title>", html, flags=re.S)
    assert match, page.url
    return unescape(match.group(1)).strip()


def arrives_speaking(page: Page, url: str | re.Pattern[str], played_before: int) -> int:
    """The page at ``url`` is shown in this document, with the server's title, focus on its
    h1, and its narration sounds (a new ``playing`` event, then the clip moving on) with no
    tap and no Play prompt. Returns the number of ``playing`` events so far."""
    page.wait_for_url(url)
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.tagName === 'H1'"
    )
    assert page.evaluate("document.activeElement === document.querySelector('main h1')"), url
    assert page.evaluate(SAME_DOCUMENT), f"{url}: loaded anew, not shown in place"
    expect(page).to_have_title(title_from_server(page))
    page.wait_for_function(
        "(n) => window.__ig.events.filter(([t]) => t === 'playing').length > n", arg=played_before
    )
    voice = "document.querySelector('[data-module=narration] audio')"
    before = page.evaluate(f"{voice}.currentTime")
    page.wait_for_function(
        f"(t) => {{ const a = {voice}; return !a.paused && a.currentTime > t + 0.2; }}", arg=before
    )
    assert page.evaluate("window.__journey") == {"prompts": 0, "refused": 0}, url
    # The page's voice controls came with it (its components started).
    expect(page.get_by_role("button", name="Repeat this page")).to_be_visible()
    expect(page.locator("[data-play-prompt]")).to_be_hidden()
    return plays(page)


LABELS = {"yes": "Yes", "no": "No", "not-sure": "Not sure"}


def test_one_tap_on_start_then_every_page_speaks_on_arrival(
    page: Page, live_server: LiveServer, content: Content
) -> None:
    base = live_server.url
    ui, s = content.ui, content.session.ui
    page.goto(f"{base}/en/")
    page.wait_for_function("() => document.body.classList.contains('js-enabled')")
    page.evaluate(MARK)
    assert plays(page) == 0  # nothing sounds before the tap

    page.get_by_role("button", name=content.pwa.start_button).click()  # the one tap
    page.wait_for_function("() => window.__ig.events.some(([t]) => t === 'playing')")
    n = plays(page)
    voice = page.evaluate_handle("document.querySelector('[data-module=narration] audio')")

    page.get_by_role("link", name=ui.start_check).click()
    n = arrives_speaking(page, f"{base}/en/screening", n)
    # The element the tap unlocked is the one that speaks every page.
    same = "(a) => a === document.querySelector('[data-module=narration] audio')"
    assert page.evaluate(same, voice)

    page.get_by_role("button", name=ui.start_for_me).click()  # a form post, then its redirect
    for question in content.questions:
        n = arrives_speaking(page, f"{base}/en/screening/q/{question.id}", n)
        expect(page.locator("main h1")).to_have_text(question.you)
        page.get_by_role("button", name="No", exact=True).click()

    n = arrives_speaking(page, f"{base}/en/screening/check", n)
    page.get_by_role("link", name=ui.see_result).click()
    n = arrives_speaking(page, f"{base}/en/screening/result", n)
    page.get_by_role("link", name=content.carer.result_session_link).click()
    n = arrives_speaking(page, f"{base}/en/session", n)
    page.get_by_role("button", name=s.clinician_agreed).click()
    n = arrives_speaking(page, f"{base}/en/session", n)
    expect(page.locator("main h1")).to_have_text(s.gate_open_title)
    page.get_by_role("link", name=s.choose_plan).click()
    n = arrives_speaking(page, f"{base}/en/session/plans", n)
    suggested = page.locator("[data-plans-suggested]").inner_text()
    page.get_by_role("button", name=suggested).click()

    plan = re.compile(rf"{re.escape(base)}/en/session/plan/[^/]+/check/")
    for check in content.session.checks:
        n = arrives_speaking(page, re.compile(plan.pattern + re.escape(check.id) + "$"), n)
        page.get_by_role("button", name=LABELS[check.go_on_answer], exact=True).click()

    # The player: its arrival is said; the track plays in the player's own element, by a tap.
    n = arrives_speaking(page, re.compile(rf"{re.escape(base)}/en/session/plan/[^/]+/play"), n)
    assert page.evaluate(same, voice)
    page.locator("[data-session-controls]").get_by_role("button", name=s.play, exact=True).click()
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-session-audio]');"
        " return !a.paused && a.currentTime > 0.3; }"
    )
    assert page.evaluate("window.__journey") == {"prompts": 0, "refused": 0}

    # Back: the last check again, in this document, the track stopped, focus on the answer
    # that left the page.
    page.go_back()
    last = content.session.checks[-1]
    page.wait_for_url(re.compile(plan.pattern + re.escape(last.id) + "$"))
    page.wait_for_function("() => !document.querySelector('[data-session-audio]')")
    assert page.evaluate(SAME_DOCUMENT)
    page.wait_for_function(
        "(l) => document.activeElement && document.activeElement.textContent.trim() === l",
        arg=LABELS[last.go_on_answer],
    )
    assert page.evaluate("document.activeElement.closest('form[data-module=question]') !== null")
    # Forward: the player again, focus back on the Play/Pause button that left it (paused now).
    page.go_forward()
    page.wait_for_function("() => document.querySelector('[data-session-audio]')")
    assert page.evaluate(SAME_DOCUMENT)
    page.wait_for_function(
        "(l) => document.activeElement && document.activeElement.textContent.trim() === l"
        " && document.activeElement.closest('[data-session-controls]')",
        arg=s.play,
    )
