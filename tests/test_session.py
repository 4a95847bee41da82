"""Guided session rules: plans, scripts, timeline layout, gate and progression (pure)."""

from __future__ import annotations

import itertools
import re

import pytest
from pydantic import ValidationError

from server.config import ROOT
from server.content import Content, load_all
from server.content.perspective import PERSPECTIVES
from server.content.session import SessionText
from server.screening import Answer, OutcomeLevel
from server.session.gate import (
    Gate,
    answers_fingerprint,
    clinician_told,
    device_hold_back,
    gate_for,
    hold_back,
    tell_pending,
)
from server.session.timeline import FrameClock, TimelineError, lay_out
from server.speech import texts as speech
from server.speech.script import COME_UP, content_script, hold_cues, plan_script
from tests.progression_oracle import HistoryEntry, is_ahead, parse_history, suggest
from tests.test_content import STOP_SIGNS

CLOCK = FrameClock(24000, 576)  # gTTS's format: 24 ms frames


def fake_frames(content: Content, seconds: float = 2.0) -> dict[str, int]:
    """Every session clip, ``seconds`` long (the countdown and cues a little shorter)."""
    out = {}
    for clip_id in {
        **speech.session_page_texts(content),
        **speech.track_texts(content),
    }:
        length = 1.5 if clip_id.startswith("session.cue.") else seconds
        out[clip_id] = CLOCK.frames(length)
    return out


def test_plans_follow_the_clinical_progression(content: Content) -> None:
    session = content.session
    ladder = session.ladder
    first = ladder[0]
    # First weeks: 20 to 30 degrees, 1 to 2 minutes.
    assert 20 <= first.angle <= 30 and 60 <= first.hold_seconds <= 120
    early = [p for p in ladder if p.step <= 3]
    assert all(20 <= p.angle <= 30 and p.hold_seconds <= 120 for p in early)
    # Then 3 to 5 minutes, moving gradually towards 60 degrees, never beyond it.
    later = [p for p in ladder if p.step > 3]
    assert all(180 <= p.hold_seconds <= 300 for p in later)
    angles = [p.angle for p in ladder]
    assert angles == sorted(angles) and angles[-1] == 60
    assert all(b - a <= 10 for a, b in itertools.pairwise(angles))
    # An intermittent plan: three holds of 30 seconds with rests between them.
    intermittent = [p for p in session.plans if len(p.holds) > 1]
    assert intermittent and intermittent[0].holds == [30, 30, 30]
    assert intermittent[0].rest_seconds >= 20 and not intermittent[0].ladder
    # A gentler plan is named for every plan but the gentlest.
    for plan in session.plans:
        if plan.step > 1:
            assert plan.gentler is not None


def test_hold_cues_count_down_and_remind_during_long_holds() -> None:
    for seconds in (20, 30, 60, 90, 120, 180, 240, 300, 600):
        cues = hold_cues(seconds)
        names = [name for name, _, _ in cues]
        assert names[-1] == "countdown" and cues[-1][1:] == (seconds, True)
        # Every hold, short ones too (decision 22), opens with the stop-sign reminder: it
        # follows the hold's own line (no fixed time).
        assert cues[0] == ("safety", None, False)
        assert ("one_minute" in names) == (seconds >= 90)
        assert ("thirty_seconds" in names) == (seconds >= 60)
        # In a short hold the reminder takes the place of "ten seconds".
        assert ("ten_seconds" in names) == (seconds > 30)
        times = [at for _, at, _ in cues[1:] if at is not None]
        assert len(times) == len(cues) - 1
        assert times == sorted(times) and all(0 < t <= seconds for t in times)
    # A five-minute hold hears the reminder more than once, never in its last minute, and
    # always with room for the slow voice before the next cue.
    safety = [at for name, at, _ in hold_cues(300) if name == "safety"]
    assert safety == [None, 90, 180]
    for seconds in (180, 240, 300, 600):
        cues = hold_cues(seconds)
        for (name, at, _), (_, following, _) in itertools.pairwise(cues):
            if name == "safety" and at is not None:
                assert following is not None and following - at >= 25


def test_every_plan_script_has_the_steps_and_a_come_up_that_speaks_first(
    content: Content,
) -> None:
    for plan in content.session.plans:
        script = plan_script(plan, content.session)
        ids = [c.id for c in script.chapters]
        assert len(ids) == len(set(ids))
        assert ids[:3] == ["intro", "setup", "tilt-back"]
        assert ids[-4:] == [COME_UP, "rest", "sit-up", "cool-down"]
        holds = [c for c in script.chapters if c.kind == "hold"]
        assert [c.seconds for c in holds] == plan.holds
        come_up = script.chapter(COME_UP)
        assert come_up.lines[0].at in (None, 0)  # "Stop" lands on speech, never silence
        texts = " ".join(line.text for c in script.chapters for line in c.lines)
        assert f"{plan.angle} degrees" in texts  # the app says what angle to set
        for hold in holds:
            kinds = [line.kind for line in hold.lines]
            # Every hold of every plan, the gentle plan's short holds too (decision 22).
            assert kinds[:2] == ["step", "safety"], (plan.id, hold.id)
            said = [line.text for line in hold.lines]
            assert content.session.cues.countdown in said
        if len(plan.holds) > 1:
            assert "rest-1" in ids and "tilt-2" in ids


def test_every_track_clip_is_narrated_and_worded_plainly(content: Content) -> None:
    texts = speech.narration_texts(content)
    for plan in content.session.plans:
        for clip_id, text in plan_script(plan, content.session).clip_texts().items():
            assert texts[clip_id] == text
    session_texts = {k: v for k, v in texts.items() if k.startswith("session.")}
    for text in session_texts.values():
        assert "{" not in text and "}" not in text
        lowered = text.lower()
        for word in ("safe", "cleared", "approved", "clearance"):
            assert not re.search(rf"\b{word}\b", lowered), text
    cues = content.session.cues
    # Every stop sign of the clinical facts, said as a condition, not as an order.
    assert cues.safety.startswith("If you feel")
    for sign in STOP_SIGNS:
        assert sign in cues.safety, sign
    assert cues.one_minute == "One minute left."


def test_layout_makes_every_hold_exactly_as_long_as_the_plan(content: Content) -> None:
    frames = fake_frames(content)
    for plan in content.session.plans:
        script = plan_script(plan, content.session)
        timeline = lay_out(script, frames, CLOCK)
        assert timeline.frames == sum(n for _, _, n in timeline.segments)
        position = 0
        for chapter in timeline.chapters:
            assert chapter.start_frame == position
            position += chapter.frames
            if chapter.kind == "hold":
                n = int(chapter.id.split("-")[1])
                assert CLOCK.seconds(chapter.frames) == plan.holds[n - 1]
                countdown = chapter.lines[-1]
                assert countdown.start_frame + countdown.frames == chapter.end_frame
            if chapter.id == "rest":
                assert CLOCK.seconds(chapter.frames) == 60
        assert position == timeline.frames
        come_up = timeline.chapter(COME_UP)
        assert come_up.lines[0].start_frame == come_up.start_frame
        # Lines never overlap and stay inside their chapter.
        for chapter in timeline.chapters:
            end = chapter.start_frame
            for line in chapter.lines:
                assert line.start_frame >= end
                end = line.start_frame + line.frames
            assert end <= chapter.end_frame


def test_chapters_json_times_are_frame_counts(content: Content) -> None:
    plan = content.session.plans[0]
    timeline = lay_out(plan_script(plan, content.session), fake_frames(content), CLOCK)
    for placed, data in zip(timeline.chapters, timeline.chapters_json(), strict=True):
        assert data["start_frame"] == placed.start_frame
        assert data["start"] == round(placed.start_frame * 576 / 24000, 6)
        assert data["end"] == round(placed.end_frame * 576 / 24000, 6)
        assert data["text"] == " ".join(line.text for line in placed.lines)


def test_layout_refuses_overlapping_cues_rather_than_stretching_a_hold(
    content: Content,
) -> None:
    plan = content.session.plan_by_id("first-20")
    frames = fake_frames(content)
    frames["session.cue.safety"] = CLOCK.frames(30.0)  # runs into "thirty seconds"
    with pytest.raises(TimelineError, match="hold-1"):
        lay_out(plan_script(plan, content.session), frames, CLOCK)
    frames = fake_frames(content)
    del frames["session.cue.countdown"]
    with pytest.raises(TimelineError, match="no clip"):
        lay_out(plan_script(plan, content.session), frames, CLOCK)


def test_script_key_changes_with_any_word_or_pause(content: Content) -> None:
    plan = content.session.plans[0]
    key = plan_script(plan, content.session).key
    assert key == plan_script(plan, content.session).key
    data = content.session.model_dump()
    data["steps"]["setup"]["lines"][1]["pause"] = 9
    changed = SessionText.model_validate(data)
    assert plan_script(plan, changed).key != key


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["plans"][0].update(holds=[45]), "hold of 45 s"),
        (lambda d: d["plans"][0].update(gentler="nope"), "does not exist"),
        (lambda d: d["plans"][1].update(holds=[30, 30], rest_seconds=0), "rest_seconds"),
        (lambda d: d["checks"][0].update(question="At {speed}?"), "only {angle}"),
        (lambda d: d["ui"].update(step_n_of_m="Step {n}"), "step_n_of_m"),
        (lambda d: d["steps"]["hold"]["lines"][0].update(say="Hold {time}."), "placeholder"),
        (lambda d: d["feelings"].reverse(), "feelings must be"),
        (lambda d: d["plans"][2].update(step=1), "different steps"),
    ],
)
def test_bad_session_content_is_refused(content: Content, mutate: object, message: str) -> None:
    data = content.session.model_dump()
    assert callable(mutate)
    mutate(data)
    with pytest.raises(ValidationError, match=re.escape(message)):
        SessionText.model_validate(data)


def test_gate_at_each_outcome_level() -> None:
    assert gate_for(None, False) is Gate.NO_SCREENING
    assert gate_for(OutcomeLevel.AVOID, False) is Gate.AVOID
    assert gate_for(OutcomeLevel.AVOID, True) is Gate.AVOID  # never offered after "avoid"
    assert gate_for(OutcomeLevel.ASK_FIRST, False) is Gate.ASK_FIRST
    assert gate_for(OutcomeLevel.ASK_FIRST, True) is Gate.OPEN
    # After "no known reason", the user first says they asked their doctor.
    assert gate_for(OutcomeLevel.NO_KNOWN_REASON, False) is Gate.DOCTOR
    assert gate_for(OutcomeLevel.NO_KNOWN_REASON, True) is Gate.OPEN
    assert gate_for(OutcomeLevel.URGENT, True) is Gate.URGENT  # never after a red flag
    # Decision 14: a clinician who said not to keeps it closed, whatever else was said.
    for level in (OutcomeLevel.ASK_FIRST, OutcomeLevel.NO_KNOWN_REASON):
        assert gate_for(level, True, said_no=True) is Gate.SAID_NO
        assert gate_for(level, False, said_no=True, tell=True) is Gate.SAID_NO
        # Decision 20: after dizziness or pain, the clinician question comes back.
        assert gate_for(level, True, tell=True) is Gate.TELL
    assert gate_for(OutcomeLevel.NO_KNOWN_REASON, False, tell=True) is Gate.DOCTOR
    assert gate_for(OutcomeLevel.AVOID, True, said_no=True) is Gate.AVOID
    assert gate_for(OutcomeLevel.URGENT, True, tell=True) is Gate.URGENT


def test_a_dizzy_or_painful_session_holds_until_a_clinician_is_said_to_know() -> None:
    """Decision 20's markers: the feedback holds the session back, "told and agreed" answers
    every hold so far, a later one holds again, and a device's marker a clinician was already
    said to know of does not ask twice."""
    state: dict[str, object] = {}
    assert not tell_pending(state)
    hold_back(state)
    assert tell_pending(state)
    clinician_told(state)
    assert not tell_pending(state)
    hold_back(state)  # the next dizzy session, even within the same millisecond
    assert tell_pending(state)
    clinician_told(state)
    told = state["clinician_told"]
    assert isinstance(told, int)
    assert not device_hold_back(state, str(told))  # already told of this one
    assert not device_hold_back(state, "not a time") and not device_hold_back(state, None)
    assert device_hold_back(state, str(told + 5000)) and tell_pending(state)


def test_fingerprint_ties_a_clinician_agreement_to_the_answers() -> None:
    a = {"glaucoma": Answer.NO, "implants": Answer.YES}
    assert answers_fingerprint(a) == answers_fingerprint(dict(reversed(a.items())))
    assert answers_fingerprint(a) != answers_fingerprint({**a, "glaucoma": Answer.NOT_SURE})


def history(*entries: tuple[str, str, str]) -> list[HistoryEntry]:
    return [HistoryEntry(plan, day, feeling) for plan, day, feeling in entries]


# (history, expected plan, expected reason)
PROGRESSION_CASES: list[tuple[list[tuple[str, str, str]], str, str]] = [
    ([], "first-20", "first"),
    ([("first-20", "2026-01-01", "fine")], "first-20", "continue"),
    # Same day twice counts once: progress needs different days.
    (
        [("first-20", "2026-01-01", "fine"), ("first-20", "2026-01-01", "fine")],
        "first-20",
        "continue",
    ),
    ([("first-20", f"2026-01-0{d}", "fine") for d in (1, 2, 3)], "first-20-long", "move-on"),
    (
        [
            *[("first-20", f"2026-01-0{d}", "fine") for d in (1, 2, 3)],
            ("first-20-long", "2026-01-05", "fine"),
        ],
        "first-20-long",
        "continue",
    ),
    # Dizzy or pain: one plan back, and the count starts again.
    (
        [
            *[("first-20", f"2026-01-0{d}", "fine") for d in (1, 2, 3)],
            ("first-20-long", "2026-01-05", "dizzy"),
        ],
        "first-20",
        "held-back",
    ),
    (
        [
            *[("first-20", f"2026-01-0{d}", "fine") for d in (1, 2, 3)],
            ("first-20-long", "2026-01-05", "pain"),
            ("first-20", "2026-01-07", "fine"),
        ],
        "first-20",
        "continue",
    ),
    ([("first-20", "2026-01-01", "dizzy")], "first-20", "held-back"),
    ([("first-20", "2026-01-01", "other")], "first-20", "repeat"),
    # The intermittent plan never moves the ladder on, but its feelings count.
    ([("intervals-20", f"2026-01-0{d}", "fine") for d in (1, 2, 3, 4)], "first-20", "continue"),
    (
        [("build-40", "2026-02-01", "fine"), ("intervals-20", "2026-02-02", "pain")],
        "build-30",
        "held-back",
    ),
    ([("full-60", "2026-03-01", "fine")], "full-60", "top"),
]


@pytest.mark.parametrize(("entries", "plan", "reason"), PROGRESSION_CASES)
def test_progression_from_device_history(
    content: Content, entries: list[tuple[str, str, str]], plan: str, reason: str
) -> None:
    suggestion = suggest(content.session.plans, history(*entries))
    assert (suggestion.plan, suggestion.reason) == (plan, reason)
    assert suggestion.gentler == content.session.plan_by_id(plan).gentler


def test_progression_counts_and_moving_ahead(content: Content) -> None:
    plans = content.session.plans
    two = suggest(
        plans, history(("first-30", "2026-01-01", "fine"), ("first-30", "2026-01-02", "fine"))
    )
    assert (two.done, two.needed) == (2, 4)
    assert is_ahead(plans, "build-40", "first-30")
    assert not is_ahead(plans, "first-20", "first-30")
    assert not is_ahead(plans, "intervals-20", "first-20")


def test_history_from_a_device_is_validated(content: Content) -> None:
    raw = [
        {"plan": "first-20", "day": "2026-01-01", "feeling": "fine"},
        {"plan": "unknown", "day": "2026-01-01", "feeling": "fine"},
        {"plan": "first-20", "day": "yesterday", "feeling": "fine"},
        {"plan": "first-20", "day": "2026-01-02", "feeling": "great"},
        "junk",
    ]
    assert parse_history(raw, content.session.plans) == history(("first-20", "2026-01-01", "fine"))
    assert parse_history({"not": "a list"}, content.session.plans) == []


# The stop signs of decision 17 in each language's reminder (the others are checked in
# tests/test_content.py for English).
NEW_STOP_SIGNS = {
    "en": ["change in your sight", "chest tightness", "shortness of breath"],
    "es": ["cambio en la vista", "opresión en el pecho", "falta de aire"],
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_hold_of_every_plan_reminds_of_every_stop_sign(lang: str) -> None:
    """Every hold of every plan, in both perspectives, says the stop-sign reminder with the
    signs of decision 17 (sight, chest, breath), the gentle intervals plan's 30 s holds too."""
    content = load_all(ROOT / "content")[lang]
    for plan in content.session.plans:
        for perspective in PERSPECTIVES:
            script = content_script(content, plan, perspective)
            holds = [c for c in script.chapters if c.kind == "hold"]
            assert len(holds) == len(plan.holds)
            for hold in holds:
                reminders = [line.text for line in hold.lines if line.kind == "safety"]
                assert reminders, (plan.id, hold.id)
                for text in reminders:
                    for sign in NEW_STOP_SIGNS[lang]:
                        assert sign in text, (plan.id, hold.id, sign)
    intro = " ".join(line.say for line in content.session.steps.intro.lines)
    for sign in NEW_STOP_SIGNS[lang]:
        assert sign in intro, sign


def spoken_frames(content: Content, wpm: int) -> dict[str, int]:
    """Every track clip as long as a voice at ``wpm`` words a minute takes to say it."""
    return {
        clip_id: CLOCK.frames(0.4 + 60 * len(text.split()) / wpm)
        for clip_id, text in speech.track_texts(content).items()
    }


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_track_fits_the_slow_voice(lang: str) -> None:
    """The longer reminder still fits every hold at the slow voice's pace (120 words a
    minute, as tests/narration_helpers.QuietEngine speaks slowly): a track that did not fit
    would not be built (TimelineError), so the slow voice would have no session."""
    content = load_all(ROOT / "content")[lang]
    frames = spoken_frames(content, 120)
    for plan in content.session.plans:
        for perspective in PERSPECTIVES:
            lay_out(content_script(content, plan, perspective), frames, CLOCK)
