"""The next question shown in place on an answer (pwa/static/js/lib/prefetch.js), in Chromium.

While a question's clip plays, the next question's page and first clip are fetched; an answer
then shows that page at once and plays its clip, while the answer is posted in the
background. These tests check it behaves like the page load it replaces: address, title,
focus, components, Back, the spoken confirmation of a one-key answer, and the answers saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from server.content import Content
from tests.browser_helpers import assert_no_axe_violations, focused_text
from tests.conftest import LiveServer
from tests.test_browser_pwa import RECORDER, clip_url, ready, start_check, wait_playing

pytestmark = pytest.mark.browser

# Each clip that starts or ends, with the heading and the answer confirmation shown then.
MEDIA_LOG = """
(() => {
  const log = [];
  Object.defineProperty(window, '__media', { value: log });
  for (const type of ['playing', 'ended']) {
    document.addEventListener(type, (event) => {
      if (!(event.target instanceof HTMLMediaElement)) return;
      const heading = document.querySelector('h1');
      const confirm = document.querySelector('[data-answer-confirm]');
      log.push({
        type,
        src: new URL(event.target.currentSrc).pathname,
        heading: heading ? heading.textContent.trim() : null,
        confirm: confirm && !confirm.hidden ? confirm.textContent.trim() : null,
      });
    }, true);
  }
})();
"""

# Set on a page; still there only if no other page was loaded since.
MARK = "window.__sameDocument = true"
SAME_DOCUMENT = "window.__sameDocument === true"


def question_url(server: LiveServer, question_id: str) -> str:
    return f"{server.url}/en/screening/q/{question_id}"


def title_of(content: Content, n: int) -> str:
    question = content.questions[n - 1]
    return f"Question {n} of {len(content.questions)}: {question.title} - Inversion Guide"


@contextmanager
def next_question_buffered(page: Page, server: LiveServer, n: int) -> Iterator[None]:
    """The block leads to question ``n`` being made ready: its first clip has arrived."""
    first_clip = clip_url(server, f"counter.{n}")
    with page.expect_response(lambda r: r.url.endswith(first_clip), timeout=15_000):
        yield
    page.wait_for_load_state("networkidle")


def start_with_question_2_ready(page: Page, server: LiveServer) -> None:
    """Start a check; return once question 2 is made ready."""
    with next_question_buffered(page, server, 2):
        start_check(page, server.url)


def expect_shown_in_place(page: Page, server: LiveServer, content: Content, n: int) -> None:
    """Question ``n`` is shown in this document (heading, address, title) and its first clip
    ("Question n of m", from the buffer) plays."""
    question = content.questions[n - 1]
    expect(page.locator("h1")).to_have_text(question.you)
    assert page.url == question_url(server, question.id)
    expect(page).to_have_title(title_of(content, n))
    wait_playing(page, clip_url(server, f"counter.{n}"))
    assert page.evaluate(SAME_DOCUMENT), "shown in place, not loaded"


def log_index(log: list[dict[str, Any]], kind: str, src: str) -> int:
    return next(i for i, e in enumerate(log) if e["type"] == kind and e["src"] == src)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A phone-sized page with the voice on (service worker blocked: plain network)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    for script in (RECORDER, MEDIA_LOG, "localStorage.setItem('ig.voice', 'on');"):
        context.add_init_script(script)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_an_answer_by_click_shows_the_next_question_at_once_as_a_page_load_would(
    page: Page, live_server: LiveServer, content: Content
) -> None:
    server = live_server
    q1, q2 = content.questions[0], content.questions[1]
    start_with_question_2_ready(page, server)
    page.evaluate(MARK)

    page.get_by_role("button", name="No", exact=True).click()
    expect_shown_in_place(page, server, content, 2)
    log = page.evaluate("window.__media")
    assert log[-1]["heading"] == q2.you

    # Focus on the new page's h1 (issue 22): its name is said, and Tab goes on from there.
    assert page.evaluate("document.activeElement === document.querySelector('main h1')")
    page.keyboard.press("Tab")
    assert focused_text(page) == "Yes"
    page.keyboard.press("Shift+Tab")
    # The page's components were started again: voice controls, keys, one audio element.
    expect(page.get_by_role("button", name="Repeat this page", exact=True)).to_be_visible()
    expect(page.locator(".ig-keys__row").first).to_be_visible()
    assert page.locator("audio").count() == 1
    page.wait_for_function(
        "(u) => window.__ig.events.some(([t, s]) => t === 'playing' && s.endsWith(u))",
        arg=clip_url(server, f"q.{q2.id}.you"),
        timeout=15_000,
    )
    assert_no_axe_violations(page)

    # The skip link changes the fragment only: the same page, not loaded again.
    page.evaluate("document.querySelector('.ig-skip-link').focus()")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    page.go_back()
    assert page.url == question_url(server, q2.id)
    assert page.evaluate(SAME_DOCUMENT)

    # Back: the previous question, from the server, showing the answer it got, shown in this
    # document (issue 22), focus back on the answer that left it.
    page.go_back()
    expect(page.locator("h1")).to_have_text(q1.you)
    assert page.url == question_url(server, q1.id)
    no = page.get_by_role("button", name="No", exact=True)
    expect(no).to_have_attribute("aria-pressed", "true")
    expect(no).to_be_focused()
    assert page.evaluate(SAME_DOCUMENT)


def test_an_answer_by_key_is_confirmed_aloud_before_the_next_question_shows(
    page: Page, live_server: LiveServer, content: Content
) -> None:
    server = live_server
    q1, q2 = content.questions[0], content.questions[1]
    start_with_question_2_ready(page, server)
    page.evaluate(MARK)
    page.evaluate("document.activeElement.blur()")

    page.keyboard.press("n")
    expect_shown_in_place(page, server, content, 2)

    log = page.evaluate("window.__media")
    said = clip_url(server, "answer.no")
    started, finished = log_index(log, "playing", said), log_index(log, "ended", said)
    shown = log_index(log, "playing", clip_url(server, "counter.2"))
    # The confirmation is shown and said in full on the question it answers, then the next
    # question comes, its clip playing.
    assert started < finished < shown, log
    assert log[started]["heading"] == q1.you and log[started]["confirm"] == "Your answer: No"
    assert log[finished]["heading"] == q1.you
    assert log[shown]["heading"] == q2.you and log[shown]["confirm"] is None
    # One-key answers work on the page shown in place (focus is on its h1).
    assert page.evaluate("document.activeElement === document.querySelector('main h1')")


def test_answers_sent_in_the_background_reach_the_server(
    page: Page, live_server: LiveServer, content: Content
) -> None:
    """Two answers shown in place, the last one by an ordinary navigation to the check page
    (it is not a question), which lists all three; changing one from the check page goes the
    ordinary way too."""
    server = live_server
    questions = content.questions
    q1, q2, q3 = questions[:3]
    start_with_question_2_ready(page, server)
    # The rest were answered earlier in this tab.
    earlier = {q.id: "no" for q in questions[3:]}
    for question_id, value in earlier.items():
        response = page.context.request.post(
            question_url(server, question_id), form={"answer": value}
        )
        assert response.ok
    page.evaluate("(a) => sessionStorage.setItem('ig.answers.en', JSON.stringify(a))", earlier)
    page.evaluate(MARK)

    with next_question_buffered(page, server, 3):
        page.get_by_role("button", name="No", exact=True).click()
        expect(page.locator("h1")).to_have_text(q2.you)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("y")
    expect(page.locator("h1")).to_have_text(q3.you)
    assert page.evaluate(SAME_DOCUMENT)
    wait_playing(page, clip_url(server, "counter.3"))

    # The last unanswered question: the check page comes next (not a question: not fetched
    # ahead), fetched once the answers are saved and shown in place too (issue 22).
    page.get_by_role("button", name="Not sure", exact=True).click()
    page.wait_for_url(f"{server.url}/en/screening/check")
    assert page.evaluate(SAME_DOCUMENT)
    expect(page.locator(f"#check-a-{q1.id}")).to_have_text("No")
    expect(page.locator(f"#check-a-{q2.id}")).to_have_text("Yes")
    expect(page.locator(f"#check-a-{q3.id}")).to_have_text("Not sure")

    # Changing an answer from the check page goes back there, the answer sent first.
    page.goto(f"{question_url(server, q1.id)}?return=check")
    ready(page)
    wait_playing(page)
    page.wait_for_load_state("networkidle")
    page.evaluate(MARK)
    page.get_by_role("button", name="Yes", exact=True).click()
    page.wait_for_url(f"{server.url}/en/screening/check")
    expect(page.locator(f"#check-a-{q1.id}")).to_have_text("Yes")
    assert page.evaluate(SAME_DOCUMENT)


def test_when_the_server_goes_elsewhere_the_browser_follows_it(
    page: Page, live_server: LiveServer, content: Content
) -> None:
    """The tab expects question 2 next, but it was answered elsewhere: the server sends the
    answer on to question 3, and the page goes there as an ordinary form would have."""
    server = live_server
    q2, q3 = content.questions[1], content.questions[2]
    start_with_question_2_ready(page, server)
    page.context.request.post(question_url(server, q2.id), form={"answer": "yes"})
    page.get_by_role("button", name="No", exact=True).click()
    page.wait_for_url(question_url(server, q3.id))
    expect(page.locator("h1")).to_have_text(q3.you)
    ready(page)
    wait_playing(page, clip_url(server, f"q.{q3.id}.you"))
