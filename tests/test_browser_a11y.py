"""The session pages as a screen reader and a carer read them (issue 21 items 4 and 5): every
button named for what it does, once per page, in the accessibility tree (Playwright's ARIA
snapshot) with JavaScript on and off; one Play/Pause and one Stop in the carer view; Play and
Pause said through the status region; the carer's first screen at 320x640 with 200% text and at
390x844; the skip link never over a control; "Your sessions" one step from home and from the
session pages."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, BrowserContext, Page, expect

from server.content import Content
from tests.browser_helpers import pass_session_checks, screen, wait_for_enhanced
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

PLAN = "first-20"


def role_names(page: Page, role: str) -> list[str]:
    """The names of every ``role`` in the page's accessibility tree (its ARIA snapshot, a YAML
    list whose items are ``role "name"`` strings, or mappings of those to their children), in
    reading order."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, children in node.items():
                walk(key)
                walk(children)
        elif isinstance(node, str):
            match = re.fullmatch(rf'{role} ("(?:[^"\\]|\\.)*")(?: \[.*\])?', node)
            if match:
                found.append(json.loads(match.group(1)))

    walk(yaml.safe_load(page.locator("body").aria_snapshot()))
    return found


def ready_context(
    browser: Browser,
    base: str,
    content: Content,
    who: str,
    java_script: bool = True,
    lang: str = "en",
    size: tuple[int, int] = (390, 844),
) -> BrowserContext:
    """A phone whose screening (for ``who``) found no known reason and whose checks for
    ``PLAN`` are passed."""
    context = browser.new_context(
        java_script_enabled=java_script, viewport={"width": size[0], "height": size[1]}
    )
    screen(context, base, content, who, lang=lang)
    pass_session_checks(
        context, base, content, PLAN, {"suggested": PLAN, "sessions": "0"}, lang=lang
    )
    return context


def open_page(page: Page, url: str, java_script: bool) -> None:
    page.goto(url)
    if java_script:
        wait_for_enhanced(page)


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def java_script(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.mark.parametrize("who", ["you", "they"])
def test_every_button_on_the_session_pages_has_a_name_of_its_own(
    browser: Browser, live_server: LiveServer, content: Content, java_script: bool, who: str
) -> None:
    """Home, the result and the session pages (the gate, plans, a check, the player: standard
    for the person, carer view and standard for a carer, the come-up page, feedback): in the
    accessibility tree no two buttons share a name, and each plan's button names its plan."""
    base = live_server.url
    context = ready_context(browser, base, content, who, java_script)
    page = context.new_page()
    check = content.session.checks[0].id
    paths = [
        "/en/",
        "/en/screening/result",
        "/en/session",
        "/en/session/plans",
        f"/en/session/plan/{PLAN}/check/{check}",
        f"/en/session/plan/{PLAN}/play",
        f"/en/session/plan/{PLAN}/play?view=standard" if who == "they" else None,
        f"/en/session/plan/{PLAN}/come-up",
        f"/en/session/plan/{PLAN}/feedback",
    ]
    for path in filter(None, paths):
        open_page(page, base + path, java_script)
        names = role_names(page, "button")
        repeated = sorted({n for n in names if names.count(n) > 1})
        assert not repeated, f"{path}: {repeated} in {names}"
        assert all(n.strip() for n in names), f"{path}: a button with no name"
    # The plans' buttons: "Use this plan: 20 degrees, 1 minute", one per plan, the visible
    # text being the whole name (label in name).
    open_page(page, f"{base}/en/session/plans", java_script)
    ui = content.session.ui
    for plan in content.session.plans:
        name = ui.use_plan.format(plan=plan.title)
        button = page.get_by_role("button", name=name, exact=True)
        expect(button).to_have_count(1)
        expect(button).to_have_text(name)
    context.close()


def test_the_carer_view_has_one_play_pause_and_one_stop(
    browser: Browser, live_server: LiveServer, content: Content, java_script: bool
) -> None:
    """One Play/Pause (it needs JavaScript) and one Stop, a native button, in the carer view;
    without JavaScript that Stop opens the come-up page, which plays the come-up."""
    base = live_server.url
    ui = content.session.ui
    context = ready_context(browser, base, content, "they", java_script)
    page = context.new_page()
    open_page(page, f"{base}/en/session/plan/{PLAN}/play", java_script)
    assert page.url.endswith(f"/en/session/plan/{PLAN}/carer")
    buttons = role_names(page, "button")
    links = role_names(page, "link")
    assert buttons.count(ui.stop_now) == 1, buttons
    assert ui.stop_now not in links, links
    toggles = [n for n in buttons if n in (ui.play, ui.pause)]
    assert toggles == ([ui.play] if java_script else []), buttons
    stop = page.get_by_role("button", name=ui.stop_now, exact=True)
    assert stop.evaluate("e => e.tagName") == "BUTTON"
    if java_script:
        toggle = page.get_by_role("button", name=ui.play, exact=True)
        toggle.click()
        expect(page.get_by_role("button", name=ui.pause, exact=True)).to_have_count(1)
        expect(page.get_by_role("button", name=ui.play, exact=True)).to_have_count(0)
        page.get_by_role("button", name=ui.pause, exact=True).click()
        expect(page.get_by_role("button", name=ui.play, exact=True)).to_have_count(1)
    else:
        with page.expect_navigation():
            stop.click()
        assert f"/en/session/plan/{PLAN}/come-up" in page.url
        assert page.locator("[data-come-up-audio]").count() == 1
    context.close()


@pytest.mark.parametrize("who", ["you", "they"])
def test_play_and_pause_are_said_in_the_status_region(
    browser: Browser, live_server: LiveServer, content: Content, who: str
) -> None:
    """The button's new name is not announced; the page's polite status region says
    "Playing." and "Paused." (content.pwa), in the standard and the carer view."""
    base = live_server.url
    ui = content.session.ui
    context = ready_context(browser, base, content, who)
    page = context.new_page()
    open_page(page, f"{base}/en/session/plan/{PLAN}/play", True)
    status = page.locator("[data-session-status]")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    page.get_by_role("button", name=ui.play, exact=True).click()
    expect(status).to_contain_text(content.pwa.playing_announce)
    page.get_by_role("button", name=ui.pause, exact=True).click()
    expect(status).to_contain_text(content.pwa.paused_announce)
    expect(status).not_to_contain_text(content.pwa.playing_announce)
    context.close()


def box(page: Page, selector: str) -> dict[str, float]:
    rect: dict[str, float] = page.locator(selector).evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {t: r.top, b: r.bottom, l: r.left, r: r.right, w: innerWidth, h: innerHeight}; }"
    )
    return rect


@pytest.mark.parametrize("size", [(320, 640, 200), (390, 844, 100), (320, 640, 100)])
def test_the_carer_sees_play_stop_the_step_and_the_time_left_on_the_first_screen(
    browser: Browser, live_server: LiveServer, content: Content, size: tuple[int, int, int]
) -> None:
    """Without scrolling: Play/Pause, Stop, the step and the time left are wholly inside the
    first screen, for the first step and for the longest step title; and at 48 px the step
    title never splits a word across lines."""
    base = live_server.url
    context = ready_context(browser, base, content, "they", size=size[:2])
    page = context.new_page()
    open_page(page, f"{base}/en/session/plan/{PLAN}/carer", True)
    if size[2] != 100:  # the project's 200% text: the root font size, as a browser setting does
        page.evaluate(f"document.documentElement.style.fontSize = '{size[2]}%'")
    # The page starts below the bar once the bar's new height is known (a ResizeObserver).
    page.wait_for_function(
        "() => Math.abs(parseFloat(getComputedStyle(document.body).paddingTop)"
        " - document.querySelector('.ig-session__bar').offsetHeight) < 1"
    )
    assert page.evaluate("scrollY") == 0
    titles = page.locator("[data-module=session-player]").evaluate(
        "e => JSON.parse(e.dataset.player).chapters.map((c) => c.title)"
    )
    longest = max(titles, key=len)
    parts = {
        "Play/Pause": ".ig-session__bar [data-action=toggle-bar]",
        "Stop": ".ig-session__bar [data-action=stop]",
        "step": "[data-step-title]",
        "time left": "[data-time-left]",
    }
    for title in (titles[0], longest):
        page.locator("[data-step-title]").evaluate("(e, t) => { e.textContent = t; }", title)
        page.wait_for_function(
            "() => Math.abs(parseFloat(getComputedStyle(document.body).paddingTop)"
            " - document.querySelector('.ig-session__bar').offsetHeight) < 1"
        )
        for name, selector in parts.items():
            r = box(page, selector)
            assert r["t"] >= 0 and r["l"] >= 0 and r["b"] <= r["h"] and r["r"] <= r["w"], (
                f"{name} at {size} for {title!r}: {r}"
            )
        assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    # No word of any step title split across lines ("somethin / g") at normal text size.
    if size[2] == 100:
        for title in titles:
            split: list[str] = page.locator("[data-step-title]").evaluate(
                """(e, t) => {
                  e.textContent = t;
                  const text = e.firstChild, split = [];
                  for (const m of t.matchAll(/\\S+/g)) {
                    const range = document.createRange();
                    range.setStart(text, m.index);
                    range.setEnd(text, m.index + m[0].length);
                    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
                    if (tops.size > 1) split.push(m[0]);
                  }
                  return split;
                }""",
                title,
            )
            assert not split, f"{title!r} splits {split} at {size}"
        size_px = page.locator("[data-step-title]").evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert size_px >= 48
    context.close()


def overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"])


@pytest.mark.parametrize("path", ["carer", "plans", "home"])
def test_the_skip_link_when_focused_covers_no_control(
    browser: Browser, live_server: LiveServer, content: Content, path: str
) -> None:
    base = live_server.url
    context = ready_context(browser, base, content, "they", size=(320, 640))
    page = context.new_page()
    url = {
        "carer": f"/en/session/plan/{PLAN}/carer",
        "plans": "/en/session/plans",
        "home": "/en/",
    }[path]
    open_page(page, base + url, True)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=content.ui.skip_link)
    expect(skip).to_be_focused()
    skip_box = box(page, ".ig-skip-link")
    assert skip_box["b"] > skip_box["t"] and skip_box["b"] <= skip_box["h"]  # seen
    controls: list[dict[str, Any]] = page.evaluate(
        """() => [...document.querySelectorAll(
            'a[href], button, input, select, textarea, audio[controls],'
            + '[tabindex]:not([tabindex="-1"])')]
          .filter((e) => !e.classList.contains('ig-skip-link') && e.getClientRects().length
                  && getComputedStyle(e).visibility !== 'hidden')
          .map((e) => { const r = e.getBoundingClientRect();
                        return {t: r.top, b: r.bottom, l: r.left, r: r.right,
                                name: e.textContent.trim().slice(0, 40) || e.tagName}; })
          .filter((r) => r.b > r.t && r.r > r.l)"""
    )
    covered = [c["name"] for c in controls if overlaps(skip_box, c)]
    assert not covered, f"the skip link covers {covered}"
    context.close()


@pytest.fixture
def contents(content: Content, content_es: Content) -> dict[str, Content]:
    return {"en": content, "es": content_es}


@pytest.mark.parametrize("who", ["you", "they"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_your_sessions_is_one_step_from_home_and_the_session_pages(
    browser: Browser,
    live_server: LiveServer,
    contents: dict[str, Content],
    lang: str,
    who: str,
) -> None:
    """The link "Your sessions" ("Their sessions" for a carer) on home, the result and each
    session page, in both languages, and it opens the history page."""
    base = live_server.url
    text = contents[lang]
    name = text.carer.history_link_they if who == "they" else text.carer.history_link
    context = ready_context(browser, base, text, who, java_script=False, lang=lang)
    page = context.new_page()
    check = text.session.checks[0].id
    paths = [
        f"/{lang}/",
        f"/{lang}/screening/result",
        f"/{lang}/session",
        f"/{lang}/session/plans",
        f"/{lang}/session/plan/{PLAN}/check/{check}",
        f"/{lang}/session/plan/{PLAN}/play",
        f"/{lang}/session/plan/{PLAN}/feedback",
    ]
    for path in paths:
        page.goto(base + path)
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_have_count(1)
        assert link.get_attribute("href") == f"/{lang}/sessions", path
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(f"**/{lang}/sessions")
    title = text.carer.history_title_they if who == "they" else text.carer.history_title
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    context.close()
