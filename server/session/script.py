"""A plan's script: every sentence its session track says, in order, independent of audio.

plan -> Script (chapters of lines with their clip ids). ``timeline`` places the script in
whole MP3 frames; ``tracks`` joins the clips into one track.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Literal

from server import clip_ids
from server.content.session import Plan, SessionText, Step
from server.content.types import placeholders

COME_UP = "come-up"
# Spacing of the reminder to come up if unwell, during holds longer than this many seconds.
SAFETY_AFTER = 15
SAFETY_EVERY = 90
SAFETY_MIN_HOLD = 30

LineKind = Literal["step", "cue", "safety"]


@dataclass(frozen=True, slots=True)
class ScriptLine:
    """One clip to say. ``at`` fixes its time in the chapter; ``align_end`` makes it END there."""

    clip_id: str
    text: str
    pause: float = 0.0
    at: float | None = None
    align_end: bool = False
    kind: LineKind = "step"


@dataclass(frozen=True, slots=True)
class ChapterScript:
    """A step of the track: what is said, and how long it lasts when its length is fixed."""

    id: str
    kind: str
    title: str
    lines: tuple[ScriptLine, ...]
    seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Script:
    """Everything a plan's track says, in order, independent of any audio."""

    plan_id: str
    chapters: tuple[ChapterScript, ...]

    @property
    def key(self) -> str:
        """A hash of the whole script: a track built from an older script is stale."""
        material = json.dumps([self.plan_id, [asdict(c) for c in self.chapters]], sort_keys=True)
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]

    def chapter(self, chapter_id: str) -> ChapterScript:
        return next(c for c in self.chapters if c.id == chapter_id)

    def clip_texts(self) -> dict[str, str]:
        return {line.clip_id: line.text for c in self.chapters for line in c.lines}


def hold_cues(seconds: int) -> list[tuple[str, float, bool]]:
    """(cue name, time, align_end) for a hold of ``seconds``, in time order.

    Holds over 30 s hear the reminder to come up if unwell 15 s in, then every 90 s while it
    fits before the last minute. Time cues count down: one minute, thirty seconds, ten
    seconds, and "three, two, one" ending exactly when the hold ends.
    """
    cues: list[tuple[str, float, bool]] = []
    if seconds > SAFETY_MIN_HOLD:
        at = SAFETY_AFTER
        while True:
            cues.append(("safety", at, False))
            at += SAFETY_EVERY
            if at > seconds - 75:
                break
    if seconds >= 90:
        cues.append(("one_minute", seconds - 60, False))
    if seconds >= 60:
        cues.append(("thirty_seconds", seconds - 30, False))
    if seconds >= 20:
        cues.append(("ten_seconds", seconds - 10, False))
    cues.append(("countdown", seconds, True))
    return sorted(cues, key=lambda cue: cue[1])


def _step_chapter(
    text: SessionText,
    plan: Plan,
    key: str,
    chapter_id: str,
    *,
    title: str | None = None,
    seconds: float | None = None,
    duration: int | None = None,
) -> ChapterScript:
    step: Step = getattr(text.steps, key)
    slug = key.replace("_", "-")
    values = {
        "angle": plan.angle,
        "plan": plan.spoken,
        "duration": text.durations.say(duration or plan.holds[0]),
    }
    lines = []
    for index, line in enumerate(step.lines, start=1):
        said = line.say.format(**values)
        if placeholders(line.say):
            # Filled in per plan (and per hold length), so the clip belongs to that plan.
            extra = f".{duration}" if "duration" in placeholders(line.say) and duration else ""
            clip_id = clip_ids.plan_line(plan.id, slug, index, duration if extra else None)
        else:
            clip_id = clip_ids.step_line(slug, index)
        lines.append(ScriptLine(clip_id, said, line.pause, line.at))
    return ChapterScript(
        id=chapter_id,
        kind=slug,
        title=title if title is not None else step.title.format(**values),
        lines=tuple(lines),
        seconds=seconds if seconds is not None else step.seconds,
    )


def _hold_chapter(text: SessionText, plan: Plan, n: int) -> ChapterScript:
    seconds = plan.holds[n - 1]
    m = len(plan.holds)
    title = (
        text.ui.hold_n_of_m.format(n=n, m=m, angle=plan.angle)
        if m > 1
        else text.steps.hold.title.format(angle=plan.angle)
    )
    chapter = _step_chapter(
        text, plan, "hold", f"hold-{n}", title=title, seconds=seconds, duration=seconds
    )
    cue_lines = tuple(
        ScriptLine(
            clip_id=clip_ids.cue(name),
            text=getattr(text.cues, name),
            at=at,
            align_end=align_end,
            kind="safety" if name == "safety" else "cue",
        )
        for name, at, align_end in hold_cues(seconds)
    )
    return ChapterScript(
        chapter.id, "hold", chapter.title, chapter.lines + cue_lines, chapter.seconds
    )


def plan_script(plan: Plan, text: SessionText) -> Script:
    """The chapters of ``plan``'s track: set up, tilt back, hold (with rests between holds),
    come up, rest with the head down, come upright, cool down."""
    chapters = [
        _step_chapter(text, plan, "intro", "intro"),
        _step_chapter(text, plan, "setup", "setup"),
        _step_chapter(text, plan, "tilt_back", "tilt-back"),
    ]
    count = len(plan.holds)
    for n in range(1, count + 1):
        if n > 1:
            chapters.append(_step_chapter(text, plan, "tilt_again", f"tilt-{n}"))
        chapters.append(_hold_chapter(text, plan, n))
        if n < count:
            chapters.append(_step_chapter(text, plan, "up_between", f"up-{n}"))
            chapters.append(
                _step_chapter(
                    text, plan, "rest_between", f"rest-{n}", seconds=float(plan.rest_seconds)
                )
            )
    chapters += [
        _step_chapter(text, plan, "come_up", COME_UP),
        _step_chapter(text, plan, "rest", "rest"),
        _step_chapter(text, plan, "sit_up", "sit-up"),
        _step_chapter(text, plan, "cool_down", "cool-down"),
    ]
    return Script(plan.id, tuple(chapters))
