"""A plan's script: every sentence its session track says, in order, independent of audio.

plan -> Script (chapters of lines with their clip ids). ``server.session.timeline`` places the
script in whole MP3 frames; ``server.session.tracks`` joins the clips into one track.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from server.content import Content
from server.content.carer import HelperLines
from server.content.models import SourcedLine
from server.content.perspective import Perspective
from server.content.session import Plan, SessionText, Step
from server.content.types import placeholders
from server.speech import clip_ids

COME_UP = "come-up"
# The short "if something goes wrong" chapter read first in every track, for the helper.
EMERGENCY = "emergency"
# The reminder to come up if unwell: said first in every hold, then every SAFETY_EVERY
# seconds in holds longer than SAFETY_MIN_HOLD, each time only if SAFETY_ROOM seconds (the
# slow voice saying it) fit before the last minute's cues.
SAFETY_EVERY = 90
SAFETY_MIN_HOLD = 30
SAFETY_ROOM = 25

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
    # THEY: the carer's track (helper lines added). Its repr is its string (see Perspective),
    # so the key below is the one the tracks were made with.
    perspective: Perspective = Perspective.YOU

    @property
    def key(self) -> str:
        """A hash of the whole script: a track built from an older script is stale."""
        # The repr of these frozen dataclasses (str, int, float, bool, None and tuples only)
        # names every field and value deterministically, at a sixth of the cost of
        # asdict + json; the player page computes this key on every request.
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()[:16]

    def chapter(self, chapter_id: str) -> ChapterScript:
        return next(c for c in self.chapters if c.id == chapter_id)

    def clip_texts(self) -> dict[str, str]:
        return {line.clip_id: line.text for c in self.chapters for line in c.lines}


def hold_cues(seconds: int) -> list[tuple[str, float | None, bool]]:
    """(cue name, time, align_end) for a hold of ``seconds``, in time order.

    Every hold hears the reminder to come up if unwell, straight after the hold's own line
    (time None: it follows that line), the gentle plan's short holds too (decision 22). Holds
    over 30 s hear it again every 90 s (90 s, 180 s...) while it fits before the last
    minute. Time cues count down: one minute, thirty seconds, ten seconds (not in a short
    hold, where the reminder takes its place), and "three, two, one" ending exactly when the
    hold ends.
    """
    cues: list[tuple[str, float | None, bool]] = [("safety", None, False)]
    at = SAFETY_EVERY
    while seconds > SAFETY_MIN_HOLD and at + SAFETY_ROOM <= seconds - 60:
        cues.append(("safety", at, False))
        at += SAFETY_EVERY
    if seconds >= 90:
        cues.append(("one_minute", seconds - 60, False))
    if seconds >= 60:
        cues.append(("thirty_seconds", seconds - 30, False))
    if seconds > SAFETY_MIN_HOLD:
        cues.append(("ten_seconds", seconds - 10, False))
    cues.append(("countdown", seconds, True))
    return sorted(cues, key=lambda cue: -1.0 if cue[1] is None else cue[1])


def _step_chapter(
    text: SessionText,
    plan: Plan,
    key: str,
    chapter_id: str,
    *,
    title: str | None = None,
    seconds: float | None = None,
    duration: int | None = None,
    helper: HelperLines | None = None,
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
    if helper is not None:
        for index, aside in enumerate(helper.for_step(key), start=1):
            said = aside.say.format(angle=plan.angle)
            plan_id = plan.id if placeholders(aside.say) else None
            lines.append(ScriptLine(clip_ids.helper_line(slug, index, plan_id), said, aside.pause))
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


def _emergency_chapter(title: str, short: Sequence[SourcedLine]) -> ChapterScript:
    lines = tuple(
        ScriptLine(clip_ids.emergency_line(index), line.say, 1.0 if index == len(short) else 0.5)
        for index, line in enumerate(short, start=1)
    )
    return ChapterScript(id=EMERGENCY, kind=EMERGENCY, title=title, lines=lines)


def plan_script(
    plan: Plan,
    text: SessionText,
    perspective: Perspective = Perspective.YOU,
    *,
    helper: HelperLines | None = None,
    emergency: tuple[str, Sequence[SourcedLine]] | None = None,
) -> Script:
    """The chapters of ``plan``'s track: (the emergency chapter,) set up, tilt back, hold
    (with rests between holds), come up, rest with the head down, come upright, cool down.

    ``Perspective.THEY`` is the carer's track: the person on the table hears the same
    steps, and ``helper`` lines for the carer follow the steps they belong to. ``emergency``
    (title, short lines) opens the track. Use ``content_script`` to get both from content.
    """
    extra = helper if perspective == Perspective.THEY else None

    def step(key: str, chapter_id: str, seconds: float | None = None) -> ChapterScript:
        return _step_chapter(text, plan, key, chapter_id, seconds=seconds, helper=extra)

    chapters = []
    if emergency is not None:
        chapters.append(_emergency_chapter(*emergency))
    chapters += [
        step("intro", "intro"),
        step("setup", "setup"),
        step("tilt_back", "tilt-back"),
    ]
    count = len(plan.holds)
    for n in range(1, count + 1):
        if n > 1:
            chapters.append(step("tilt_again", f"tilt-{n}"))
        chapters.append(_hold_chapter(text, plan, n))
        if n < count:
            chapters.append(step("up_between", f"up-{n}"))
            chapters.append(step("rest_between", f"rest-{n}", seconds=float(plan.rest_seconds)))
    chapters += [
        step("come_up", COME_UP),
        step("rest", "rest"),
        step("sit_up", "sit-up"),
        step("cool_down", "cool-down"),
    ]
    return Script(plan.id, tuple(chapters), Perspective.of(perspective))


def content_script(
    content: Content, plan: Plan, perspective: Perspective = Perspective.YOU
) -> Script:
    """The script of ``plan``'s track in ``perspective``, as the app builds and plays it: the
    short emergency chapter first, and helper lines in the carer's ("they") track."""
    return plan_script(
        plan,
        content.session,
        perspective,
        helper=content.carer.helper,
        emergency=(content.emergency.title, content.emergency.short),
    )
