"""No first-visit jump (issue 22, item 4), in Chromium with JavaScript on.

Every page state, opened on a first visit (nothing saved on the device, so the voice guide's
Start screen shows), must draw its final layout at once: the sum of the browser's own
``layout-shift`` entries (PerformanceObserver, from the start of the document; shifts right
after an input are not counted, as CLS does not count them) stays under 0.1, an upper bound of
the page's cumulative layout shift. And the page's h1 is its first heading, so a screen
reader's first heading is the page, not "Voice guide".

Answers and session choices are made ready through the API (cookies only), or by a form the
page sends itself where the state is the answer to a POST.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from server.content import Content
from tests.browser_helpers import pass_session_checks, screen, wait_for_enhanced
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

PLAN = "first-20"
FIRST: dict[str, str | float | bool] = {"suggested": PLAN, "sessions": "0"}

# Every layout shift of this document, from its first byte.
SHIFTS = """
(() => {
  const shifts = [];
  Object.defineProperty(window, '__shifts', { value: shifts });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      const name = (node) => node && node.nodeType === 1
        ? `${node.nodeName.toLowerCase()}.${node.className}` : String(node && node.nodeName);
      const moved = (entry.sources || []).map((s) => name(s.node));
      shifts.push({ value: entry.value, moved });
    }
  }).observe({ type: 'layout-shift', buffered: true });
})();
"""

# The headings in page order that a reader meets (drawn, or visually hidden but read).
HEADINGS = """
() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
  .filter((h) => h.checkVisibility())
  .map((h) => `${h.tagName}: ${h.textContent.trim()}`)
"""

# Two frames drawn after the page's scripts ran, then a task: every shift so far is reported.
SETTLED = """
() => new Promise((resolve) =>
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0))))
"""


def post_from_page(page: Page, url: str, fields: dict[str, str | float | bool]) -> None:
    """Send a form as the page would (a navigation to the POST's answer)."""
    with page.expect_navigation():
        page.evaluate(
            """([url, fields]) => {
              const form = document.createElement('form');
              form.method = 'post';
              form.action = url;
              for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = name; input.value = value;
                form.append(input);
              }
              document.body.append(form);
              form.submit();
            }""",
            [url, fields],
        )


def level_question(content: Content, level: str) -> str:
    return next(q.id for q in content.questions if q.level.value == level)


Setup = Callable[[BrowserContext, Page, str, Content], str | None]


def goto(path: str) -> Setup:
    return lambda context, page, base, content: path


def screened(path: str, yes_level: str | None = None, who: str = "you") -> Setup:
    def setup(context: BrowserContext, page: Page, base: str, content: Content) -> str:
        yes = level_question(content, yes_level) if yes_level else ""
        screen(context, base, content, who=who, yes=yes)
        return path

    return setup


def session_ready(path: str, who: str = "you") -> Setup:
    def setup(context: BrowserContext, page: Page, base: str, content: Content) -> str:
        screen(context, base, content, who=who)
        pass_session_checks(context, base, content, PLAN, FIRST)
        return path

    return setup


def posted(start: Setup, url: str, fields: dict[str, str | float | bool]) -> Setup:
    """The page a form sent from ``start``'s page answers with."""

    def setup(context: BrowserContext, page: Page, base: str, content: Content) -> None:
        page.goto(f"{base}{start(context, page, base, content)}")
        post_from_page(page, f"{base}{url}", fields)

    return setup


def first_check(content: Content) -> str:
    return content.session.checks[0].id


def stopped(context: BrowserContext, page: Page, base: str, content: Content) -> None:
    screen(context, base, content)
    request = context.request
    request.post(f"{base}/en/session/clinician", form={"answer": "agreed"})
    request.post(f"{base}/en/session/plan/{PLAN}/choose", form=FIRST)
    check = content.session.checks[0]
    stop = "yes" if check.go_on_answer == "no" else "no"
    page.goto(f"{base}/en/session/plan/{PLAN}/check/{check.id}")
    post_from_page(page, f"{base}/en/session/plan/{PLAN}/check/{check.id}", {"answer": stop})


def check_page(context: BrowserContext, page: Page, base: str, content: Content) -> str:
    screen(context, base, content)
    context.request.post(f"{base}/en/session/clinician", form={"answer": "agreed"})
    context.request.post(f"{base}/en/session/plan/{PLAN}/choose", form=FIRST)
    return f"/en/session/plan/{PLAN}/check/{first_check(content)}"


def question_error(context: BrowserContext, page: Page, base: str, content: Content) -> None:
    context.request.post(f"{base}/en/screening/start", form={"perspective": "you"})
    q = content.questions[0].id
    page.goto(f"{base}/en/screening/q/{q}")
    post_from_page(page, f"{base}/en/screening/q/{q}", {})


def beyond(context: BrowserContext, page: Page, base: str, content: Content) -> None:
    """The last plan chosen with no session saved: more than one step beyond the first."""
    screen(context, base, content)
    context.request.post(f"{base}/en/session/clinician", form={"answer": "agreed"})
    page.goto(f"{base}/en/session/plans")
    last = content.session.plans[-1].id
    post_from_page(page, f"{base}/en/session/plan/{last}/choose", FIRST)


def question_page(context: BrowserContext, page: Page, base: str, content: Content) -> str:
    context.request.post(f"{base}/en/screening/start", form={"perspective": "you"})
    return f"/en/screening/q/{content.questions[0].id}"


def agreed(path: str) -> Setup:
    """After a screening with no known reason, the doctor's agreement given."""

    def setup(context: BrowserContext, page: Page, base: str, content: Content) -> str:
        screen(context, base, content)
        context.request.post(f"{base}/en/session/clinician", form={"answer": "agreed"})
        return path

    return setup


STATES: dict[str, Setup] = {
    "home": goto("/en/"),
    "home (es)": goto("/es/"),
    "intro": goto("/en/screening"),
    "helping": goto("/en/helping"),
    "emergency": goto("/en/emergency"),
    "offline": goto("/en/offline"),
    "offline result": goto("/en/screening/offline"),
    "history": goto("/en/sessions"),
    "question": question_page,
    "question, no answer": question_error,
    "check answers": screened("/en/screening/check"),
    "result: no known reason": screened("/en/screening/result"),
    "result: avoid": screened("/en/screening/result", "avoid"),
    "result: emergency": screened("/en/screening/result", "emergency"),
    "result: carer": screened("/en/screening/result", who="they"),
    "summary": screened("/en/screening/summary"),
    "session, no screening": goto("/en/session"),
    "session, doctor question": screened("/en/session"),
    "session, open": agreed("/en/session"),
    "plans": agreed("/en/session/plans"),
    "plan beyond the suggestion": beyond,
    "pre-session check": check_page,
    "check stopped the session": stopped,
    "player": session_ready(f"/en/session/plan/{PLAN}/play"),
    "player, carer": session_ready(f"/en/session/plan/{PLAN}/carer", who="they"),
    "come up": session_ready(f"/en/session/plan/{PLAN}/come-up"),
    "feedback": session_ready(f"/en/session/plan/{PLAN}/feedback"),
    "feeling": posted(
        session_ready(f"/en/session/plan/{PLAN}/feedback"),
        f"/en/session/plan/{PLAN}/feedback",
        {"feeling": "fine"},
    ),
}


@pytest.fixture
def fresh(browser: Browser) -> Iterator[Callable[[], tuple[BrowserContext, Page]]]:
    contexts: list[BrowserContext] = []

    def make() -> tuple[BrowserContext, Page]:
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, service_workers="block"
        )
        context.add_init_script(SHIFTS)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return context, page

    yield make
    for context in contexts:
        context.close()


def measure(page: Page) -> dict[str, Any]:
    wait_for_enhanced(page)
    page.wait_for_load_state("networkidle")
    page.evaluate(SETTLED)
    shifts = page.evaluate("window.__shifts")
    return {
        "cls": sum(s["value"] for s in shifts),
        "moved": [m for s in shifts for m in s["moved"]],
        "headings": page.evaluate(HEADINGS),
        "start shown": page.locator(".ig-start").is_visible(),
    }


def test_every_page_state_draws_once_with_its_h1_first(
    fresh: Callable[[], tuple[BrowserContext, Page]], live_server: LiveServer, content: Content
) -> None:
    base = live_server.url
    found: dict[str, dict[str, Any]] = {}
    for name, setup in STATES.items():
        context, page = fresh()
        path = setup(context, page, base, content)
        if path is not None:
            page.goto(f"{base}{path}")
        found[name] = measure(page)
        context.close()
    for name, seen in found.items():
        print(f"{name:28} CLS {seen['cls']:.4f}  first heading {seen['headings'][:1]}")
    jumps = {n: (round(s["cls"], 4), s["moved"]) for n, s in found.items() if s["cls"] >= 0.1}
    assert not jumps, jumps
    not_first = {n: s["headings"][:2] for n, s in found.items() if s["headings"][0][:3] != "H1:"}
    assert not not_first, not_first
    # A first visit: the voice guide's Start screen is there to be tapped on the pages that
    # speak (it shows with the page, not after it).
    assert found["home"]["start shown"] and found["question"]["start shown"]
