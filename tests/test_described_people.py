"""Every described person through the real screening with JavaScript off (form posts, as a
browser without scripts sends them), English and Spanish: each gets the outcome the
clinical decisions give, never a less cautious one, and the session stays closed above
"Check with your clinician first". The same people run in Chromium with JavaScript on in
tests/test_browser_described_people.py."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.content import Content
from server.content.perspective import Perspective
from server.screening import Answer, OutcomeLevel, evaluate
from tests.described_people import PEOPLE, Person

LEVELS = {level.value: level for level in OutcomeLevel}


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the whole table (its start-up is most of a test's time)."""
    audio = tmp_path_factory.mktemp("audio")
    with TestClient(create_app(Settings(audio_dir=Path(audio), secret_key="people"))) as c:
        yield c


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    """A new visitor each time: no cookie from the person before."""
    app_client.cookies.clear()
    return app_client


def answer_as(client: TestClient, content: Content, person: Person, lang: str = "en") -> str:
    """The screening answered for ``person`` through the pages, one question at a time, as
    the forms post; returns the result page's HTML."""
    response = client.post(f"/{lang}/screening/start", data={"perspective": person.perspective})
    for question in content.questions:
        assert str(response.url).endswith(f"/{lang}/screening/q/{question.id}"), response.url
        answer = person.answers.get(question.id, "no")
        response = client.post(str(response.url), data={"answer": answer})
        assert response.status_code == 200
    assert str(response.url).endswith(f"/{lang}/screening/check")
    result = client.get(f"/{lang}/screening/result")
    assert result.status_code == 200
    return result.text


def test_the_table_covers_every_decision_and_the_hard_cases(content: Content) -> None:
    """At least 40 people; every level; every third-pass question answered Yes by someone;
    carers, "not sure" and several reasons at once among them."""
    assert len(PEOPLE) >= 40 and len({p.key for p in PEOPLE}) == len(PEOPLE)
    assert {p.expected for p in PEOPLE} == set(LEVELS)
    ids = {q.id for q in content.questions}
    third_pass = {"red-flags", "red-flags-today", "red-flags-history", "age", "thin-bones"}
    third_pass |= {"breathing", "circulation", "weight-joints", "can-tell"}
    for person in PEOPLE:
        assert set(person.answers) <= ids, person.key
        assert set(person.answers.values()) <= {"yes", "not-sure"}, person.key
    said_yes = {q for p in PEOPLE for q, a in p.answers.items() if a == "yes"}
    assert third_pass <= said_yes
    assert sum(p.perspective == "they" for p in PEOPLE) >= 8
    assert sum("not-sure" in p.answers.values() for p in PEOPLE) >= 5
    assert sum(len(p.answers) >= 3 for p in PEOPLE) >= 5


@pytest.mark.parametrize("person", PEOPLE, ids=lambda p: p.key)
def test_each_person_gets_the_decided_outcome_and_never_less(
    client: TestClient, content: Content, person: Person
) -> None:
    expected = LEVELS[person.expected]
    answers = {q.id: Answer(person.answers.get(q.id, "no")) for q in content.questions}
    outcome = evaluate(content.questions, answers)
    assert outcome.level is expected, person.who
    assert outcome.level.severity >= expected.severity  # never less cautious

    page = answer_as(client, content, person)
    wording = content.outcome_text(person.expected).for_perspective(Perspective(person.perspective))
    assert f'<h1 class="ig-heading-xl">{html.escape(wording.title)}</h1>' in page, person.who
    for step in wording.next_steps:
        assert html.escape(step) in page, (person.key, step)
    not_sure_line = content.outcomes.red_flag_not_sure
    line = not_sure_line.they if person.perspective == "they" else not_sure_line.you
    assert (html.escape(line) in page) is person.red_flag_not_sure, person.key

    # The summary for the clinician says the same outcome, as a page and as text.
    summary = client.get("/en/screening/summary")
    assert summary.status_code == 200 and html.escape(wording.title) in summary.text
    assert wording.title in client.get("/en/screening/summary.txt").text

    # Above "Check with your clinician first" the guided session never opens, and a
    # confirmation posted anyway does not change that.
    gate = client.get("/en/session")
    if expected.severity > OutcomeLevel.ASK_FIRST.severity:
        client.post("/en/session/clinician", data={"answer": "agreed"})
        gate = client.get("/en/session")
        assert "Choose a plan" not in gate.text and "/en/session/plans" not in gate.text


IN_SPANISH = {"both-legs-tingling", "carer-fever", "eighty-five", "dementia-carer", "unsure-fever"}
SPANISH = [p for p in PEOPLE if p.key in IN_SPANISH]


@pytest.mark.parametrize("person", SPANISH, ids=lambda p: p.key)
def test_spanish_speakers_get_the_same_outcomes(
    client: TestClient, content_es: Content, person: Person
) -> None:
    page = answer_as(client, content_es, person, lang="es")
    wording = content_es.outcome_text(person.expected).for_perspective(
        Perspective(person.perspective)
    )
    assert html.escape(wording.title) in page
    for step in wording.next_steps:
        assert html.escape(step) in page, (person.key, step)
