"""Carers in a real browser (issue 10 item 5): the carer view's controls on small screens,
the clinician summary printed to one A4 page, "Your sessions" with 0, 1 and 12 sessions, and
axe on each."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from server.content import Content
from tests.browser_helpers import (
    assert_no_axe_violations,
    pass_session_checks,
    play_from_the_first_hold,
    screen,
    wait_for_enhanced,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

PLAN = "first-20"
HISTORY_KEY = "ig.session.history.v1"


def get_ready(context: BrowserContext, base: str, content: Content) -> None:
    pass_session_checks(context, base, content, PLAN, {"suggested": PLAN, "sessions": "0"})


@pytest.fixture
def carer_context(
    browser: Browser, live_server: LiveServer, content: Content
) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    screen(context, live_server.url, content, "they")
    get_ready(context, live_server.url, content)
    yield context
    context.close()


def inside(page: Page, selector: str) -> bool:
    box: dict[str, Any] = page.locator(selector).evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {t: r.top, b: r.bottom, l: r.left, r: r.right, w: innerWidth, h: innerHeight}; }"
    )
    return bool(box["t"] >= 0 and box["l"] >= 0 and box["b"] <= box["h"] and box["r"] <= box["w"])


@pytest.mark.parametrize("size", [(390, 844, 100), (320, 640, 100), (320, 640, 200)])
def test_carer_view_opens_by_default_with_play_and_stop_always_in_view(
    carer_context: BrowserContext,
    live_server: LiveServer,
    content: Content,
    size: tuple[int, int, int],
) -> None:
    """Play/Pause and Stop fully on screen from the start, whatever the step title, at
    390x844, at 320x640, and at 320x640 with 200% text (side by side at normal text)."""
    page = carer_context.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/en/session/plan/{PLAN}/play")
    assert page.url.endswith(f"/en/session/plan/{PLAN}/carer")
    bar_toggle = ".ig-session__bar [data-action=toggle-bar]"
    bar_stop = ".ig-session__bar [data-action=stop]"
    page.wait_for_selector(f"{bar_toggle}:not([hidden])")
    if size[2] != 100:
        page.evaluate(f"document.documentElement.style.fontSize = '{size[2]}%'")
        page.wait_for_timeout(200)  # the page moves down by the bar's new height
    chapters = json.loads(
        page.locator("[data-module=session-player]").get_attribute("data-player") or "{}"
    )["chapters"]
    longest = max(chapters, key=lambda c: len(c["title"]))
    for title in (chapters[0]["title"], longest["title"]):
        page.locator("[data-step-title]").evaluate("(e, t) => { e.textContent = t; }", title)
        assert inside(page, bar_toggle) and inside(page, bar_stop), title
        top = page.locator(bar_toggle).bounding_box()
        stop = page.locator(bar_stop).bounding_box()
        assert top is not None and stop is not None
        if size[2] == 100:
            assert abs(top["y"] - stop["y"]) < 2  # side by side
    # Scrolled to the list of steps, both are still on screen (the bar stays at the top).
    page.locator(f"#step-{chapters[-1]['id']}").scroll_into_view_if_needed()
    assert inside(page, bar_toggle) and inside(page, bar_stop)
    # Step and time left in very large text; no "put your phone away" for a carer.
    size_px = page.locator("[data-step-title]").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size_px >= 48
    assert page.locator("[data-time-left]").is_visible()
    visible = page.locator("main").inner_text()
    assert "put your phone away" not in visible.lower()
    assert content.carer.carer_player_help in visible
    # The carer's track: the helper's lines are in its chapters.
    lines = [line["text"] for c in chapters for line in c["lines"]]
    assert any(t.startswith("Helper: check the ankle lock") for t in lines)
    assert chapters[0]["id"] == "emergency"
    # Play/Pause in the bar plays, and Stop in the bar, during a hold, leads to the come-up.
    page.locator(bar_toggle).click()
    page.wait_for_function("() => !document.querySelector('[data-session-audio]').paused")
    play_from_the_first_hold(page)
    page.locator(bar_stop).click()
    come_up = next(c for c in chapters if c["id"] == "come-up")
    page.wait_for_selector(f"[data-step-title]:text-is('{come_up['title']}')")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("size", [(390, 844), (320, 640)])
def test_standard_view_controls_in_view(
    browser: Browser, live_server: LiveServer, content: Content, size: tuple[int, int]
) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    screen(context, live_server.url, content, "you")
    get_ready(context, live_server.url, content)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/session/plan/{PLAN}/play")
    assert "ig-session--carer" not in (
        page.locator("[data-module=session-player]").get_attribute("class") or ""
    )
    page.locator(".ig-session__stop").scroll_into_view_if_needed()
    assert inside(page, ".ig-session__stop")
    box = page.locator(".ig-session__stop").bounding_box()
    assert box is not None and box["width"] <= size[0]
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    context.close()


def test_summary_prints_on_one_a4_page_with_every_answer(
    browser: Browser, live_server: LiveServer, content: Content
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    screen(context, live_server.url, content, "they", yes="glaucoma")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/screening/summary")
    assert_no_axe_violations(page)
    assert page.locator(".ig-summary__row").count() == len(content.questions)
    page.emulate_media(media="print")
    for q in content.questions:
        row = page.locator(f'[data-question-id="{q.id}"]')
        assert row.is_visible() and q.title in row.inner_text()
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    assert pages == 1, f"{pages} pages"
    context.close()


def test_summary_download_with_javascript_holds_the_sessions_saved_here(
    browser: Browser, live_server: LiveServer, content: Content
) -> None:
    """The text download is made on the device: the server's text (from the cookie) with the
    sessions saved in this browser, which the server never sees."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    seed = json.dumps(history(3))
    context.add_init_script(f"localStorage.setItem('{HISTORY_KEY}', {json.dumps(seed)});")
    screen(context, live_server.url, content, "they", yes="glaucoma")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/screening/summary")
    wait_for_enhanced(page)
    with page.expect_download() as made:
        page.get_by_role("link", name=content.carer.summary_download).click()
    download = made.value
    assert download.suggested_filename.startswith("inversion-guide-summary-")
    text = Path(download.path()).read_text(encoding="utf-8")
    assert content.carer.summary_sessions_device not in text
    for day in ("2026-01-01", "2026-01-02", "2026-01-03"):
        assert f"- {day}. " in text, text
    assert content.questions[-1].title in text  # the server's part is all there
    context.close()


def history(n: int) -> list[dict[str, Any]]:
    plans = ["first-20", "first-20", "first-30", "first-30"] * 3
    return [
        {
            "plan": plans[i],
            "day": f"2026-01-{i + 1:02d}",
            "feeling": "fine",
            "at": 1767225600000 + i * 86400000,
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("count", [0, 1, 12])
def test_your_sessions_page_with_0_1_and_12_sessions(
    browser: Browser, live_server: LiveServer, content: Content, count: int
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    seed = json.dumps(history(count))
    context.add_init_script(
        "if (!sessionStorage.getItem('seeded')) {"
        f" localStorage.setItem('{HISTORY_KEY}', {json.dumps(seed)});"
        " sessionStorage.setItem('seeded', '1'); }"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/en/sessions")
    carer = content.carer
    if count == 0:
        page.wait_for_selector("[data-history-empty]")
        assert carer.history_empty in page.locator("main").inner_text()
        assert page.locator("[data-history-table]").count() == 0
    else:
        page.wait_for_selector("[data-history-table]")
        assert page.locator("[data-history-table] tbody tr").count() == count
        assert page.locator("[data-history-chart] rect.ig-history__bar").count() == count
        assert page.locator("[data-history-chart] circle").count() == count
        newest = page.locator("[data-history-table] tbody tr").first.inner_text()
        assert f"2026-01-{count:02d}" in newest
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(page)
    if count:
        # With no voice of the device's own, "Read the table aloud" says on the page why
        # nothing is read, instead of doing nothing (the device's voices made empty here).
        page.evaluate("speechSynthesis.getVoices = () => []")
        page.get_by_role("button", name=carer.history_read_aloud).click()
        # On the page, and said once through the status region (which holds the same words
        # for a moment: so the note is found by its own mark, not by text alone).
        note = page.locator("main [data-history-no-voice]")
        expect(note).to_be_visible()
        expect(note).to_have_text(carer.history_no_local_voice)
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name=carer.history_forget).click()
        page.wait_for_selector("[data-history-empty]")
        assert page.evaluate(f"localStorage.getItem('{HISTORY_KEY}')") is None
    context.close()


def test_your_sessions_without_javascript_explains_where_the_history_lives(
    browser: Browser, live_server: LiveServer, content: Content
) -> None:
    # The app's scripts blocked (axe itself needs JavaScript, so the context keeps it on).
    context = browser.new_context()
    context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    page.goto(f"{live_server.url}/en/sessions")
    assert content.carer.history_needs_js in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_switch_with_javascript_changes_who_the_questions_ask_about(
    browser: Browser, live_server: LiveServer, content: Content, content_es: Content, lang: str
) -> None:
    """Started for myself, switched to someone I help on question 2 (and back): the question
    shown, and the one after it, ask about whoever the switch says, with JavaScript on (the
    tab's copy of who answers follows the switch, so the device never rewrites it back)."""
    text = content_es if lang == "es" else content
    context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/screening")
    page.get_by_role("button", name=text.ui.start_for_me).click()
    first, second, third = text.questions[:3]
    page.wait_for_url(f"**/q/{first.id}")
    wait_for_enhanced(page)
    page.get_by_role("button", name=text.ui.answer_no, exact=True).click()
    page.wait_for_url(f"**/q/{second.id}")
    expect(page.locator("#question-text")).to_have_text(second.you)
    page.get_by_role("button", name=text.carer.switch_to_they).click()
    page.wait_for_url(f"**/q/{second.id}")
    wait_for_enhanced(page)
    page.wait_for_timeout(500)  # the device's own check of who answers has run
    expect(page.locator("#question-text")).to_have_text(second.they)
    page.get_by_role("button", name=text.ui.answer_no, exact=True).click()
    page.wait_for_url(f"**/q/{third.id}")
    page.wait_for_timeout(500)
    expect(page.locator("#question-text")).to_have_text(third.they)
    page.get_by_role("button", name=text.carer.switch_to_you).click()
    page.wait_for_url(f"**/q/{third.id}")
    wait_for_enhanced(page)
    page.wait_for_timeout(500)
    expect(page.locator("#question-text")).to_have_text(third.you)
    context.close()
