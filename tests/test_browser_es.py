"""Spanish in headless Chromium: a carer's whole screening and a guided session by keyboard
alone, with JavaScript off and on; a Spanish clip on every narrated page; axe on each page type.

The live server's library holds the Spanish clips of every page and the track of one plan
(``tests.conftest.SPANISH_PLAN``), at normal speed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from server.content import Content
from server.content.perspective import Perspective
from server.speech import clip_ids
from tests.browser_helpers import (
    assert_no_axe_violations,
    pass_session_checks,
    phone_page,
    play_from_the_first_hold,
    press_button,
    screen,
    tab_to,
    wait_for_enhanced,
)
from tests.conftest import LiveServer
from tests.narration_helpers import SPANISH_PLAN

pytestmark = pytest.mark.browser


@pytest.fixture(params=[False, True], ids=["js-off", "js-on"])
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    yield from phone_page(browser, java_script=request.param)


def assert_spanish_page(page: Page, clip: bool = True) -> None:
    assert page.locator("html").get_attribute("lang") == "es", page.url
    if clip:
        spanish = page.locator('audio[src^="/audio/es/"]')
        assert spanish.count() >= 1, f"no Spanish clip on {page.url}"
        assert page.locator('audio[src^="/audio/en/"]').count() == 0, page.url


def answer_label(content: Content, answer: str) -> str:
    ui = content.ui
    return {"yes": ui.answer_yes, "no": ui.answer_no}[answer]


def test_a_carer_completes_the_screening_and_a_session_in_spanish_by_keyboard(
    page: Page, live_server: LiveServer, content_es: Content
) -> None:
    ui, session = content_es.ui, content_es.session
    page.goto(f"{live_server.url}/es/helping")
    assert_spanish_page(page, clip=False)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "ig-skip-link"
    press_button(page, ui.start_for_them)
    total = len(content_es.questions)
    for n, question in enumerate(content_es.questions, start=1):
        assert page.title().startswith(f"Pregunta {n} de {total}: {question.title}")
        assert page.locator("h1").inner_text() == question.they
        assert_spanish_page(page)
        press_button(page, ui.answer_no)
    assert page.title().startswith(ui.check_title)
    assert_spanish_page(page)
    press_button(page, ui.see_result)
    outcome = content_es.outcomes.no_known_reason.they
    assert page.locator("h1").inner_text() == outcome.title
    assert_spanish_page(page)

    page.goto(f"{live_server.url}/es/session")
    assert page.locator("h1").inner_text() == session.ui.doctor_title_they
    assert_spanish_page(page)
    assert page.locator("legend").inner_text() == session.ui.doctor_question_they
    press_button(page, session.ui.clinician_agreed)
    assert page.locator("h1").inner_text() == session.ui.gate_open_title
    assert_spanish_page(page)
    press_button(page, session.ui.choose_plan)
    assert_spanish_page(page)
    plan = next(p for p in session.plans if p.id == SPANISH_PLAN)
    press_button(page, session.ui.start_suggested.format(plan=plan.title))
    for check in session.checks:
        assert page.locator("h1").inner_text() == check.they.format(angle=plan.angle)
        assert_spanish_page(page)
        press_button(page, answer_label(content_es, check.go_on_answer))

    # A carer lands on the carer view of the player: one Spanish track; Stop leads to the
    # come-up instructions, by keyboard.
    assert f"/es/session/plan/{SPANISH_PLAN}/carer" in page.url
    assert_spanish_page(page, clip=False)
    track = page.locator('audio[src^="/audio/es/tracks/"]')
    assert track.count() == 1
    # With JavaScript, js/early.js marks <html> before the page draws; wait for the page's
    # components too (they start after the load event), as the player's keys need them.
    js = page.evaluate("document.documentElement.classList.contains('ig-js')")
    if js:
        wait_for_enhanced(page)
        # Stop jumps to the come-up once the session is under way (issue 11).
        play_from_the_first_hold(page)
    tab_to(page, session.ui.stop_now, limit=60)
    page.keyboard.press("Enter")
    if js:
        # The player seeks the one track to the come-up chapter and shows its title.
        page.locator("[data-step-title]", has_text=session.steps.come_up.title).wait_for()
    else:
        # Without JavaScript the big Stop at the top (a form's button, so the address may end
        # in an empty "?") opens the come-up page, which plays it.
        page.wait_for_url(f"**/es/session/plan/{SPANISH_PLAN}/come-up*")
        assert session.steps.come_up.title in page.locator("main").inner_text()


def get_ready_es(context: BrowserContext, base: str, content: Content) -> None:
    """A screening with no known reason, the doctor confirmed, the plan chosen, every check
    passed."""
    screen(context, base, content, lang="es")
    pass_session_checks(context, base, content, SPANISH_PLAN, {}, lang="es")


@pytest.mark.parametrize("scripts", ["blocked", "running"])
def test_spanish_page_types_have_no_axe_violations(
    browser: Browser, live_server: LiveServer, content_es: Content, scripts: str
) -> None:
    """axe needs JavaScript, so "JavaScript off" is the app's own scripts blocked."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    if scripts == "blocked":
        context.route("**/*.js", lambda route: route.abort())
        context.route("**/*.js?*", lambda route: route.abort())
    page = context.new_page()
    base = f"{live_server.url}/es"
    narrated = ["/", "/screening", "/emergency", "/session"]
    for path in [*narrated, "/helping", "/offline", "/no-existe"]:
        page.goto(base + path)
        assert_spanish_page(page, clip=path in narrated)
        assert_no_axe_violations(page)
    page.goto(f"{base}/screening")
    press_button(page, content_es.ui.start_for_me)
    assert_spanish_page(page)
    assert_no_axe_violations(page)
    # The error state of a question page is narrated too.
    with page.expect_navigation():
        page.evaluate("document.querySelector('form[data-module=question]').requestSubmit()")
    assert page.title().startswith(content_es.ui.error_prefix)
    assert_spanish_page(page)
    assert_no_axe_violations(page)
    context.close()

    context = browser.new_context(viewport={"width": 390, "height": 844})
    if scripts == "blocked":
        context.route("**/*.js", lambda route: route.abort())
        context.route("**/*.js?*", lambda route: route.abort())
    get_ready_es(context, live_server.url, content_es)
    page = context.new_page()
    for path in [
        "/screening/check",
        "/screening/result",
        "/session",
        "/session/plans",
        f"/session/plan/{SPANISH_PLAN}/check/meal",
        f"/session/plan/{SPANISH_PLAN}/feedback",
    ]:
        page.goto(base + path)
        assert_spanish_page(page)
        assert_no_axe_violations(page)
    # Opening a check page started the checks again: pass them again before the player.
    get_ready_es(context, live_server.url, content_es)
    page.goto(f"{base}/session/plan/{SPANISH_PLAN}/play")
    assert page.locator('audio[src^="/audio/es/tracks/"]').count() == 1
    assert_no_axe_violations(page)
    page.get_by_role("link", name=content_es.session.ui.carer_view).click()
    # Without JavaScript the link loads another page, and click() returns once it commits:
    # at load 20 its body was not parsed yet when counted at once.
    expect(page.locator('audio[src^="/audio/es/tracks/"]')).to_have_count(1)
    assert_no_axe_violations(page)
    context.close()


def test_a_carers_offline_result_is_worded_and_spoken_for_a_carer_in_spanish(
    browser: Browser, live_server: LiveServer, content_es: Content
) -> None:
    """The on-device result (what the worker shows offline) after a check started "for
    someone I help": the carer's Spanish wording and the carer's Spanish clip."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/es/screening")
    wait_for_enhanced(page)
    with page.expect_navigation():
        page.get_by_role("button", name=content_es.ui.start_for_them).click()
    given = {q.id: "yes" if q.id == "glaucoma" else "no" for q in content_es.questions}
    page.evaluate("(a) => sessionStorage.setItem('ig.answers.es', JSON.stringify(a))", given)
    page.goto(f"{base}/es/screening/offline")
    wait_for_enhanced(page)
    wording = content_es.outcomes.avoid.they
    assert wording.title != content_es.outcomes.avoid.title
    expect(page.locator("h1")).to_have_text(wording.title)
    expect(page.locator(".ig-caption")).to_have_text(content_es.carer.result_title_they)
    expect(page.locator(".ig-lead")).to_have_text(wording.summary)
    expect(page.locator("#causes-title")).to_have_text(content_es.carer.result_causes_title_they)
    # The on-device result plays the outcome's clip as spoken (a save holds every one).
    clips = live_server.app.state.ig.clips
    clip = clips.url("es", clip_ids.outcome("avoid", Perspective.THEY), padded=False)
    assert clip
    expect(page.locator("[data-slot='narration'] audio")).to_have_attribute("src", clip)
    assert_spanish_page(page)
    assert_no_axe_violations(page)
    context.close()
