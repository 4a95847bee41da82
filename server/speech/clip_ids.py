"""The clip id scheme: the one place a narration clip's id is spelled.

A clip id names a sentence the app can say ("q.glaucoma.you", "session.cue.countdown"); the
narration build maps it to an audio file. Pages, the session script, the offline rules and
the build all ask here, so an id is never assembled by hand anywhere else. This module
imports nothing from the app but the perspective type, so every layer may use it.
"""

from __future__ import annotations

from server.content.perspective import PERSPECTIVES, Perspective

HOME = "home"
INTRO = "intro"
HELPING = "helping"
CHECK = "check"
ERROR_NO_ANSWER = "error.no-answer"
SESSION_CONFIRM_CLEARED = "session.confirm-cleared"
EMERGENCY = "emergency"
EMERGENCY_SHORT = "emergency.short"
# Issue 11: a question page says "Question 3 of 24", the question, then ANSWER_PROMPT, as
# three clips played in a row; the check page reads each question followed by its answer.
ANSWER_PROMPT = "answer.prompt"
SESSION_ARRIVAL = "session.arrival"
OUTCOME_LEVELS = ("emergency", "urgent", "avoid", "ask-first", "no-known-reason")


def _for(perspective: Perspective) -> str:
    """The suffix of a sentence said to a carer about the person they help."""
    return ".they" if perspective == Perspective.THEY else ""


def question(question_id: str, perspective: Perspective) -> str:
    """The question asked of the person (``you``) or of their carer (``they``)."""
    return f"q.{question_id}.{perspective}"


def counter(n: int) -> str:
    """ "Question n of m" (m is the number of questions in the language)."""
    return f"counter.{n}"


def answer(value: str) -> str:
    """An answer's label said alone ("Yes", "No", "Not sure"), by answer value."""
    return f"answer.{value}"


def question_why(question_id: str) -> str:
    return f"q.{question_id}.why"


def outcome(level: str, perspective: Perspective = Perspective.YOU, not_sure: bool = False) -> str:
    """The result said aloud; ``not_sure``: followed by the line for a warning sign answered
    "Not sure", in the same clip (one clip a result, so which one plays tells nothing)."""
    return f"outcome.{level}{'.not-sure' if not_sure else ''}{_for(perspective)}"


def red_flag_not_sure(perspective: Perspective = Perspective.YOU) -> str:
    """The line for a warning sign answered "Not sure", alone (the on-device result)."""
    return f"outcome.red-flag-not-sure{_for(perspective)}"


def outcomes() -> list[str]:
    """Every outcome clip: the clips that must all be one length (``texts.sealed_groups``)."""
    return [
        outcome(level, perspective, not_sure)
        for level in OUTCOME_LEVELS
        for perspective in PERSPECTIVES
        for not_sure in (False, True)
    ]


def doctor(perspective: Perspective = Perspective.YOU) -> str:
    """Before a first session after "no known reason": did you ask your doctor?"""
    return f"session.doctor{_for(perspective)}"


def gate(state: str, perspective: Perspective = Perspective.YOU) -> str:
    """The session's front door in one state ("avoid", "ask-first"...). The "open" state says
    how the session works to whoever holds the phone: it has no carer form."""
    return f"session.gate.{state}{_for(perspective)}"


def plans(perspective: Perspective = Perspective.YOU) -> str:
    """The plan choice's lead ("Start gently...")."""
    return f"session.plans{_for(perspective)}"


def plan_ahead(perspective: Perspective = Perspective.YOU) -> str:
    """The spoken warning before a plan one step beyond the suggestion."""
    return f"session.ahead{_for(perspective)}"


def plan_beyond(perspective: Perspective = Perspective.YOU) -> str:
    """Why a plan further on cannot be started yet."""
    return f"session.beyond{_for(perspective)}"


def first_only(perspective: Perspective = Perspective.YOU) -> str:
    """Why a device with no sessions saved starts only the first plans."""
    return f"session.first-only{_for(perspective)}"


def feedback(perspective: Perspective = Perspective.YOU) -> str:
    """ "How did that feel?" after a session."""
    return f"session.feedback{_for(perspective)}"


def session_check(
    check_id: str, plan_id: str | None = None, perspective: Perspective = Perspective.YOU
) -> str:
    """A pre-session check; per plan when its text names the plan's angle."""
    plan = f".{plan_id}" if plan_id else ""
    return f"session.check.{check_id}{plan}{_for(perspective)}"


def session_stop(
    check_id: str, plan_id: str | None = None, perspective: Perspective = Perspective.YOU
) -> str:
    plan = f".{plan_id}" if plan_id else ""
    return f"session.stop.{check_id}{plan}{_for(perspective)}"


def feeling(feeling_id: str, perspective: Perspective = Perspective.YOU) -> str:
    """The advice for how a session felt."""
    return f"session.feeling.{feeling_id}{_for(perspective)}"


def step_line(step: str, index: int) -> str:
    """A line of a session step said the same way in every plan."""
    return f"session.step.{step}.{index}"


def plan_line(plan_id: str, step: str, index: int, duration: int | None = None) -> str:
    """A line filled in per plan (and per hold length when it says the duration)."""
    suffix = f".{duration}" if duration else ""
    return f"session.plan.{plan_id}.{step}.{index}{suffix}"


def cue(name: str) -> str:
    """A timed cue during a hold (``one_minute`` -> ``session.cue.one-minute``)."""
    return f"session.cue.{name.replace('_', '-')}"


def helper_line(step: str, index: int, plan_id: str | None = None) -> str:
    """A line said to the helper in a carer's session track (per plan when it names the angle)."""
    plan = f".{plan_id}" if plan_id else ""
    return f"session.helper.{step}.{index}{plan}"


def emergency_line(index: int) -> str:
    """One sentence of the short emergency chapter that opens every session track."""
    return f"emergency.short.{index}"


def summary(part: str) -> str:
    """A fixed sentence of the clinician summary read aloud ("title", "answered-by.they")."""
    return f"summary.{part}"


def question_title(question_id: str) -> str:
    """A question's short title, read in the summary before its answer."""
    return f"q.{question_id}.title"
