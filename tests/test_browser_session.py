"""The guided session in headless Chromium: the player follows the track's chapters, Stop
always leads to the come-up instructions, a reload resumes, the carer view, progression kept
on the device, no axe violations, and the whole session listed with JavaScript off."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from server.content import Content
from tests.browser_helpers import (
    assert_no_axe_violations,
    pass_session_checks,
    screen,
    tab_to,
    wait_for_enhanced,
)
from tests.conftest import LiveServer
from tests.progression_oracle import parse_history, suggest

pytestmark = pytest.mark.browser

PLAN = "first-20"
AUDIO = "document.querySelector('[data-session-audio]')"
# Records the Media Session handlers the page sets, so a test can press "stop" as a
# lock screen or headset would.
CAPTURE_HANDLERS = """
(() => {
  window.__igHandlers = {};
  const ms = navigator.mediaSession;
  if (!ms) return;
  const original = ms.setActionHandler.bind(ms);
  ms.setActionHandler = (action, handler) => {
    window.__igHandlers[action] = handler;
    return original(action, handler);
  };
})();
"""


@pytest.fixture(scope="session")
def session_audio(live_audio_dir: Path) -> Path:
    """The live server's audio folder: conftest builds every clip and track there."""
    return live_audio_dir


@pytest.fixture(scope="session")
def chapters(session_audio: Path) -> list[dict[str, Any]]:
    tracks = session_audio / "en" / "tracks"
    entry = json.loads((tracks / "index.json").read_text())["tracks"][PLAN]["normal"]
    result: list[dict[str, Any]] = json.loads((tracks / entry["chapters"]).read_text())["chapters"]
    return result


def wait_until(page: Page, expression: str, arg: Any = None, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression from here: the page's CSP (rightly) forbids the eval that
    Playwright's own wait_for_function uses for string predicates."""
    deadline = time.monotonic() + timeout
    function = f"(arg) => Boolean({expression})"
    while not page.evaluate(function, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        time.sleep(0.05)


def get_ready(context: BrowserContext, base: str, content: Content, plan: str = PLAN) -> None:
    """A screening with no known reason, then every pre-session check answered Yes."""
    screen(context, base, content)
    pass_session_checks(context, base, content, plan, {"suggested": plan, "sessions": "5"})


@pytest.fixture
def page(
    browser: Browser, session_audio: Path, live_server: LiveServer, content: Content
) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_init_script(CAPTURE_HANDLERS)
    get_ready(context, live_server.url, content)
    page = context.new_page()
    yield page
    context.close()


def open_player(page: Page, live_server: LiveServer, view: str = "play") -> None:
    page.goto(f"{live_server.url}/en/session/plan/{PLAN}/{view}")
    # The player has started: a Stop pressed before then is the form without JavaScript.
    wait_for_enhanced(page)
    wait_until(page, f"{AUDIO}.readyState >= 1")


def start_playing(page: Page) -> None:
    page.locator("[data-action=toggle]").click()
    wait_until(page, f"!{AUDIO}.paused && {AUDIO}.currentTime > 0.1")


def seek(page: Page, seconds: float) -> None:
    page.evaluate(f"t => {{ {AUDIO}.currentTime = t; }}", seconds)


def wait_for_step(page: Page, title: str) -> None:
    wait_until(
        page,
        "document.querySelector('[data-step-title]').textContent === arg"
        " && navigator.mediaSession.metadata"
        " && navigator.mediaSession.metadata.title === arg",
        title,
    )


def current_time(page: Page) -> float:
    return float(page.evaluate(f"{AUDIO}.currentTime"))


def chapter(chapters: list[dict[str, Any]], chapter_id: str) -> dict[str, Any]:
    return next(c for c in chapters if c["id"] == chapter_id)


def test_seeking_to_each_chapter_shows_its_step_and_media_session_title(
    page: Page, live_server: LiveServer, chapters: list[dict[str, Any]]
) -> None:
    open_player(page, live_server)
    start_playing(page)
    for n, item in enumerate(chapters, start=1):
        seek(page, item["start"] + 0.05)
        wait_for_step(page, item["title"])
        assert page.locator("[data-step-counter]").inner_text() == f"Step {n} of {len(chapters)}"
        assert page.locator("[data-step-line]").inner_text() == item["lines"][0]["text"]
        current = page.locator(f"#step-{item['id']}")
        assert current.get_attribute("aria-current") == "step"
    # The status region announces the step; the times follow currentTime.
    last = chapters[-1]
    assert page.locator("[data-session-status]").inner_text().endswith(last["title"])
    assert page.locator("[data-time-elapsed]").inner_text() != "0:00"
    assert page.evaluate("typeof window.__igHandlers.nexttrack") == "function"


def test_stop_always_leads_to_the_come_up_instructions(
    page: Page, live_server: LiveServer, chapters: list[dict[str, Any]]
) -> None:
    come_up = chapter(chapters, "come-up")
    open_player(page, live_server)
    start_playing(page)
    for where, press in (
        (
            (chapter(chapters, "hold-1"), 10),
            lambda: page.get_by_role("button", name="Stop and come up now").click(),
        ),
        ((chapters[0], 1), lambda: page.evaluate("window.__igHandlers.stop()")),
        ((chapter(chapters, "setup"), 3), lambda: page.evaluate("window.__igHandlers.stop()")),
    ):
        step, seconds_in = where
        # For 4 s after a Stop the player puts the track back at the come-up whenever it is
        # elsewhere; a pause on purpose ends that. So: pause, move, play, as a person would.
        page.evaluate("window.__igHandlers.pause()")
        seek(page, step["start"] + seconds_in)
        page.evaluate("window.__igHandlers.play()")
        wait_for_step(page, step["title"])
        wait_until(page, f"!{AUDIO}.paused")
        press()
        wait_for_step(page, come_up["title"])
        assert come_up["start"] - 0.05 <= current_time(page) < come_up["start"] + 1.5
        assert page.evaluate(f"{AUDIO}.paused") is False  # it speaks at once
        assert page.locator("[data-step-line]").inner_text() == come_up["lines"][0]["text"]
    # Headset buttons: previous repeats the step, next goes on to the following one (after
    # a pause, which ends the Stop's hold on the come-up).
    page.evaluate("window.__igHandlers.pause()")
    page.evaluate("window.__igHandlers.nexttrack()")
    wait_for_step(page, chapter(chapters, "rest")["title"])
    page.evaluate("window.__igHandlers.previoustrack()")
    wait_for_step(page, come_up["title"])


def test_stop_by_keyboard_alone(
    page: Page, live_server: LiveServer, chapters: list[dict[str, Any]]
) -> None:
    open_player(page, live_server)
    seek(page, chapter(chapters, "hold-1")["start"] + 5)
    tab_to(page, "Stop and come up now")
    page.keyboard.press("Enter")
    wait_for_step(page, chapter(chapters, "come-up")["title"])


def test_a_reload_resumes_at_the_start_of_the_step(
    page: Page, live_server: LiveServer, chapters: list[dict[str, Any]]
) -> None:
    """Outside a hold, a reload goes back to the start of the step it was in. (In a hold the
    hold's clock decides: tests/test_browser_stop_routes.py.)"""
    setup = chapter(chapters, "setup")
    open_player(page, live_server)
    start_playing(page)
    seek(page, setup["start"] + 12)
    wait_for_step(page, setup["title"])
    page.locator("[data-action=toggle]").click()  # pause: the position is saved on the device
    wait_until(page, "document.querySelector('[data-action=toggle]').textContent === 'Play'")
    page.reload()
    wait_until(
        page, f"{AUDIO}.readyState >= 1 && Math.abs({AUDIO}.currentTime - {setup['start']}) < 0.1"
    )
    notice = page.locator("[data-session-notice]")
    assert notice.is_visible()
    assert (
        notice.inner_text()
        == f"Ready to go on from: {setup['title']}. Press play when you are ready."
    )
    assert page.locator("[data-step-title]").inner_text() == setup["title"]
    start_playing(page)
    assert setup["start"] <= current_time(page) < setup["start"] + 3


def test_after_a_long_pause_play_goes_back_to_the_start_of_the_step(
    page: Page, live_server: LiveServer, chapters: list[dict[str, Any]]
) -> None:
    page.clock.install()
    setup = chapter(chapters, "setup")
    open_player(page, live_server)
    start_playing(page)
    seek(page, setup["start"] + 12)
    wait_for_step(page, setup["title"])
    page.locator("[data-action=toggle]").click()
    # The page has handled the pause event once its button offers Play again.
    wait_until(page, "document.querySelector('[data-action=toggle]').textContent === 'Play'")
    page.clock.fast_forward("00:30")  # a phone call
    page.locator("[data-action=toggle]").click()
    wait_until(page, f"!{AUDIO}.paused")
    assert setup["start"] <= current_time(page) < setup["start"] + 2
    # A short pause resumes where it was.
    seek(page, setup["start"] + 12)
    page.locator("[data-action=toggle]").click()
    wait_until(page, "document.querySelector('[data-action=toggle]').textContent === 'Play'")
    page.locator("[data-action=toggle]").click()
    wait_until(page, f"!{AUDIO}.paused")
    assert setup["start"] + 11.5 <= current_time(page) < setup["start"] + 14
    assert page.locator("[data-session-notice]").inner_text() == (
        f"Back to the start of this step: {setup['title']}."
    )


def test_carer_view_keeps_the_same_audio_playing(
    page: Page, live_server: LiveServer, chapters: list[dict[str, Any]]
) -> None:
    open_player(page, live_server)
    start_playing(page)
    page.evaluate(f"window.__theAudio = {AUDIO}")
    page.get_by_role("link", name="Carer view").click()
    wait_until(page, "document.querySelector('.ig-session--carer') !== null")
    assert page.url.endswith(f"/en/session/plan/{PLAN}/carer")
    assert page.title().startswith("Carer view: ")
    assert page.evaluate(f"window.__theAudio === {AUDIO} && !{AUDIO}.paused") is True
    big = page.locator("[data-step-title]").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert big >= 48  # very large text
    assert page.locator("[data-time-left]").is_visible()
    page.get_by_role("button", name="Stop and come up now").click()
    wait_for_step(page, chapter(chapters, "come-up")["title"])
    page.get_by_role("link", name="Standard view").click()
    assert page.url.endswith(f"/en/session/plan/{PLAN}/play")
    # Opened directly, the carer view is the same player.
    open_player(page, live_server, "carer")
    assert page.locator(".ig-session--carer [data-session-audio]").count() == 1


def test_session_pages_have_no_axe_violations(
    page: Page, live_server: LiveServer, content: Content
) -> None:
    base = f"{live_server.url}/en"
    for url in (
        "/session",
        "/session/plans",
        f"/session/plan/{PLAN}/check/height",
        f"/session/plan/{PLAN}/feedback",
        "/emergency",
    ):
        page.goto(base + url)
        assert_no_axe_violations(page)
    # The warning before a plan one step beyond the suggestion, and the refusal beyond that.
    page.goto(base + "/session/plans")
    page.locator("[data-plan-id=first-20-long] [data-plan-link]").click()
    # A device with no sessions saved: only the first plans.
    assert page.locator("h1").inner_text() == content.session.ui.beyond_title
    assert content.session.ui.first_only_body in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    open_player(page, live_server)
    start_playing(page)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Carer view").click()
    assert_no_axe_violations(page)
    page.goto(f"{base}/session/plan/{PLAN}/check/meal")
    page.get_by_role("button", name="No", exact=True).click()
    assert page.locator("h1").inner_text() == "Do not invert today"
    assert_no_axe_violations(page)
    page.goto(f"{base}/session/plan/{PLAN}/feedback")
    page.get_by_role("button", name="Pain").click()
    assert_no_axe_violations(page)


def test_without_javascript_the_player_lists_every_step_with_native_controls(
    browser: Browser,
    session_audio: Path,
    live_server: LiveServer,
    content: Content,
    chapters: list[dict[str, Any]],
) -> None:
    context = browser.new_context(java_script_enabled=False)
    get_ready(context, live_server.url, content)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/session/plan/{PLAN}/play")
    audio = page.locator("audio[data-session-audio]")
    assert audio.count() == 1 and audio.get_attribute("controls") is not None
    assert "/audio/en/tracks/" in str(audio.get_attribute("src"))
    assert page.locator("[data-session-controls]").is_hidden()
    items = page.locator(".ig-session__steps > li")
    assert items.count() == len(chapters)
    for n, item in enumerate(chapters):
        text = items.nth(n).inner_text()
        assert item["title"] in text
        for line in item["lines"]:
            assert line["text"] in text
    # Stop leads to the come-up page, which shows and plays the come-up instructions.
    with page.expect_navigation():
        page.get_by_role("button", name="Stop and come up now").click()
    assert "/come-up" in page.url
    come_up = next(c for c in chapters if c["id"] == "come-up")
    assert come_up["lines"][0]["text"] in page.locator("main").inner_text()
    context.close()

    # axe needs JavaScript, so here "JavaScript off" means the app's own scripts are blocked.
    context = browser.new_context()
    context.route("**/*.js", lambda route: route.abort())
    context.route("**/*.js?*", lambda route: route.abort())
    get_ready(context, live_server.url, content)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/session/plan/{PLAN}/play")
    assert page.locator("[data-session-controls]").is_hidden()
    assert_no_axe_violations(page)
    context.close()


def test_progression_runs_on_the_device_exactly_as_the_server_rule(
    page: Page, live_server: LiveServer, content: Content
) -> None:
    from tests.test_session import PROGRESSION_CASES

    page.goto(f"{live_server.url}/en/session/plans")
    app_src = str(page.locator("script[src*='app.js']").get_attribute("src"))
    # The rule's one implementation, under the same versioned folder as the page's script.
    src = page.evaluate(
        "(s) => new URL('lib/progression.js', new URL(s, location.href)).href", app_src
    )
    data = json.loads(str(page.locator("[data-module=session-plans]").get_attribute("data-plans")))
    histories: list[list[object]] = [
        [{"plan": p, "day": d, "feeling": f} for p, d, f in entries]
        for entries, _, _ in PROGRESSION_CASES
    ]
    histories.append([{"plan": "nope", "day": "2026-01-01", "feeling": "fine"}, "junk"])
    from_js = page.evaluate(
        "async ([src, plans, histories]) => {"
        " const m = await import(src); return histories.map(h => m.suggest(plans, h)); }",
        [src, data["plans"], histories],
    )
    for raw, js in zip(histories, from_js, strict=True):
        expected = suggest(content.session.plans, parse_history(raw, content.session.plans))
        assert (js["plan"], js["reason"], js["done"], js["needed"], js["gentler"]) == (
            expected.plan,
            expected.reason,
            expected.done,
            expected.needed,
            expected.gentler,
        ), raw


def test_history_on_the_device_moves_the_suggestion_and_feedback_holds_it_back(
    page: Page, live_server: LiveServer, content: Content
) -> None:
    base = f"{live_server.url}/en/session"
    page.goto(f"{base}/plans")
    history = [{"plan": "first-20", "day": f"2026-01-0{d}", "feeling": "fine"} for d in (1, 2, 3)]
    page.evaluate("h => localStorage.setItem('ig.session.history.v1', JSON.stringify(h))", history)
    page.reload()
    wait_for_enhanced(page)
    suggested = page.locator(".ig-plan--suggested")
    assert suggested.count() == 1 and suggested.get_attribute("data-plan-id") == "first-20-long"
    assert page.locator("[data-plans-reason]").inner_text() == content.session.ui.reason_move_on
    start = page.locator("[data-plans-suggested]")
    assert start.inner_text() == "Start the suggested plan: 20 degrees, 2 minutes"
    gentler = page.locator("[data-plans-gentler]")
    assert gentler.inner_text() == "Start a gentler plan: 20 degrees, 1 minute"
    # Every plan's form carries what the device knows, for the server's safeguards.
    fields = page.evaluate(
        "() => [...document.querySelectorAll('[data-plans-field]')].map(i => i.value)"
    )
    assert set(fields) == {"first-20-long", "3", "0"}  # held_back 0: nothing dizzy or painful
    assert page.locator("[data-plans-history]").inner_text() == "Sessions saved on this device: 3."
    # One step beyond the suggestion: a spoken warning first; two steps: not yet.
    page.locator("[data-plan-id=first-30] [data-plan-link]").click()
    assert page.locator("h1").inner_text() == content.session.ui.ahead_title
    page.go_back()
    page.locator("[data-plan-id=build-30] [data-plan-link]").click()
    assert page.locator("h1").inner_text() == content.session.ui.beyond_title
    page.goto(f"{base}/plans")
    wait_for_enhanced(page)
    start = page.locator("[data-plans-suggested]")
    assert start.inner_text() == "Start the suggested plan: 20 degrees, 2 minutes"

    # "How did that feel?" Dizzy: advice, saved on the device; the next session first asks
    # whether a clinician was told and agreed (decision 20), then the next plan is gentler.
    page.goto(f"{base}/plan/first-20-long/feedback")
    wait_for_enhanced(page)
    page.get_by_role("button", name="Dizzy").click()
    assert page.locator("h1").inner_text() == "Stop for now, and tell a clinician"
    # The page's script saves the answer on the device once it has started: wait for it.
    expect(page.locator("[data-feedback-saved]")).to_be_visible()
    stored = page.evaluate("JSON.parse(localStorage.getItem('ig.session.history.v1'))")
    assert stored[-1]["plan"] == "first-20-long" and stored[-1]["feeling"] == "dizzy"
    page.goto(f"{base}/plans")
    assert page.url == base and page.locator("h1").inner_text() == content.session.ui.tell_title
    assert page.locator("legend").inner_text() == content.session.ui.tell_question
    page.get_by_role("button", name=content.session.ui.clinician_agreed).click()
    assert page.locator("h1").inner_text() == content.session.ui.gate_open_title
    page.goto(f"{base}/plans")
    wait_for_enhanced(page)
    assert page.locator(".ig-plan--suggested").get_attribute("data-plan-id") == "first-20"
    assert page.locator("[data-plans-reason]").inner_text() == content.session.ui.reason_held_back

    page.get_by_role("button", name="Forget the sessions saved on this device").click()
    assert page.locator("[data-plans-history]").inner_text() == (
        content.session.ui.history_forgotten
    )
    assert page.evaluate("localStorage.getItem('ig.session.history.v1')") is None
    assert page.locator(".ig-plan--suggested").get_attribute("data-plan-id") == "first-20"
    assert page.locator("[data-plans-reason]").inner_text() == content.session.ui.reason_first


def test_the_history_keeps_the_time_actually_held(
    page: Page, live_server: LiveServer, chapters: list[dict[str, Any]], content: Content
) -> None:
    """Stopped a few seconds into the hold: the session saved with its feeling says how long
    it was held, not the plan's length (what a clinician reads on the summary)."""
    open_player(page, live_server)
    start_playing(page)
    hold = chapter(chapters, "hold-1")
    seek(page, hold["start"] + 0.5)
    wait_until(page, f"{AUDIO}.currentTime > {hold['start'] + 4}")
    page.get_by_role("button", name="Stop and come up now").click()
    wait_for_step(page, chapter(chapters, "come-up")["title"])
    page.goto(f"{live_server.url}/en/session/plan/{PLAN}/feedback")
    wait_for_enhanced(page)
    page.get_by_role("button", name="Fine").click()
    stored = page.evaluate("JSON.parse(localStorage.getItem('ig.session.history.v1'))")
    assert 2 <= stored[-1]["held"] <= 10, stored[-1]
    page.goto(f"{live_server.url}/en/sessions")
    page.wait_for_selector("[data-history-table]")
    newest = page.locator("[data-history-table] tbody tr").first.inner_text()
    assert "0.1 min" in newest, newest  # not the plan's 1 minute
