"""Described people through the screening in Chromium with JavaScript on: the answer
buttons clicked one question at a time (the page swaps each question in place), then the
check page and the result. Each gets the outcome the clinical decisions give; the same
table runs with JavaScript off in tests/test_described_people.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from server.content import Content
from server.content.perspective import Perspective
from tests.conftest import LiveServer
from tests.described_people import PEOPLE, Person

pytestmark = pytest.mark.browser

LABELS = {"yes": "Yes", "no": "No", "not-sure": "Not sure"}

# One person for each outcome, a carer, several reasons at once and "not sure" to a warning
# sign: a whole screening in a browser takes 32 round trips, and the decision is the server's
# (the same code whichever way the answers come), so the full table of 51 runs through the
# forms with JavaScript off (tests/test_described_people.py) and these through the page's own
# script.
IN_THE_BROWSER = {
    "legs-getting-weaker-carer",  # emergency, a carer
    "cancer-new-pain",  # urgent, two reasons
    "faints-on-standing",  # avoid
    "eighty-five",  # check first
    "assessed-and-well",  # no known reason
    "new-carer-knows-little",  # check first, "not sure" to a warning sign, four reasons
}
assert {p.key for p in PEOPLE} >= IN_THE_BROWSER, "a name here is not in the table"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    # Voice off, as a screen-reader user would choose: the answers are what is tested here.
    context.add_init_script("try { localStorage.setItem('ig.voice', 'off'); } catch (e) {}")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.parametrize(
    "person", [p for p in PEOPLE if p.key in IN_THE_BROWSER], ids=lambda p: p.key
)
def test_each_person_gets_the_decided_outcome_with_javascript_on(
    page: Page, live_server: LiveServer, content: Content, person: Person
) -> None:
    page.goto(f"{live_server.url}/en/screening")
    page.wait_for_function("() => document.body.classList.contains('js-enabled')")
    start = content.ui.start_for_them if person.perspective == "they" else content.ui.start_for_me
    page.get_by_role("button", name=start, exact=True).click()
    heading = page.locator("h1")
    for question in content.questions:
        asked = question.they if person.perspective == "they" else question.you
        expect(heading).to_have_text(asked)
        answer = LABELS[person.answers.get(question.id, "no")]
        page.get_by_role("button", name=answer, exact=True).click()
    expect(heading).to_have_text(content.ui.check_title)
    page.get_by_role("link", name=content.ui.see_result, exact=True).click()
    wording = content.outcome_text(person.expected).for_perspective(Perspective(person.perspective))
    outcome = page.locator(".ig-outcome")
    expect(outcome.locator("h1")).to_have_text(wording.title)
    expect(outcome.locator("#outcome-text li")).to_have_text(wording.next_steps)
    not_sure = page.locator("#red-flag-not-sure")
    expect(not_sure).to_have_count(1 if person.red_flag_not_sure else 0)
