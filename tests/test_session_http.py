"""The guided session through HTTP: the gate at each outcome, checks, player, carer, feedback."""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
import time
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

if TYPE_CHECKING:
    from httpx2 import Response

from server.config import Settings
from server.content import Content
from server.content.perspective import PERSPECTIVES, Perspective
from server.session import gate as session_gate
from server.speech.script import content_script
from server.views.session_helpers import clock_text


def screen(
    client: TestClient, content: Content, overrides: dict[str, str] | None = None, who: str = "you"
) -> None:
    """Answer the whole screening in the content's language, for ``who`` (No unless
    overridden)."""
    overrides = overrides or {}
    lang = content.language
    client.post(f"/{lang}/screening/start", data={"perspective": who})
    for q in content.questions:
        response = client.post(
            f"/{lang}/screening/q/{q.id}", data={"answer": overrides.get(q.id, "no")}
        )
        assert response.status_code == 200


def confirm_doctor(client: TestClient, lang: str = "en") -> None:
    """After "no known reason": the user says a doctor or clinician agreed (decision 14)."""
    client.post(f"/{lang}/session/clinician", data={"answer": "agreed"})


def choose(
    client: TestClient, plan: str, suggested: str = "first-20", sessions: int = 0, **extra: str
) -> Response:
    data = {"suggested": suggested, "sessions": str(sessions), **extra}
    return client.post(f"/en/session/plan/{plan}/choose", data=data, follow_redirects=False)


def pass_checks(client: TestClient, content: Content, plan: str = "first-20") -> str:
    """Choose ``plan`` (as a device whose history suggests it), then answer every check."""
    chosen = choose(client, plan, suggested=plan, sessions=5)
    assert chosen.status_code == 303, chosen.text
    url = ""
    for check in content.session.checks:
        response = client.post(
            f"/en/session/plan/{plan}/check/{check.id}", data={"answer": check.go_on_answer}
        )
        assert response.status_code == 200
        url = str(response.url)
    return url


def location(client: TestClient, url: str) -> str:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 303, (url, response.status_code)
    return response.headers["location"]


@pytest.fixture(scope="module")
def built_audio(quiet_audio_dir: Path) -> Path:
    return quiet_audio_dir


def test_home_offers_the_guided_session(client: TestClient) -> None:
    page = client.get("/en/")
    assert 'href="/en/session"' in page.text and "Guided session" in page.text


def test_gate_without_a_screening_asks_for_the_check(client: TestClient) -> None:
    page = client.get("/en/session")
    assert page.status_code == 200
    assert "Take the check first" in page.text and 'href="/en/screening"' in page.text
    assert "/en/session/plans" not in page.text
    for url in ("/en/session/plans", "/en/session/plan/first-20/check/height"):
        assert location(client, url) == "/en/session"


def test_gate_after_do_not_use_inversion_is_closed_and_says_what_to_do(
    client: TestClient, content: Content
) -> None:
    screen(client, content, {"glaucoma": "yes", "implants": "yes"})
    page = client.get("/en/session")
    assert "The guided session is not offered" in page.text
    assert "known reason to avoid inversion" in page.text
    for question_id in ("glaucoma", "implants"):
        question = content.question(question_id)
        assert question is not None and str(escape(question.title)) + ":" in page.text
    for step in content.outcomes.avoid.next_steps:
        assert str(escape(step)) in page.text
    assert "/en/session/plans" not in page.text and "/en/session/clinician" not in page.text
    # Saying a clinician agreed changes nothing after "do not use inversion".
    client.post("/en/session/clinician", data={"answer": "agreed"})
    assert "The guided session is not offered" in client.get("/en/session").text
    for url in (
        "/en/session/plans",
        "/en/session/plan/first-20/check/height",
        "/en/session/plan/first-20/play",
        "/en/session/plan/first-20/carer",
    ):
        assert location(client, url) == "/en/session"
    blocked = client.post(
        "/en/session/plan/first-20/check/height", data={"answer": "yes"}, follow_redirects=False
    )
    assert blocked.headers["location"] == "/en/session"


def test_gate_after_ask_first_opens_once_a_clinician_agreed_to_these_answers(
    client: TestClient, content: Content
) -> None:
    screen(client, content, {"implants": "yes"})
    page = client.get("/en/session")
    assert "Check with your clinician first" in page.text
    assert 'action="/en/session/clinician"' in page.text
    question = (
        "Has a clinician looked at these answers, and agreed that you may use an inversion table?"
    )
    assert question in page.text
    for value in ("agreed", "said-no", "not-asked"):
        assert f'name="answer" value="{value}"' in page.text
    assert location(client, "/en/session/plans") == "/en/session"
    # A form without the confirmation does nothing.
    client.post("/en/session/clinician", data={})
    assert location(client, "/en/session/plans") == "/en/session"

    client.post("/en/session/clinician", data={"answer": "agreed"})
    page = client.get("/en/session")
    assert "How the guided session works" in page.text
    assert "You told us that a clinician has looked at these answers" in page.text
    assert client.get("/en/session/plans").status_code == 200

    # Changing an answer asks again: the agreement was about the old answers.
    client.post("/en/screening/q/spinal-curvature", data={"answer": "not-sure"})
    assert "Check with your clinician first" in client.get("/en/session").text
    assert location(client, "/en/session/plans") == "/en/session"


def test_gate_after_get_medical_help_now_is_closed(client: TestClient, content: Content) -> None:
    screen(client, content, {"red-flags": "yes"})
    page = client.get("/en/session")
    assert content.session.ui.gate_urgent_title in page.text
    assert "/en/session/plans" not in page.text
    client.post("/en/session/clinician", data={"answer": "agreed"})
    assert location(client, "/en/session/plans") == "/en/session"


def test_gate_after_no_known_reason_asks_about_the_doctor_then_opens(
    client: TestClient, content: Content
) -> None:
    screen(client, content)
    page = client.get("/en/session")
    ui = content.session.ui
    assert ui.doctor_title in page.text and ui.doctor_question in page.text
    assert location(client, "/en/session/plans") == "/en/session"
    confirm_doctor(client)
    page = client.get("/en/session")
    assert "How the guided session works" in page.text
    assert ui.doctor_confirmed in page.text
    assert 'href="/en/session/plans"' in page.text
    for sentence in content.session.ui.how_it_works:
        assert sentence in page.text
    # A new screening asks again.
    screen(client, content)
    assert location(client, "/en/session/plans") == "/en/session"


def test_plans_page_suggests_the_first_plan_and_sends_what_the_device_knows(
    client: TestClient, content: Content
) -> None:
    screen(client, content)
    confirm_doctor(client)
    page = client.get("/en/session/plans")
    assert page.status_code == 200
    text = page.text
    assert content.session.ui.reason_first in text
    first = content.session.ladder[0]
    gentler = content.session.plan_by_id(str(first.gentler))
    assert f"Start the suggested plan: {first.title}" in text
    assert f"Start a gentler plan: {gentler.title}" in text
    for plan in content.session.plans:
        assert plan.title in text
        assert f'action="/en/session/plan/{plan.id}/choose"' in text
    # Without JavaScript the page says "no sessions yet".
    assert text.count('name="sessions" value="0"') == len(content.session.plans) + 2
    data = json.loads(html.unescape(re.search(r'data-plans="([^"]+)"', text).group(1)))  # type: ignore[union-attr]
    assert [p["id"] for p in data["plans"]] == [p.id for p in content.session.plans]
    assert choose(client, "nope").status_code == 404


def test_a_fresh_device_can_only_start_the_first_plans(
    client: TestClient, content: Content
) -> None:
    screen(client, content)
    confirm_doctor(client)
    ui = content.session.ui
    for plan in content.session.plans:
        response = choose(client, plan.id, sessions=0)
        if plan.angle == 20 and plan.step == content.session.ladder[0].step:
            assert response.status_code == 303, plan.id
        else:
            assert response.status_code == 200, plan.id
            assert ui.beyond_title in response.text and ui.first_only_body in response.text
            assert location(client, f"/en/session/plan/{plan.id}/check/height") == (
                "/en/session/plans"
            )
    full = choose(client, "full-60", sessions=0, confirm="yes")
    assert ui.beyond_title in full.text  # no confirmation opens it


def test_one_step_beyond_the_suggestion_only_after_a_warning(
    client: TestClient, content: Content
) -> None:
    screen(client, content)
    confirm_doctor(client)
    ui = content.session.ui
    ahead = choose(client, "first-30", suggested="first-20-long", sessions=4)
    assert ahead.status_code == 200
    assert ui.ahead_title in ahead.text and ui.ahead_confirm in ahead.text
    assert location(client, "/en/session/plan/first-30/check/height") == "/en/session/plans"
    confirmed = choose(client, "first-30", suggested="first-20-long", sessions=4, confirm="yes")
    assert confirmed.headers["location"].startswith("/en/session/plan/first-30/check/")
    # Two steps beyond: never, even confirmed.
    far = choose(client, "build-30", suggested="first-20-long", sessions=4, confirm="yes")
    assert ui.beyond_title in far.text and ui.beyond_body[0] in far.text
    # At or below the suggestion: straight to the checks.
    assert choose(client, "first-20", suggested="first-30", sessions=9).status_code == 303


def test_the_ladder_changes_one_thing_at_a_time(content: Content) -> None:
    ladder = content.session.ladder
    assert ladder[0].angle == 20
    for before, after in itertools.pairwise(ladder):
        assert (after.angle != before.angle) != (after.hold_seconds != before.hold_seconds)
    assert max(p.angle for p in ladder) == 60 and ladder[-1].angle == 60


def test_checks_one_at_a_time_then_the_player(client: TestClient, content: Content) -> None:
    screen(client, content)
    confirm_doctor(client)
    checks = content.session.checks
    choose(client, "build-40", suggested="build-40", sessions=12)
    page = client.get(f"/en/session/plan/build-40/check/{checks[0].id}")
    assert f"Check 1 of {len(checks)}" in page.text
    assert checks[0].question in page.text
    tether = client.get("/en/session/plan/build-40/check/tether")
    assert "set so the table stops at 40 degrees?" in tether.text  # the app says the angle
    # The player needs the checks first.
    assert location(client, "/en/session/plan/build-40/play") == (
        f"/en/session/plan/build-40/check/{checks[0].id}"
    )
    # Skipping ahead by address does not skip the checks.
    skipped = client.post(
        f"/en/session/plan/build-40/check/{checks[-1].id}",
        data={"answer": checks[-1].go_on_answer},
        follow_redirects=False,
    )
    assert skipped.headers["location"] == f"/en/session/plan/build-40/check/{checks[0].id}"
    url = pass_checks(client, content, "build-40")
    assert url.endswith("/en/session/plan/build-40/play")
    assert client.get("/en/session/plan/build-40/play").status_code == 200
    # Checks passed for one plan do not open another.
    assert location(client, "/en/session/plan/full-60/play").endswith("/check/" + checks[0].id)


@pytest.mark.parametrize("wrong", ["stop", "not-sure"])
@pytest.mark.parametrize("check_index", range(12))
def test_any_stopping_answer_ends_with_advice_not_to_invert_today(
    client: TestClient, content: Content, wrong: str, check_index: int
) -> None:
    screen(client, content)
    confirm_doctor(client)
    checks = content.session.checks
    choose(client, "first-30", suggested="first-30", sessions=3)
    for check in checks[:check_index]:
        client.post(
            f"/en/session/plan/first-30/check/{check.id}", data={"answer": check.go_on_answer}
        )
    check = checks[check_index]
    answer = check.stop_on if wrong == "stop" else "not-sure"
    page = client.post(f"/en/session/plan/first-30/check/{check.id}", data={"answer": answer})
    assert page.status_code == 200
    assert "<h1" in page.text and "Do not invert today" in page.text
    assert str(escape(check.if_no.format(angle=30))) in page.text
    if check.retake_check:  # health changed: take the screening again
        assert 'href="/en/screening"' in page.text
    else:
        assert f'href="/en/session/plan/first-30/check/{checks[0].id}"' in page.text
    assert "/check/" in location(client, "/en/session/plan/first-30/play")


def test_checks_come_in_the_order_a_real_table_needs(content: Content) -> None:
    ids = [c.id for c in content.session.checks]
    assert ids.index("height") < ids.index("tether") < ids.index("ankles")
    assert ids[0] == "health-changed" and "helper" in ids
    assert content.session.check("health-changed").stop_on == "yes"  # type: ignore[union-attr]


def test_a_carer_hears_the_checks_in_the_third_person(client: TestClient, content: Content) -> None:
    client.post("/en/screening/start", data={"perspective": "they"})
    for q in content.questions:
        client.post(f"/en/screening/q/{q.id}", data={"answer": "no"})
    confirm_doctor(client)
    choose(client, "first-20", sessions=0)
    for check in content.session.checks:
        page = client.get(f"/en/session/plan/first-20/check/{check.id}")
        assert str(escape(check.they.format(angle=20))) in page.text
        client.post(
            f"/en/session/plan/first-20/check/{check.id}", data={"answer": check.go_on_answer}
        )
    assert client.get("/en/session/plan/first-20/play").status_code == 200  # ready


def test_a_check_without_an_answer_is_explained(client: TestClient, content: Content) -> None:
    screen(client, content)
    confirm_doctor(client)
    choose(client, "first-20")
    page = client.post("/en/session/plan/first-20/check/height", data={"answer": "maybe"})
    assert page.status_code == 422
    assert "There is a problem" in page.text and "<title>Error:" in page.text
    assert client.get("/en/session/plan/first-20/check/nope").status_code == 404
    assert client.get("/en/session/plan/nope/check/height").status_code == 404
    assert location(client, "/en/session/plan/first-30/check/height") == "/en/session/plans"


def test_passed_checks_expire(
    client: TestClient, content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen(client, content)
    confirm_doctor(client)
    pass_checks(client, content)
    assert client.get("/en/session/plan/first-20/play").status_code == 200
    later = time.time() + session_gate.READY_SECONDS + 60
    # Only the gate's clock moves on (the cookie keeps its own).
    monkeypatch.setattr(session_gate, "time", SimpleNamespace(time=lambda: later))
    assert "/check/" in location(client, "/en/session/plan/first-20/play")


def test_player_without_a_track_still_lists_every_step(
    client: TestClient, content: Content
) -> None:
    screen(client, content)
    confirm_doctor(client)
    pass_checks(client, content)
    page = client.get("/en/session/plan/first-20/play")
    assert content.session.ui.track_missing in page.text
    assert "<audio" not in page.text
    script = content_script(content, content.session.plan_by_id("first-20"))
    for chapter in script.chapters:
        assert f'id="step-{chapter.id}"' in page.text
        assert str(escape(chapter.title)) in page.text
        for line in chapter.lines:
            assert str(escape(line.text)) in page.text


def test_player_offers_the_track_with_every_step_and_time(
    client: TestClient, settings: Settings, content: Content, built_audio: Path
) -> None:
    shutil.copytree(built_audio, settings.audio_dir, dirs_exist_ok=True)
    screen(client, content)
    confirm_doctor(client)
    pass_checks(client, content, "intervals-20")
    page = client.get("/en/session/plan/intervals-20/play")
    text = page.text
    index = json.loads((settings.audio_dir / "en" / "tracks" / "index.json").read_text())
    entry = index["tracks"]["intervals-20"]["normal"]
    assert f'src="/audio/en/tracks/{entry["file"]}"' in text
    assert re.search(r"<audio[^>]* controls", text)
    doc = json.loads((settings.audio_dir / "en" / "tracks" / entry["chapters"]).read_text())
    for chapter in doc["chapters"]:
        start = clock_text(chapter["start"])
        end = clock_text(chapter["end"])
        item = text.split(f'id="step-{chapter["id"]}"')[1].split("</li>")[0]
        assert str(escape(chapter["title"])) in item
        assert f"{start} to {end}" in item
        for line in chapter["lines"]:
            assert str(escape(line["text"])) in item
    # Stop is a button; without JavaScript it opens the come-up page (issue 11).
    assert 'action="/en/session/plan/intervals-20/come-up"' in text
    assert 'data-action="stop"' in text
    assert "Stop and come up now" in text
    player = json.loads(html.unescape(re.search(r'data-player="([^"]+)"', text).group(1)))  # type: ignore[union-attr]
    assert player["come_up"] == "come-up" and player["file"] == entry["file"]
    assert [c["start"] for c in player["chapters"]] == [c["start"] for c in doc["chapters"]]

    # The track itself: Range requests and the immutable cache header.
    audio = client.get(f"/audio/en/tracks/{entry['file']}", headers={"Range": "bytes=0-1"})
    assert audio.status_code == 206 and len(audio.content) == 2
    assert audio.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert audio.headers["content-type"] == "audio/mpeg"
    for bad in ("tracks/index.json", f"tracks/{entry['chapters']}", "tracks/../manifest.json"):
        assert client.get(f"/audio/en/{bad}").status_code == 404

    slow = client.get("/en/session/plan/intervals-20/play?speed=slow").text
    assert index["tracks"]["intervals-20"]["slow"]["file"] in slow
    carer = client.get("/en/session/plan/intervals-20/carer")
    assert carer.status_code == 200 and "ig-session--carer" in carer.text
    assert content.session.ui.carer_hint.replace("'", "&#39;") in carer.text
    assert entry["file"] in carer.text


@pytest.mark.parametrize("feeling", ["fine", "dizzy", "pain", "other"])
def test_feedback_gives_advice_and_stores_nothing_on_the_server(
    client: TestClient, content: Content, feeling: str
) -> None:
    screen(client, content)
    form = client.get("/en/session/plan/first-20/feedback")
    assert "How did that feel?" in form.text
    for option in content.session.feelings:
        assert f'value="{option.id}"' in form.text and option.label in form.text
    page = client.post("/en/session/plan/first-20/feedback", data={"feeling": feeling})
    assert page.status_code == 200
    advice = content.session.feeling(feeling)
    assert advice is not None
    for sentence in advice.advice:
        assert str(escape(sentence)) in page.text
    if feeling in ("dizzy", "pain"):
        # Decision 20: the advice and the app agree; the next session asks first. Only a
        # marker is kept, in the encrypted cookie on this device (never the feeling itself).
        assert "tell a clinician" in page.text and "gentler plan" not in page.text
        assert "the app asks you about this" in page.text
        assert "set-cookie" in page.headers
        assert feeling not in page.headers["set-cookie"]
    else:
        assert "set-cookie" not in page.headers  # nothing about the session is kept here


def test_feedback_without_a_choice_is_explained(client: TestClient) -> None:
    page = client.post("/en/session/plan/first-20/feedback", data={"feeling": "great"})
    assert page.status_code == 422 and "Choose how that felt." in page.text
    assert client.get("/en/session/plan/nope/feedback").status_code == 404


def test_the_emergency_page_is_one_step_from_every_session_page(
    client: TestClient, content: Content
) -> None:
    screen(client, content)
    confirm_doctor(client)
    pass_checks(client, content, "first-20")
    emergency = client.get("/en/emergency")
    assert emergency.status_code == 200
    text = emergency.text
    assert str(escape(content.emergency.title)) in text
    for line in [*content.emergency.signs, *content.emergency.steps, *content.emergency.fall]:
        assert str(escape(line.say)) in text
    assert "999 in the UK, 112 in the EU, 911 in the US" in text
    for path in (
        "/en/",
        "/en/session",
        "/en/session/plans",
        f"/en/session/plan/first-20/check/{content.session.checks[0].id}",
        "/en/session/plan/first-20/play",
        "/en/session/plan/first-20/carer",
        "/en/session/plan/first-20/feedback",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'href="/en/emergency">{content.ui.emergency_link}</a>' in page.text, path


# --------------------------------------------------------------------------- decision 14


def _text(page: Response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("who", PERSPECTIVES)
@pytest.mark.parametrize("outcome", ["no-known-reason", "ask-first"])
def test_a_doctor_who_said_no_keeps_the_session_closed_and_says_why(
    client: TestClient,
    content: Content,
    content_es: Content,
    lang: str,
    who: Perspective,
    outcome: str,
) -> None:
    """Decision 14, with JavaScript off: "No, they said not to" closes the session for these
    answers, on a page that says why and what to do (and speaks it); no later answer to the
    same question opens it, and no session page can be reached by its address."""
    text = content if lang == "en" else content_es
    screen(client, text, {"implants": "yes"} if outcome == "ask-first" else {}, who=who)
    ui = text.session.ui.for_perspective(who)
    gate = client.get(f"/{lang}/session")
    question = ui.gate_ask_question if outcome == "ask-first" else ui.doctor_question
    assert str(escape(question)) in gate.text
    for label in (ui.clinician_agreed, ui.clinician_said_no, ui.clinician_not_asked):
        assert str(escape(label)) in gate.text
    page = client.post(f"/{lang}/session/clinician", data={"answer": "said-no"})
    assert page.status_code == 200
    shown = _text(page)
    assert ui.said_no_title in shown
    for sentence in ui.said_no_body:
        assert sentence in shown
    assert f'data-clip-id="session.gate.said-no{".they" if who == "they" else ""}"' in page.text
    assert f"/{lang}/session/plans" not in page.text
    assert f'action="/{lang}/session/clinician"' not in page.text  # not asked again
    # "They agreed" sent afterwards (a forged or old form) changes nothing.
    client.post(f"/{lang}/session/clinician", data={"answer": "agreed"})
    assert ui.said_no_title in _text(client.get(f"/{lang}/session"))
    for path in ("session/plans", "session/plan/first-20/check/health-changed"):
        assert location(client, f"/{lang}/{path}") == f"/{lang}/session"


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("who", PERSPECTIVES)
def test_not_asked_or_not_known_keeps_the_session_closed_and_says_what_to_do(
    client: TestClient, content: Content, content_es: Content, lang: str, who: Perspective
) -> None:
    text = content if lang == "en" else content_es
    screen(client, text, who=who)
    ui = text.session.ui.for_perspective(who)
    page = client.post(f"/{lang}/session/clinician", data={"answer": "not-asked"})
    assert page.status_code == 200
    shown = _text(page)
    assert ui.not_asked_title in shown
    for sentence in ui.not_asked_body:
        assert sentence in shown
    assert f"/{lang}/session/plans" not in page.text
    assert location(client, f"/{lang}/session/plans") == f"/{lang}/session"
    # The question is still there to answer once they have agreed.
    assert str(escape(ui.doctor_question)) in client.get(f"/{lang}/session").text
    # Only "they agreed" opens it; anything else (the old "I have asked" form) does not.
    client.post(f"/{lang}/session/clinician", data={"confirm": "yes"})
    client.post(f"/{lang}/session/clinician", data={"answer": "maybe"})
    assert location(client, f"/{lang}/session/plans") == f"/{lang}/session"
    confirm_doctor(client, lang)
    opened = client.get(f"/{lang}/session")
    assert str(escape(ui.doctor_confirmed)) in opened.text
    assert client.get(f"/{lang}/session/plans").status_code == 200


# --------------------------------------------------------------------------- decision 20


@pytest.mark.parametrize("feeling", ["dizzy", "pain"])
@pytest.mark.parametrize("who", PERSPECTIVES)
def test_after_dizzy_or_pain_the_next_session_asks_whether_a_clinician_was_told(
    client: TestClient, content: Content, feeling: str, who: Perspective
) -> None:
    """JavaScript off: the feedback sets a marker in the encrypted cookie; the gate then asks
    whether a clinician has been told and agreed before any further session."""
    screen(client, content, who=who)
    confirm_doctor(client)
    pass_checks(client, content)
    ui = content.session.ui.for_perspective(who)
    client.post("/en/session/plan/first-20/feedback", data={"feeling": feeling})
    gate = client.get("/en/session")
    assert ui.tell_title in _text(gate) and str(escape(ui.tell_question)) in gate.text
    for sentence in ui.tell_body:
        assert sentence in _text(gate)
    for path in ("plans", "plan/first-20/play", "plan/first-20/check/health-changed"):
        assert location(client, f"/en/session/{path}") == "/en/session"
    # "Not yet" keeps it closed, and says what to do.
    not_yet = client.post("/en/session/clinician", data={"answer": "not-asked"})
    for sentence in ui.tell_not_yet_body:
        assert sentence in _text(not_yet)
    assert location(client, "/en/session/plans") == "/en/session"
    # Another answer to the check does not forget it: the dizziness happened whatever the
    # answers are (the doctor's agreement is asked again for the new answers, then this).
    client.post("/en/screening/q/spinal-curvature", data={"answer": "yes"})
    client.post("/en/session/clinician", data={"answer": "agreed"})
    assert ui.tell_title in _text(client.get("/en/session"))
    # Told and agreed: open again, and it says so.
    client.post("/en/session/clinician", data={"answer": "agreed"})
    opened = client.get("/en/session")
    assert str(escape(ui.tell_confirmed)) in opened.text
    assert client.get("/en/session/plans").status_code == 200
    # A fine session asks nothing; another dizzy one asks again.
    client.post("/en/session/plan/first-20/feedback", data={"feeling": "fine"})
    assert client.get("/en/session/plans").status_code == 200
    client.post("/en/session/plan/first-20/feedback", data={"feeling": feeling})
    assert location(client, "/en/session/plans") == "/en/session"


def test_taking_the_check_again_does_not_answer_the_question_owed_after_dizziness(
    client: TestClient, content: Content
) -> None:
    """JavaScript off, so the cookie is the only memory: a new check (a new session id,
    every answer asked again) still asks whether a clinician was told; the result page does
    not offer the session meanwhile."""
    screen(client, content)
    confirm_doctor(client)
    pass_checks(client, content)
    client.post("/en/session/plan/first-20/feedback", data={"feeling": "dizzy"})
    screen(client, content)  # the whole check again, all No
    confirm_doctor(client)  # the doctor's agreement for the new answers
    assert content.session.ui.tell_title in _text(client.get("/en/session"))
    assert location(client, "/en/session/plans") == "/en/session"
    result = client.get("/en/screening/result")
    assert content.carer.result_session_link not in result.text


def test_a_clinician_who_said_no_after_dizziness_keeps_the_session_closed(
    client: TestClient, content: Content
) -> None:
    screen(client, content)
    confirm_doctor(client)
    client.post("/en/session/plan/first-20/feedback", data={"feeling": "pain"})
    page = client.post("/en/session/clinician", data={"answer": "said-no"})
    assert content.session.ui.said_no_title in _text(page)
    client.post("/en/session/clinician", data={"answer": "agreed"})
    assert location(client, "/en/session/plans") == "/en/session"


def test_the_device_history_asks_too_when_the_cookie_forgot(
    client: TestClient, content: Content
) -> None:
    """JavaScript on: the plans page sends the time of the device's latest dizzy or painful
    session (``held_back``); one no clinician was said to know of sends the choice back to the
    gate's question (here after "Start again" gave a new cookie). Once told, the same marker
    does not ask again."""
    screen(client, content)
    confirm_doctor(client)
    marker = str(int(time.time() * 1000) - 60_000)
    sent = choose(client, "first-20", suggested="first-20", sessions=3, held_back=marker)
    assert sent.status_code == 303 and sent.headers["location"] == "/en/session"
    assert content.session.ui.tell_title in _text(client.get("/en/session"))
    client.post("/en/session/clinician", data={"answer": "agreed"})
    again = choose(client, "first-20", suggested="first-20", sessions=3, held_back=marker)
    assert again.headers["location"].startswith("/en/session/plan/first-20/check/")
    # Rubbish in the field is ignored, not trusted and not a crash.
    for bad in ("soon", "-5", "9" * 40, ""):
        response = choose(client, "first-20", suggested="first-20", sessions=3, held_back=bad)
        assert response.status_code == 303
