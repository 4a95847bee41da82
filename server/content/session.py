"""The guided session's text and plans, as pydantic models (the ``session:`` part of content).

Everything a session says or shows lives here, in each language's content file: the steps of
a track with their spoken lines and pauses, the time cues, the pre-session checks, the plans of
the progression and the after-session feedback (the fixed strings of the pages are in
``session_ui``). The rules that turn a plan into a timed track (which cues go where) live in
``server.speech.script``; this module only holds and checks the words.
"""

from __future__ import annotations

import itertools
from typing import Literal

from pydantic import Field, model_validator

from server.content.perspective import Perspective
from server.content.session_ui import SessionUi
from server.content.types import NonEmpty, Slug, Strict, placeholders

# What a spoken line or a step title may mention; filled in per plan.
LINE_PLACEHOLDERS = frozenset({"angle", "duration", "plan"})
FEELINGS = ("fine", "dizzy", "pain", "other")


class Line(Strict):
    """One spoken sentence of a step, with the silence after it.

    ``at`` (seconds from the start of the step) places the line at a fixed time; only steps
    with a fixed length use it. Without it a line follows the previous one and its pause.
    """

    say: NonEmpty
    pause: float = Field(default=0.0, ge=0, le=120)
    at: float | None = Field(default=None, ge=0, le=600)
    # Where a clinical line's advice comes from (never shown or spoken).
    source: NonEmpty | None = None


class Step(Strict):
    """One chapter of the track: a title shown in large text and the lines spoken in it."""

    title: NonEmpty
    lines: list[Line] = Field(min_length=1)
    seconds: int | None = Field(default=None, ge=10, le=600)

    @model_validator(mode="after")
    def _timed(self) -> Step:
        if self.lines[0].at not in (None, 0):
            # A step always opens with speech, so seeking to it never lands in silence.
            raise ValueError("the first line of a step must start the step (no `at`, or 0)")
        for line in self.lines:
            if line.at is not None and (self.seconds is None or line.at >= self.seconds):
                raise ValueError("`at` needs a step `seconds` longer than it")
        return self


class Steps(Strict):
    """The steps every plan is made of, in the order a single-hold plan plays them.

    Plans with several holds add ``up_between``, ``rest_between`` and ``tilt_again`` between
    holds. ``come_up`` is where "Stop and come up now" always leads.
    """

    intro: Step
    setup: Step
    tilt_back: Step
    hold: Step
    up_between: Step
    rest_between: Step
    tilt_again: Step
    come_up: Step
    rest: Step
    sit_up: Step
    cool_down: Step


class Cues(Strict):
    """Sentences spoken during a hold, at times the session rules choose."""

    safety: NonEmpty
    one_minute: NonEmpty
    thirty_seconds: NonEmpty
    ten_seconds: NonEmpty
    countdown: NonEmpty
    # Where the stop signs of ``safety`` come from (never shown or spoken).
    source: NonEmpty


class Durations(Strict):
    """How a length of time is said (used in ``{duration}``)."""

    one_minute: NonEmpty
    minutes: NonEmpty
    seconds: NonEmpty

    def say(self, seconds: int) -> str:
        """``seconds`` in words: "30 seconds", "1 minute", "3 minutes"."""
        if seconds % 60:
            return self.seconds.format(n=seconds)
        if seconds == 60:
            return self.one_minute
        return self.minutes.format(n=seconds // 60)


def _hold_ok(seconds: int) -> bool:
    # Short holds (intermittent) or whole half minutes: the cue rules in server.speech.script fit
    # every such length without two sentences overlapping.
    return 20 <= seconds <= 30 or (60 <= seconds <= 600 and seconds % 30 == 0)


class Plan(Strict):
    """One session plan: the angle to set on the tether, and how long each hold lasts.

    ``step`` orders plans from gentlest; ``ladder`` plans form the progression the app
    suggests from, ``move_on_after`` sessions that felt fine (on different days) before it
    suggests the next one. Off-ladder plans (intermittent) are gentler options.
    """

    id: Slug
    title: NonEmpty
    summary: NonEmpty
    spoken: NonEmpty
    angle: int = Field(ge=10, le=60)
    holds: list[int] = Field(min_length=1, max_length=6)
    rest_seconds: int = Field(default=0, ge=0, le=300)
    step: int = Field(ge=1, le=20)
    ladder: bool = True
    move_on_after: int | None = Field(default=None, ge=1, le=30)
    gentler: Slug | None = None
    source: NonEmpty

    @model_validator(mode="after")
    def _shape(self) -> Plan:
        for seconds in self.holds:
            if not _hold_ok(seconds):
                raise ValueError(
                    f"hold of {seconds} s: use 20 to 30 s, or whole half minutes up to 10 minutes"
                )
        if len(self.holds) > 1 and self.rest_seconds < 10:
            raise ValueError("a plan with several holds needs rest_seconds of 10 or more")
        return self

    @property
    def hold_seconds(self) -> int:
        """Total time spent inverted."""
        return sum(self.holds)


# A first-ever session is at this angle (CLINICAL-FACTS, Review decision 6).
FIRST_ANGLE = 20


def ladder_problems(ladder: list[Plan]) -> list[str]:
    """The progression changes one thing at a time: from each plan to the next, either the
    angle or the time inverted goes up, never both, and it starts at the first angle."""
    problems = []
    if ladder and ladder[0].angle != FIRST_ANGLE:
        problems.append(f"the first ladder plan must be at {FIRST_ANGLE} degrees")
    for before, after in itertools.pairwise(ladder):
        angle_up = after.angle != before.angle
        time_up = after.hold_seconds != before.hold_seconds
        if angle_up and time_up:
            problems.append(f"plan {after.id!r} changes both the angle and the time")
        if not angle_up and not time_up:
            problems.append(f"plan {after.id!r} changes nothing from {before.id!r}")
        if after.angle < before.angle or after.hold_seconds < before.hold_seconds:
            problems.append(f"plan {after.id!r} is gentler than the plan before it")
    return problems


class Check(Strict):
    """One pre-session check, asked of the person (``question``) or of a carer (``they``).

    ``stop_on`` is the answer that stops the session: "no" for most checks, asked so that Yes
    lets the session go on; "yes" for a check such as "Has your health changed since you took
    the check?". "Not sure" always stops, whatever ``stop_on`` says. ``if_no`` (the name is
    historical: it is the advice shown whenever the check stops the session) and
    ``they_if_no`` say what to do. ``retake_check``: a stop sends the person back to the
    screening (take the check again) rather than only "not today".
    """

    id: Slug
    question: NonEmpty
    they: NonEmpty
    if_no: NonEmpty
    they_if_no: NonEmpty
    stop_on: Literal["yes", "no"] = "no"
    retake_check: bool = False
    # Where the check comes from (never shown or spoken), like every clinical sentence.
    source: NonEmpty

    @property
    def go_on_answer(self) -> str:
        """The one answer ("yes" or "no") that lets the session go on."""
        return "yes" if self.stop_on == "no" else "no"

    def stops(self, answer: str) -> bool:
        """Whether ``answer`` ("yes", "no", "not-sure") stops the session."""
        return answer != self.go_on_answer

    def asked(self, perspective: Perspective) -> str:
        return self.they if perspective == Perspective.THEY else self.question

    def advice(self, perspective: Perspective) -> str:
        return self.they_if_no if perspective == Perspective.THEY else self.if_no


class FeelingWording(Strict):
    """The advice after a session, in one perspective."""

    title: NonEmpty
    advice: list[NonEmpty] = Field(min_length=1)


class Feeling(FeelingWording):
    """One answer to "How did that feel?" and the advice it leads to, said to the person (a
    carer's wording is in ``carer.feelings_they``; ``Content.feeling_text`` picks)."""

    id: Literal["fine", "dizzy", "pain", "other"]
    label: NonEmpty
    # Where the advice comes from (never shown or spoken; the carer's wording has the same).
    source: NonEmpty


class SessionText(Strict):
    """Everything the guided session says, in one language."""

    ui: SessionUi
    steps: Steps
    cues: Cues
    durations: Durations
    checks: list[Check] = Field(min_length=1)
    feelings: list[Feeling] = Field(min_length=4, max_length=4)
    plans: list[Plan] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> SessionText:
        problems: list[str] = []
        bad = self.ui.placeholder_problems()
        if bad:
            problems.append(f"session ui strings with wrong placeholders: {', '.join(bad)}")
        unknown_sources = self.ui.source_problems()
        if unknown_sources:
            problems.append(f"session ui sources for no string: {', '.join(unknown_sources)}")
        for name in type(self.steps).model_fields:
            step: Step = getattr(self.steps, name)
            for text in [step.title, *(line.say for line in step.lines)]:
                unknown = placeholders(text) - LINE_PLACEHOLDERS
                if unknown:
                    problems.append(f"steps.{name}: unknown placeholder(s) {sorted(unknown)}")
        for name in type(self.cues).model_fields:
            if name != "source" and placeholders(getattr(self.cues, name)):
                problems.append(f"cues.{name}: cues cannot have placeholders")
        if placeholders(self.durations.one_minute) or any(
            placeholders(t) != {"n"} for t in (self.durations.minutes, self.durations.seconds)
        ):
            problems.append("durations: minutes and seconds need {n}; one_minute none")
        for check in self.checks:
            for text in (check.question, check.if_no, check.they, check.they_if_no):
                if placeholders(text) - {"angle"}:
                    problems.append(f"checks.{check.id}: only {{angle}} may be filled in")
        if [f.id for f in self.feelings] != list(FEELINGS):
            problems.append(f"feelings must be, in order: {', '.join(FEELINGS)}")
        problems.extend(self._plan_problems())
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _plan_problems(self) -> list[str]:
        problems: list[str] = []
        ids = [p.id for p in self.plans]
        for dupe in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(f"plan id {dupe!r} repeats")
        check_ids = [c.id for c in self.checks]
        for dupe in sorted({i for i in check_ids if check_ids.count(i) > 1}):
            problems.append(f"check id {dupe!r} repeats")
        ladder = self.ladder
        if not ladder:
            problems.append("at least one plan must be on the ladder")
        steps = [p.step for p in ladder]
        if len(set(steps)) != len(steps):
            problems.append("ladder plans need different steps")
        for plan in self.plans:
            if plan.gentler is not None and plan.gentler not in ids:
                problems.append(f"plan {plan.id!r}: gentler plan {plan.gentler!r} does not exist")
            elif plan.gentler is not None and self.plan_by_id(plan.gentler).step > plan.step:
                problems.append(f"plan {plan.id!r}: its gentler plan is further along")
        for plan in ladder[:-1]:
            if plan.move_on_after is None:
                problems.append(f"plan {plan.id!r}: ladder plans need move_on_after")
        if ladder and ladder[0].step != min(p.step for p in self.plans):
            problems.append("the first ladder plan must be among the gentlest")
        problems.extend(ladder_problems(ladder))
        return problems

    @property
    def ladder(self) -> list[Plan]:
        """Plans of the progression, gentlest first."""
        return sorted((p for p in self.plans if p.ladder), key=lambda p: p.step)

    def plan(self, plan_id: str) -> Plan | None:
        return next((p for p in self.plans if p.id == plan_id), None)

    def plan_by_id(self, plan_id: str) -> Plan:
        found = self.plan(plan_id)
        if found is None:
            raise KeyError(plan_id)
        return found

    def check(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def feeling(self, feeling_id: str) -> Feeling | None:
        return next((f for f in self.feelings if f.id == feeling_id), None)
