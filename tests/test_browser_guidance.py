"""Issue 20, items 3 and 5, in headless Chromium with JavaScript off and on, by keyboard:
the doctor's or clinician's agreement asked as a real question (a "no" or "I do not know"
keeps the session closed and says why), and the emergency page telling a helper what to do
for someone who does not answer, with no button to press.

These pages need no narration, so the server here has an empty library (they say the clip
is not ready and show all of its text): no audio build, quick under load.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from server.config import ROOT, Settings
from server.content import Content, load_all
from server.content.perspective import PERSPECTIVES, Perspective
from tests.browser_helpers import (
    assert_no_axe_violations,
    phone_page,
    press_button,
    screen,
    wait_for_enhanced,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

CONTENT = load_all(ROOT / "content")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    audio: Path = tmp_path_factory.mktemp("no-audio")
    with LiveServer(Settings(audio_dir=audio, secret_key="guidance-secret")) as live:
        yield live


@pytest.fixture(params=[False, True], ids=["js-off", "js-on"])
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    JS_ON.clear()
    if request.param:
        JS_ON.add(True)
    yield from phone_page(browser, java_script=request.param)


# Whether the current test's page runs JavaScript (set by the ``page`` fixture).
JS_ON: set[bool] = set()


def enhanced(page: Page) -> None:
    """With JavaScript on, wait for the page's components; off, there is nothing to wait for."""
    if JS_ON:
        wait_for_enhanced(page)


def main_text(page: Page) -> str:
    return re.sub(r"\s+", " ", page.locator("main").inner_text())


@pytest.mark.parametrize(
    ("lang", "who"), [(lang, who) for lang in ("en", "es") for who in PERSPECTIVES]
)
def test_a_doctor_who_said_no_keeps_the_session_closed_with_the_reason(
    page: Page, server: LiveServer, lang: str, who: Perspective
) -> None:
    content: Content = CONTENT[lang]
    ui = content.session.ui.for_perspective(who)
    screen(page.context, server.url, content, who=who, lang=lang)
    page.goto(f"{server.url}/{lang}/session")
    enhanced(page)
    assert page.locator("h1").inner_text() == ui.doctor_title
    assert page.locator("legend").inner_text() == ui.doctor_question
    press_button(page, ui.clinician_said_no)
    assert page.locator("h1").inner_text() == ui.said_no_title
    shown = main_text(page)
    for sentence in ui.said_no_body:
        assert sentence in shown
    # Spoken too: the page's clip is the reason (its whole text is on the page).
    clip = "session.gate.said-no" + (".they" if who == "they" else "")
    assert page.locator(f'[data-clip-id="{clip}"]').count() == 1
    assert page.locator(f'a[href="/{lang}/session/plans"]').count() == 0
    assert page.locator("legend").count() == 0  # the question is not offered again
    if JS_ON:
        assert_no_axe_violations(page)
    # By its address, the session stays closed: back to the reason.
    page.goto(f"{server.url}/{lang}/session/plans")
    assert page.url == f"{server.url}/{lang}/session"
    assert page.locator("h1").inner_text() == ui.said_no_title


@pytest.mark.parametrize("lang", ["en", "es"])
def test_not_knowing_keeps_it_closed_and_agreed_opens(
    page: Page, server: LiveServer, lang: str
) -> None:
    content: Content = CONTENT[lang]
    ui = content.session.ui
    screen(page.context, server.url, content, lang=lang)
    page.goto(f"{server.url}/{lang}/session")
    enhanced(page)
    press_button(page, ui.clinician_not_asked)
    assert page.locator("h1").inner_text() == ui.not_asked_title
    shown = main_text(page)
    for sentence in ui.not_asked_body:
        assert sentence in shown
    assert page.locator(f'a[href="/{lang}/session/plans"]').count() == 0
    press_button(page, ui.back_to_session)
    enhanced(page)
    assert page.locator("legend").inner_text() == ui.doctor_question
    press_button(page, ui.clinician_agreed)
    assert page.locator("h1").inner_text() == ui.gate_open_title
    assert ui.doctor_confirmed in main_text(page)
    assert page.locator(f'a[href="/{lang}/session/plans"]').count() == 1


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_emergency_page_tells_a_helper_what_to_do_without_any_button(
    page: Page, server: LiveServer, lang: str
) -> None:
    """Someone who faints or does not answer: bring the table level at once, call on speaker,
    check breathing, CPR, ankles once level, stay; nothing to press and no "press Stop"."""
    content: Content = CONTENT[lang]
    e = content.emergency
    page.goto(f"{server.url}/{lang}/emergency")
    enhanced(page)
    guidance = page.locator("#emergency-text")
    text = re.sub(r"\s+", " ", guidance.inner_text())
    for line in [*e.signs, *e.steps, *e.fall]:
        assert line.say in text
    assert guidance.locator("button, form, input").count() == 0
    for stop in (content.session.ui.stop_now, "press Stop", "pulse Pare"):
        assert stop not in main_text(page)
    first = e.steps[0].say
    assert {"en": "Bring the table level at once", "es": "en horizontal enseguida"}[lang] in first
    assert e.number in text
    # Never a passage for being on the table alone.
    assert not re.search(r"on your own|sin nadie", text)
    if JS_ON:
        assert_no_axe_violations(page)
