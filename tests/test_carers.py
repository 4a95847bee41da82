"""Carers all the way (issue 10): the perspective switch, the result page, the carer's
session track and view, the clinician summary and "Your sessions" (HTTP and script level)."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.config import Settings
from server.content import Content
from server.screening.rule import Answer, evaluate
from server.session.script import EMERGENCY, content_script
from tests.test_session_http import built_audio  # noqa: F401  (a module fixture)

PLAN = "first-20"


def screen(
    client: TestClient, content: Content, overrides: dict[str, str] | None = None, who: str = "you"
) -> None:
    overrides = overrides or {}
    client.post("/en/screening/start", data={"perspective": who})
    for q in content.questions:
        response = client.post(
            f"/en/screening/q/{q.id}", data={"answer": overrides.get(q.id, "no")}
        )
        assert response.status_code == 200


def get_ready(client: TestClient, content: Content, plan: str = PLAN) -> None:
    client.post("/en/session/clinician", data={"confirm": "yes"})
    client.post(f"/en/session/plan/{plan}/choose", data={"suggested": plan, "sessions": "0"})
    for check in content.session.checks:
        client.post(
            f"/en/session/plan/{plan}/check/{check.id}", data={"answer": check.go_on_answer}
        )


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def section(html: str, marker: str) -> str:
    return html.split(marker, 1)[1].split("</ul>", 1)[0]


# ---------------------------------------------------------------- perspective switch


def test_switching_perspective_keeps_the_answers_says_so_and_asks_again(
    client: TestClient, content: Content
) -> None:
    screen(client, content, {"eye-other": "yes"})
    assert client.post("/en/session/clinician", data={"confirm": "yes"}).status_code == 200
    page = client.get("/en/screening/result").text
    assert content.ui.perspective_you in text_of(page)
    assert 'action="/en/perspective"' in page
    response = client.post(
        "/en/perspective",
        data={"perspective": "they", "back": "/en/screening/result"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/en/screening/result"
    page = client.get("/en/screening/result").text
    words = text_of(page)
    assert content.carer.switched_to_they in words  # says so, once
    assert content.carer.switched_to_they not in text_of(client.get("/en/screening/result").text)
    assert content.ui.perspective_they in words
    # The answers are kept: the same outcome, now in the third person.
    assert content.outcomes.ask_first.they.title in words
    # The clinician's agreement was given in the other voice: asked again.
    gate = text_of(client.get("/en/session").text)
    assert content.session.ui.gate_ask_title in gate


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/x", "/fr/x", ""])
def test_the_switch_only_returns_to_a_page_of_this_app(client: TestClient, back: str) -> None:
    client.post("/en/screening/start", data={"perspective": "you"})
    response = client.post(
        "/en/perspective", data={"perspective": "they", "back": back}, follow_redirects=False
    )
    assert response.headers["location"] == "/en/"


def test_a_bad_perspective_is_a_400(client: TestClient) -> None:
    assert client.post("/en/perspective", data={"perspective": "me"}).status_code == 400


def test_no_switch_before_a_check_or_on_shared_pages(client: TestClient) -> None:
    assert 'action="/en/perspective"' not in client.get("/en/screening").text
    client.post("/en/screening/start", data={"perspective": "they"})
    assert 'action="/en/perspective"' not in client.get("/en/").text  # cacheable page


# ---------------------------------------------------------------- result page


def test_result_marks_the_causes_and_lists_the_others_apart(
    client: TestClient, content: Content
) -> None:
    answers = {"glaucoma": "yes", "eye-other": "yes", "spinal-curvature": "not-sure"}
    screen(client, content, answers)
    page = client.get("/en/screening/result").text
    causes = section(page, "data-result-causes")
    others = section(page, "data-result-others")
    assert "Glaucoma" in causes and causes.count("<li>") == 1
    assert others.count("<li>") == 2
    for qid in ("eye-other", "spinal-curvature"):
        q = content.question(qid)
        assert q is not None and q.title in unescape(others)
    assert content.carer.result_causes_title in page
    # Never a way to the session after "do not use"; always the summary, change, start again.
    assert 'href="/en/session"' not in page.split("ig-result-links", 1)[1]
    assert 'href="/en/screening/summary"' in page
    assert 'href="/en/screening/check"' in page
    assert 'action="/en/screening/restart"' in page


def test_result_leads_to_the_session_when_the_gate_is_open(
    client: TestClient, content: Content
) -> None:
    screen(client, content)
    page = client.get("/en/screening/result").text
    assert "data-result-session" in page and content.carer.result_session_link in page
    screen(client, content, {"eye-other": "yes"})
    assert "data-result-session" not in client.get("/en/screening/result").text
    client.post("/en/session/clinician", data={"confirm": "yes"})
    assert "data-result-session" in client.get("/en/screening/result").text
    urgent = next(q for q in content.questions if q.level.value == "urgent")
    screen(client, content, {urgent.id: "yes"})
    client.post("/en/session/clinician", data={"confirm": "yes"})
    assert "data-result-session" not in client.get("/en/screening/result").text


def test_result_speaks_to_a_carer_in_the_third_person(client: TestClient, content: Content) -> None:
    screen(client, content, {"glaucoma": "yes"}, who="they")
    page = client.get("/en/screening/result").text
    words = text_of(page)
    they = content.outcomes.avoid.they
    assert they.summary in words and all(step in words for step in they.next_steps)
    assert content.outcomes.avoid.summary not in words
    assert content.carer.result_causes_title_they in words
    q = content.question("glaucoma")
    assert q is not None and q.they in words
    assert "outcome.avoid.they" in page or content.ui.audio_missing in words


# ---------------------------------------------------------------- the carer's track


@pytest.mark.parametrize("plan_index", [0, 2, -1])
def test_the_carer_track_adds_helper_lines_and_every_track_opens_with_the_emergency(
    content: Content, plan_index: int
) -> None:
    plan = content.session.plans[plan_index]
    you = content_script(content, plan, "you")
    they = content_script(content, plan, "they")
    for script in (you, they):
        first = script.chapters[0]
        assert first.id == EMERGENCY
        assert [line.text for line in first.lines] == [line.say for line in content.emergency.short]
    said_you = [line.text for c in you.chapters for line in c.lines]
    said_they = [line.text for c in they.chapters for line in c.lines]
    assert not any(text.startswith("Helper:") for text in said_you)
    helper = [text for text in said_they if text.startswith("Helper:")]
    assert any("ankle lock" in t for t in helper)
    assert any("Watch for" in t for t in helper)
    assert any("to bring the table back" in t for t in helper)
    # The person on the table hears the same steps; the helper's lines are added.
    assert set(said_you) <= set(said_they)
    assert you.key != they.key
    assert f"{plan.angle} degrees" in next(t for t in helper if "tether" in t)


def test_carer_view_opens_by_default_and_plays_the_helpers_track(
    client: TestClient,
    settings: Settings,
    content: Content,
    built_audio: Path,  # noqa: F811
) -> None:
    shutil.copytree(built_audio, settings.audio_dir, dirs_exist_ok=True)
    screen(client, content, who="they")
    get_ready(client, content)
    response = client.get(f"/en/session/plan/{PLAN}/play", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/en/session/plan/{PLAN}/carer"
    page = client.get(f"/en/session/plan/{PLAN}/carer").text
    assert re.search(r'src="/audio/en/tracks/first-20-they-normal-[0-9a-f]{16}\.mp3"', page)
    assert "Helper: check the ankle lock" in page
    assert content.carer.carer_player_help in unescape(page)
    assert 'class="ig-session__bar"' in page
    assert f"/en/session/plan/{PLAN}/play?view=standard" in page
    standard = client.get(f"/en/session/plan/{PLAN}/play?view=standard")
    assert standard.status_code == 200 and "ig-session--carer" not in standard.text
    # The person's own track for someone answering for themselves.
    screen(client, content)
    get_ready(client, content)
    page = client.get(f"/en/session/plan/{PLAN}/play").text
    assert re.search(r'src="/audio/en/tracks/first-20-normal-[0-9a-f]{16}\.mp3"', page)
    assert "Helper: check the ankle lock" not in page


def test_carer_session_checks_are_in_the_third_person(client: TestClient, content: Content) -> None:
    screen(client, content, who="they")
    client.post("/en/session/clinician", data={"confirm": "yes"})
    client.post(f"/en/session/plan/{PLAN}/choose", data={"suggested": PLAN, "sessions": "0"})
    for check in content.session.checks:
        page = client.get(f"/en/session/plan/{PLAN}/check/{check.id}")
        if page.status_code != 200:
            continue
        words = text_of(page.text)
        assert check.they.format(angle=20) in words
        client.post(
            f"/en/session/plan/{PLAN}/check/{check.id}", data={"answer": check.go_on_answer}
        )


# ---------------------------------------------------------------- clinician summary


def test_summary_holds_every_answer_and_the_causes(client: TestClient, content: Content) -> None:
    answers = {"glaucoma": "yes", "eye-other": "not-sure"}
    screen(client, content, answers, who="they")
    response = client.get("/en/screening/summary")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    page = response.text
    rows = re.findall(r'<tr class="ig-summary__row[^"]*" data-question-id="([^"]+)"', page)
    assert rows == [q.id for q in content.questions]
    labels = {"yes": "Yes", "no": "No", "not-sure": "Not sure"}
    for q in content.questions:
        row = page.split(f'data-question-id="{q.id}"', 1)[1].split("</tr>", 1)[0]
        assert f"<strong>{labels[answers.get(q.id, 'no')]}</strong>" in row
        assert (content.carer.summary_caused_mark in row) == (q.id == "glaucoma")
    assert content.carer.summary_answered_by_they in page
    assert 'media="print"' in page and "css/print.css" in page
    assert 'data-module="session-history"' in page


def test_summary_text_download_is_never_cached(client: TestClient, content: Content) -> None:
    screen(client, content, {"glaucoma": "yes"})
    response = client.get("/en/screening/summary.txt")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"].startswith("text/plain")
    assert "attachment" in response.headers["content-disposition"]
    body = response.text
    outcome = evaluate(content.questions, {q.id: Answer.NO for q in content.questions})
    assert outcome.level.value == "no-known-reason"
    for n, q in enumerate(content.questions, start=1):
        assert f"{n}. {q.title}: " in body
    assert f"Glaucoma or raised eye pressure: Yes ({content.carer.summary_caused_mark})" in body


def test_summary_needs_a_finished_check(client: TestClient) -> None:
    assert client.get("/en/screening/summary", follow_redirects=False).status_code == 303
    assert client.get("/en/screening/summary.txt", follow_redirects=False).status_code == 303


def test_summary_read_aloud_uses_built_clips_of_titles_and_answers(
    client: TestClient,
    settings: Settings,
    content: Content,
    built_audio: Path,  # noqa: F811
) -> None:
    from server import speech

    texts = speech.summary_texts(content)
    for q in content.questions:
        assert texts[f"q.{q.id}.title"] == f"{q.title}:"
    # The answers are read from the answer-label clips every page shares.
    spoken = speech.narration_texts(content)
    assert {spoken["answer.yes"], spoken["answer.no"], spoken["answer.not-sure"]} == {
        "Yes.",
        "No.",
        "Not sure.",
    }
    assert set(texts) <= set(speech.narration_texts(content))


# ---------------------------------------------------------------- your sessions


def test_history_page_explains_the_history_lives_on_the_device(
    client: TestClient, content: Content
) -> None:
    page = client.get("/en/sessions")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert content.carer.history_needs_js in unescape(page.text)
    assert 'data-module="session-history"' in page.text
    client.post("/en/screening/start", data={"perspective": "they"})
    assert (
        f'<h1 class="ig-heading-l">{content.carer.history_title_they}</h1>'
        in client.get("/en/sessions").text
    )
