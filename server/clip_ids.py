"""The clip id scheme: the one place a narration clip's id is spelled.

A clip id names a sentence the app can say ("q.glaucoma.you", "session.cue.countdown"); the
narration build maps it to an audio file. Pages, the session script, the offline rules and
the build all ask here, so an id is never assembled by hand anywhere else. This module
imports nothing from the app, so every layer may use it.
"""

from __future__ import annotations

HOME = "home"
INTRO = "intro"
CHECK = "check"
ERROR_NO_ANSWER = "error.no-answer"
SESSION_PLANS = "session.plans"
SESSION_AHEAD = "session.ahead"
SESSION_FEEDBACK = "session.feedback"


def question(question_id: str, perspective: str) -> str:
    """The question asked of the person (``you``) or of their carer (``they``)."""
    return f"q.{question_id}.{perspective}"


def question_why(question_id: str) -> str:
    return f"q.{question_id}.why"


def outcome(level: str) -> str:
    return f"outcome.{level}"


def gate(state: str) -> str:
    return f"session.gate.{state}"


def session_check(check_id: str, plan_id: str | None = None) -> str:
    """A pre-session check; per plan when its text names the plan's angle."""
    return f"session.check.{check_id}.{plan_id}" if plan_id else f"session.check.{check_id}"


def session_stop(check_id: str, plan_id: str | None = None) -> str:
    return f"session.stop.{check_id}.{plan_id}" if plan_id else f"session.stop.{check_id}"


def feeling(feeling_id: str) -> str:
    return f"session.feeling.{feeling_id}"


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
