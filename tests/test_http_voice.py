"""Issue 11 over HTTP: question page order and spoken list, the check page's spoken list, the
intro that never wipes answers silently, the come-up page reached without JavaScript, and
the new clips."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.content import Content
from server.content.perspective import PERSPECTIVES, Perspective
from server.speech import clip_ids
from server.speech import texts as speech
from server.speech.texts import narration_texts
from tests.test_session_http import confirm_doctor, pass_checks, screen


@pytest.fixture(scope="module")
def built_audio(quiet_audio_dir: Path) -> Path:
    """The whole library as exact silence (conftest): these tests check which clips a page
    names, not how they sound."""
    return quiet_audio_dir


def with_clips(settings: Settings, built: Path) -> TestClient:
    """A client of an app started after the clips are there (the catalogue loads once)."""
    shutil.copytree(built, settings.audio_dir, dirs_exist_ok=True)
    return TestClient(create_app(settings))


def playlist(text: str) -> list[dict[str, object]]:
    found = re.search(r'data-playlist="([^"]+)"', text)
    assert found, "no data-playlist"
    items: list[dict[str, object]] = json.loads(html.unescape(found.group(1)))
    return items


def test_new_clips_are_narrated(content: Content) -> None:
    texts = narration_texts(content)
    total = len(content.questions)
    assert texts[clip_ids.counter(3)] == f"Question 3 of {total}."
    assert texts[clip_ids.ANSWER_PROMPT] == content.ui.answer_prompt
    assert texts[clip_ids.answer("not-sure")] == "Not sure."
    assert texts[clip_ids.SESSION_ARRIVAL] == content.session.ui.arrival
    assert texts[clip_ids.HELPING] == f"{content.ui.helping_someone}. {content.ui.perspective_they}"


def test_the_helping_page_is_spoken_too(client: TestClient, content: Content) -> None:
    page = client.get("/en/helping").text
    assert 'data-clip-id="helping"' in page and 'data-text-id="helping-text"' in page
    assert content.ui.perspective_they in page


def test_question_page_answers_first_then_why_and_voice(
    client: TestClient, settings: Settings, content: Content, built_audio: Path
) -> None:
    client = with_clips(settings, built_audio)
    client.post("/en/screening/start", data={"perspective": "you"})
    q = content.questions[2]
    text = client.get(f"/en/screening/q/{q.id}").text
    order = [
        text.index('id="question-text"'),
        text.index('id="answer-prompt"'),
        text.index('id="answer-yes"'),
        text.index('id="answer-not-sure"'),
        text.index(f'id="why-{q.id}"'),
        text.index('data-module="narration"'),
    ]
    assert order == sorted(order)
    items = playlist(text)
    assert [i["text"] for i in items] == ["question-counter", "question-text", "answer-prompt"]
    assert all(i["normal"] for i in items)
    assert [i["main"] for i in items] == [False, True, False]
    assert 'data-action="why"' in text and 'data-why-src="/audio/en/' in text
    # A previous answer shows as pressed.
    client.post(f"/en/screening/q/{q.id}", data={"answer": "no"})
    text = client.get(f"/en/screening/q/{q.id}").text
    assert re.search(r'value="no" id="answer-no"[^>]*aria-pressed="true"', text)
    assert re.search(r'value="yes" id="answer-yes"[^>]*aria-pressed="false"', text)


def test_error_page_speaks_the_error_not_the_question(client: TestClient, content: Content) -> None:
    client.post("/en/screening/start", data={"perspective": "you"})
    text = client.post(f"/en/screening/q/{content.questions[0].id}", data={}).text
    assert 'data-clip-id="error.no-answer"' in text
    assert 'data-text-id="error-summary-text"' in text


def test_check_page_speaks_each_question_and_its_answer(
    client: TestClient, settings: Settings, content: Content, built_audio: Path
) -> None:
    client = with_clips(settings, built_audio)
    screen(client, content, {content.questions[1].id: "not-sure"})
    text = client.get("/en/screening/check").text
    items = playlist(text)
    assert len(items) == 1 + 2 * len(content.questions)
    assert items[3]["text"] == f"check-q-{content.questions[1].id}"
    assert items[4]["text"] == f"check-a-{content.questions[1].id}"
    assert items[4]["normal"] == client.app.state.ig.clips.url("en", "answer.not-sure")  # type: ignore[attr-defined]
    assert f'id="check-a-{content.questions[1].id}">Not sure<' in text


@pytest.mark.parametrize("perspective", PERSPECTIVES)
def test_result_says_the_warning_sign_line_after_the_outcome(
    client: TestClient,
    settings: Settings,
    content: Content,
    built_audio: Path,
    perspective: Perspective,
) -> None:
    """A warning sign answered Not sure: the "ask a doctor today" line is on the result page and
    spoken right after the outcome, in the outcome's own clip (one clip a result, so which
    clip plays, and how many, tells nothing), to whoever answered."""
    client = with_clips(settings, built_audio)
    clips = client.app.state.ig.clips  # type: ignore[attr-defined]
    urgent = next(q for q in content.questions if q.level.value == "urgent")
    screen(client, content, who=perspective)
    calm = client.get("/en/screening/result").text
    assert 'id="red-flag-not-sure"' not in calm and "data-playlist" not in calm
    level = "no-known-reason" if "No known reason" in calm else "ask-first"
    assert clips.url("en", clip_ids.outcome(level, perspective)) in calm

    screen(client, content, {urgent.id: "not-sure"}, who=perspective)
    text = client.get("/en/screening/result").text
    line = getattr(content.outcomes.red_flag_not_sure, perspective)
    assert f'id="red-flag-not-sure">{html.escape(line)}<' in text
    assert "data-playlist" not in text
    level = "no-known-reason" if "No known reason" in text else "ask-first"
    said = clips.url("en", clip_ids.outcome(level, perspective, not_sure=True))
    assert said and f'src="{said}"' in text
    # The clip says the outcome, then the line, as the page shows them.
    assert speech.outcome_speech(content, level, perspective, not_sure=True).endswith(line)
    assert 'aria-describedby="outcome-spoken"' in text


def test_start_with_answers_in_progress_offers_to_continue(
    client: TestClient, content: Content
) -> None:
    assert "Continue the check" not in client.get("/en/screening").text
    client.post("/en/screening/start", data={"perspective": "you"})
    client.post(f"/en/screening/q/{content.questions[0].id}", data={"answer": "no"})
    page = client.get("/en/screening")
    assert page.headers["cache-control"] == "no-store"
    assert "You have answered 1 of 32 questions" in page.text
    assert f'href="/en/screening/q/{content.questions[1].id}">Continue the check' in page.text
    # So does "I am helping someone", the other way to a new check (it wiped them unasked).
    page = client.get("/en/helping")
    assert page.headers["cache-control"] == "no-store"
    assert "You have answered 1 of 32 questions" in page.text
    assert f'href="/en/screening/q/{content.questions[1].id}">Continue the check' in page.text
    client.post("/en/screening/restart")
    assert "Continue the check" not in client.get("/en/helping").text


def test_home_title_is_not_doubled(client: TestClient) -> None:
    assert "<title>Inversion Guide</title>" in client.get("/en/").text


def test_come_up_page_plays_the_track_from_the_come_up(
    client: TestClient, settings: Settings, content: Content, built_audio: Path
) -> None:
    page = client.get("/en/session/plan/first-20/come-up")
    assert page.status_code == 200
    assert "Come up now" in page.text and "<audio" not in page.text  # no track: the text
    shutil.copytree(built_audio, settings.audio_dir, dirs_exist_ok=True)
    page = client.get("/en/session/plan/first-20/come-up?speed=slow")
    index = json.loads((settings.audio_dir / "en" / "tracks" / "index.json").read_text())
    entry = index["tracks"]["first-20"]["slow"]
    doc = json.loads((settings.audio_dir / "en" / "tracks" / entry["chapters"]).read_text())
    come_up = next(c for c in doc["chapters"] if c["id"] == "come-up")
    assert f'src="/audio/en/tracks/{entry["file"]}#t={come_up["start"]:.2f}"' in page.text
    assert re.search(r"<audio[^>]* controls autoplay", page.text)
    # Everything the track says from there to its end is on the page: come up, rest with the
    # head down, sit up, cool down.
    after = doc["chapters"][doc["chapters"].index(come_up) :]
    assert [c["id"] for c in after][:3] == ["come-up", "rest", "sit-up"]
    for chapter in after:
        assert str(html.escape(chapter["title"], quote=True)) in page.text
        for line in chapter["lines"]:
            if line["kind"] != "pause":
                assert str(html.escape(line["text"], quote=True)) in page.text
    assert client.get("/en/session/plan/nope/come-up").status_code == 404
    # The player's Stop opens it without JavaScript, keeping the speed.
    screen(client, content)
    confirm_doctor(client)
    pass_checks(client, content)
    text = client.get("/en/session/plan/first-20/play?speed=slow").text
    assert 'action="/en/session/plan/first-20/come-up"' in text
    assert '<input type="hidden" name="speed" value="slow">' in text
    # So does the carer view's one Stop, at the top: a button of a form to the same page
    # (never "#step-..."), keeping the speed; the standard layout's, further down, is hidden
    # there by CSS.
    text = client.get("/en/session/plan/first-20/carer?speed=slow").text
    bar = text[text.index('class="ig-session__bar-controls"') : text.index("ig-session__now")]
    assert 'action="/en/session/plan/first-20/come-up"' in bar
    assert '<input type="hidden" name="speed" value="slow">' in bar
    assert re.search(r'<button type="submit" class="[^"]*ig-session__bar-stop"', bar)
    assert "<a " not in bar
