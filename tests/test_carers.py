"""Carers all the way (issue 10): the perspective switch, the result page, the carer's
session track and view, the clinician summary and "Your sessions" (HTTP and script level)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.config import ROOT, Settings
from server.content import Content, load_all
from server.content.carer import HELPER_STEPS
from server.content.perspective import Perspective
from server.content.session_ui import SessionUi
from server.screening.rule import Answer, evaluate
from server.speech import texts as speech
from server.speech.script import EMERGENCY, content_script
from tests.test_session_http import (
    built_audio,  # noqa: F401  (a module fixture)
    screen,
)

PLAN = "first-20"


def get_ready(client: TestClient, content: Content, plan: str = PLAN) -> None:
    client.post("/en/session/clinician", data={"answer": "agreed"})
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
    assert client.post("/en/session/clinician", data={"answer": "agreed"}).status_code == 200
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
    assert content.session.ui.gate_ask_title_they in gate


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
    client.post("/en/session/clinician", data={"answer": "agreed"})
    assert "data-result-session" in client.get("/en/screening/result").text
    urgent = next(q for q in content.questions if q.level.value == "urgent")
    screen(client, content, {urgent.id: "yes"})
    client.post("/en/session/clinician", data={"answer": "agreed"})
    assert "data-result-session" not in client.get("/en/screening/result").text


def test_result_speaks_to_a_carer_in_the_third_person(client: TestClient, content: Content) -> None:
    screen(client, content, {"glaucoma": "yes"}, who="they")
    page = client.get("/en/screening/result").text
    words = text_of(page)
    they = content.outcomes.avoid.they
    assert they.summary in words and all(step in words for step in they.next_steps)
    assert content.outcomes.avoid.summary not in words
    assert content.carer.result_causes_title_they in words
    assert content.carer.disclaimer_they in words and content.disclaimer not in words
    q = content.question("glaucoma")
    assert q is not None and q.they in words
    assert "outcome.avoid.they" in page or content.ui.audio_missing in words


# ---------------------------------------------------------------- the carer's track


@pytest.mark.parametrize("plan_index", [0, 2, -1])
def test_the_carer_track_adds_helper_lines_and_every_track_opens_with_the_emergency(
    content: Content, plan_index: int
) -> None:
    plan = content.session.plans[plan_index]
    you = content_script(content, plan, Perspective.YOU)
    they = content_script(content, plan, Perspective.THEY)
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


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_helper_of_someone_who_does_not_answer_brings_the_table_level_at_once(
    lang: str,
) -> None:
    """Decision 18: the helper lines and the carer view's hint never tell the helper of a
    person who faints or does not answer to press Stop (which waits on the track): they
    bring the table level at once. Stop stays for a person who can say they feel unwell. The
    helper watches for the stop signs of decision 17 too."""
    content = load_all(ROOT / "content")[lang]
    words = {
        "en": ("do not answer", "bring the table level at once", "press Stop", "call"),
        "es": ("no le contesta", "ponga la mesa en horizontal enseguida", "pulse Pare", "llame"),
    }[lang]
    not_answering, level_at_once, stop, call = words
    helper = content.carer.helper
    lines = [line.say for step in HELPER_STEPS for line in helper.for_step(step)]
    for text in [*lines, content.session.ui.carer_hint]:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            assert not (not_answering in sentence and stop in sentence), sentence
    answering = [t for t in lines if not_answering in t]
    assert answering and all(level_at_once in t.lower() for t in answering), answering
    assert any(content.emergency.number in t and call in t.lower() for t in lines)
    assert level_at_once in content.session.ui.carer_hint.lower()
    assert content.emergency.number in content.session.ui.carer_hint
    watch = next(t for t in lines if stop in t and not_answering not in t)
    sight, chest, breath = {
        "en": ("sight", "chest", "breathlessness"),
        "es": ("vista", "pecho", "falta de aire"),
    }[lang]
    assert sight in watch and chest in watch and breath in watch


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
    # The standard view speaks to the carer too: the screen stays in view.
    help_text = content.session.ui.for_perspective(Perspective.THEY).player_help
    assert help_text in unescape(standard.text) and "phone away" not in standard.text
    # The person's own track for someone answering for themselves.
    screen(client, content)
    get_ready(client, content)
    page = client.get(f"/en/session/plan/{PLAN}/play").text
    assert re.search(r'src="/audio/en/tracks/first-20-normal-[0-9a-f]{16}\.mp3"', page)
    assert "Helper: check the ankle lock" not in page


def test_carer_session_checks_are_in_the_third_person(client: TestClient, content: Content) -> None:
    screen(client, content, who="they")
    client.post("/en/session/clinician", data={"answer": "agreed"})
    client.post(f"/en/session/plan/{PLAN}/choose", data={"suggested": PLAN, "sessions": "0"})
    for check in content.session.checks:
        page = client.get(f"/en/session/plan/{PLAN}/check/{check.id}")
        if page.status_code != 200:
            continue
        words = text_of(page.text)
        assert check.they.format(angle=20) in words
        ui = content.session.ui
        assert ui.check_title_they in words and ui.check_title not in words, check.id
        client.post(
            f"/en/session/plan/{PLAN}/check/{check.id}", data={"answer": check.go_on_answer}
        )


# ---------------------------------------------------------------- every session page, for a carer


@dataclass(frozen=True)
class CarerPage:
    """One session page as a carer sees it, and what it must (and must not) say."""

    name: str
    html: str
    clip: str  # the clip the page plays for a carer
    they: list[str]  # said about the person, on the page and, for the clip's text, spoken
    you: list[str]  # the same sentences said to the person: never shown to a carer
    spoken: list[str] = field(default_factory=list)  # in the clip's text


# The carer's wording and the person's wording of the same sentences.
Wording = tuple[list[str], list[str]]


def plus(*parts: Wording) -> Wording:
    return [t for they, _ in parts for t in they], [t for _, you in parts for t in you]


# Second-person sentences the issue named, as a readable guard beside the content-driven check.
NEVER_TO_A_CARER = (
    "your first session",
    "How did that feel?",
    "how you feel now",
    "Because of your answer",
    "Your check found",
    "Suggested for you",
    "Your answer is saved",
    "Your sessions are saved",
    "For your first sessions",
    "Your result",
)


def carer_session_pages(client: TestClient, content: Content) -> list[CarerPage]:
    """Walk the guided session as a carer: each gate, the plan choice, a stop, the feedback."""
    lang = content.language
    ui = content.session.ui
    carer = content.carer
    pages: list[CarerPage] = []

    def forms(*keys: str) -> Wording:
        """The carer's and the person's wording of ``session.ui`` strings (lists flattened)."""
        they: list[str] = []
        you: list[str] = []
        for key in keys:
            for out, name in ((they, f"{key}_they"), (you, key)):
                value = getattr(ui, name)
                out.extend(value if isinstance(value, list) else [value])
        return they, you

    def add(name: str, html: str, clip: str, wording: Wording, spoken: int = 1) -> None:
        """``spoken``: how many of the carer's sentences, from the first, the clip says."""
        they, you = wording
        # Sentences both perspectives share ("The check is not a medical examination") are
        # not second person: only the ones that differ must be absent.
        you = [text for text in you if text not in they]
        pages.append(CarerPage(name, html, clip, they, you, they[:spoken]))

    def gate() -> str:
        return client.get(f"/{lang}/session").text

    def level(kind: str) -> str:
        return next(q.id for q in content.questions if q.level.value == kind)

    result: Wording = ([carer.result_title_they], [content.ui.result_title])
    client.post(f"/{lang}/screening/start", data={"perspective": "they"})
    add("gate none", gate(), "session.gate.none.they", forms("gate_none_body"))
    for kind, outcome in (("urgent", content.outcomes.urgent), ("avoid", content.outcomes.avoid)):
        screen(client, content, {level(kind): "yes"}, who="they")
        steps = (list(outcome.they.next_steps), list(outcome.next_steps))
        wording = plus(forms(f"gate_{kind}_body"), steps, result)
        add(f"gate {kind}", gate(), f"session.gate.{kind}.they", wording)
    screen(client, content, {level("ask-first"): "yes"}, who="they")
    wording = forms("gate_ask_title", "gate_ask_body", "gate_ask_question")
    add("gate ask-first", gate(), "session.gate.ask-first.they", wording, spoken=2)
    client.post(f"/{lang}/session/clinician", data={"answer": "agreed"})
    # How the session works is said the same way to whoever holds the phone.
    wording = forms("gate_ask_confirmed", "device_only", "lead")
    add("gate open after a clinician", gate(), "session.gate.open", wording, spoken=0)

    screen(client, content, who="they")
    wording = plus(forms("doctor_title", "doctor_body", "doctor_question"), result)
    add("gate doctor", gate(), "session.doctor.they", wording, spoken=1 + len(ui.doctor_body))
    client.post(f"/{lang}/session/clinician", data={"answer": "agreed"})
    wording = forms("doctor_confirmed", "device_only", "lead")
    add("gate open", gate(), "session.gate.open", wording, spoken=0)

    plans = client.get(f"/{lang}/session/plans").text
    add("plans", plans, "session.plans.they", forms("plans_lead", "suggested_tag"))
    first = content.session.ladder[0]

    def choose(plan: str, sessions: int) -> str:
        form = {"suggested": first.id, "sessions": str(sessions)}
        return client.post(f"/{lang}/session/plan/{plan}/choose", data=form).text

    wording = forms("first_only_body")
    add("first plans only", choose("first-30", 0), "session.first-only.they", wording)
    wording = forms("beyond_body")
    add("beyond", choose("full-60", 3), "session.beyond.they", wording, len(wording[0]))
    wording = forms("ahead_body")
    add("ahead", choose("first-20-long", 3), "session.ahead.they", wording, len(wording[0]))

    choose(first.id, 0)
    check = next(c for c in content.session.checks if c.stop_on == "no")
    stop = client.post(f"/{lang}/session/plan/{first.id}/check/{check.id}", data={"answer": "no"})
    wording = plus(forms("stop_title"), ([check.they_if_no], [check.if_no]), forms("stop_body"))
    add("stop", stop.text, f"session.stop.{check.id}.they", wording, spoken=2)

    feedback = f"/{lang}/session/plan/{first.id}/feedback"
    title: Wording = ([carer.feedback_title_they], [ui.feedback_title])
    asked = plus(title, ([carer.feedback_lead_they], [ui.feedback_lead]))
    add("feedback", client.get(feedback).text, "session.feedback.they", asked, spoken=2)
    error = client.post(feedback, data={}).text
    add("feedback error", error, "session.feedback.they", asked, spoken=2)
    saved = plus(forms("device_only"), ([carer.feedback_saved_they], [ui.feedback_saved]))
    for feeling in content.session.feelings:
        advice = (list(carer.feelings_they[feeling.id].advice), list(feeling.advice))
        wording = plus(advice, saved, title)
        answered = client.post(feedback, data={"feeling": feeling.id}).text
        clip = f"session.feeling.{feeling.id}.they"
        add(f"feeling {feeling.id}", answered, clip, wording, spoken=len(advice[0]))

    # After "dizzy" and "pain" above, the next session asks whether a clinician was told and
    # agreed (decision 20); "not yet" and "they said not to" keep it closed (decision 14).
    wording = forms("tell_body", "tell_question", "clinician_not_asked")
    add("gate tell", gate(), "session.gate.tell.they", wording, spoken=len(ui.tell_body))
    answer = f"/{lang}/session/clinician"
    not_yet = client.post(answer, data={"answer": "not-asked"}).text
    wording = forms("tell_not_yet_body")
    add("tell not yet", not_yet, "session.gate.tell-not-yet.they", wording, len(wording[0]))
    said_no = client.post(answer, data={"answer": "said-no"}).text
    wording = forms("said_no_body")
    add("said no", said_no, "session.gate.said-no.they", wording, len(wording[0]))
    screen(client, content, who="they")
    not_asked = client.post(answer, data={"answer": "not-asked"}).text
    wording = forms("not_asked_body")
    add("not asked", not_asked, "session.gate.not-asked.they", wording, len(wording[0]))
    return pages


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_session_page_speaks_of_the_person_to_a_carer(
    client: TestClient, request: pytest.FixtureRequest, lang: str
) -> None:
    """A carer reads and hears each gate, the plan choice, a stop and the feedback in the
    third person; each page plays the carer's clip, and every clip a page names is narrated."""
    content: Content = request.getfixturevalue("content" if lang == "en" else "content_es")
    narrated = speech.narration_texts(content)
    pages = carer_session_pages(client, content)
    assert len(pages) == 22
    for page in pages:
        words = text_of(page.html)
        for text in page.they:
            assert text in words, (page.name, text)
        for text in page.you:
            assert text not in words, (page.name, text)
        if lang == "en":
            for phrase in NEVER_TO_A_CARER:
                assert phrase not in words, (page.name, phrase)
        clips = re.findall(r'data-clip-id="([^"]+)"', page.html)
        assert page.clip in clips, (page.name, clips)
        assert set(clips) <= set(narrated), (page.name, clips)  # no page names an unbuilt clip
        for text in page.spoken:
            assert text in narrated[page.clip], (page.name, text)
    # The plan choice's reasons are filled in on the device, from strings the page carries.
    plans = next(p for p in pages if p.name == "plans").html
    found = re.search(r'data-plans="([^"]+)"', plans)
    assert found
    strings = json.loads(unescape(found.group(1)))["strings"]
    ui = content.session.ui
    assert strings["held-back"] == ui.reason_held_back_they
    assert strings["continue"] == ui.reason_continue_they
    assert strings["move-on"] == ui.reason_move_on_they


def test_every_carer_form_has_the_form_it_replaces(content: Content, content_es: Content) -> None:
    """``SessionUi.for_perspective`` swaps ``<name>_they`` in for ``<name>``: each carer form
    needs its base string, and for a person the strings are unchanged."""
    fields = SessionUi.model_fields
    carer_forms = [name for name in fields if name.endswith("_they")]
    assert len(carer_forms) >= 20
    for name in carer_forms:
        assert name.removesuffix("_they") in fields, name
    for each in (content, content_es):
        ui = each.session.ui
        assert ui.for_perspective(Perspective.YOU) == ui
        they = ui.for_perspective(Perspective.THEY)
        for name in carer_forms:
            assert getattr(they, name.removesuffix("_they")) == getattr(ui, name)


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


def test_summary_and_history_speak_to_a_carer_of_the_person(
    client: TestClient, content: Content
) -> None:
    carer = content.carer
    screen(client, content, {"glaucoma": "yes"}, who="they")
    words = text_of(client.get("/en/screening/summary").text)
    assert carer.result_print_hint_they in words and content.ui.result_print_hint not in words
    words = text_of(client.get("/en/sessions").text)
    assert carer.history_needs_js_they in words and carer.history_needs_js not in words
    screen(client, content, {"glaucoma": "yes"})
    assert carer.history_needs_js in text_of(client.get("/en/sessions").text)


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
    from server.speech import texts as speech

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
