"""Guided session rules, as pure functions: plan -> script -> frame-exact timeline; the gate;
the progression from a device's own history.

A session is ONE pre-rendered track (DESIGN.md, "Playing with the screen off"). Its timeline is
worked out here in whole MP3 frames, from the clips' frame counts, so every chapter start the
browser seeks to is exact and every hold lasts exactly as long as its plan says.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Literal

from server.screening import Answer, OutcomeLevel
from server.session_content import FEELINGS, Plan, SessionText, Step, placeholders

COME_UP = "come-up"
# Feelings after a session that hold the progression back one plan.
HOLD_BACK = frozenset({"dizzy", "pain"})
# Spacing of the reminder to come up if unwell, during holds longer than this many seconds.
SAFETY_AFTER = 15
SAFETY_EVERY = 90
SAFETY_MIN_HOLD = 30

LineKind = Literal["step", "cue", "safety"]


class TimelineError(ValueError):
    """A script cannot be laid out: a sentence runs into the next one, or past its step."""


# --------------------------------------------------------------------------- script


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
            clip_id = f"session.plan.{plan.id}.{slug}.{index}{extra}"
        else:
            clip_id = f"session.step.{slug}.{index}"
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
            clip_id=f"session.cue.{name.replace('_', '-')}",
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


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True, slots=True)
class FrameClock:
    """Converts between seconds and whole MP3 frames of one stream format."""

    sample_rate: int
    samples_per_frame: int

    def frames(self, seconds: float) -> int:
        """Whole frames nearest to ``seconds`` (halves up), like mp3.frames_for_seconds."""
        return int(seconds * self.sample_rate / self.samples_per_frame + 0.5)

    def seconds(self, frames: int) -> float:
        return frames * self.samples_per_frame / self.sample_rate


@dataclass(frozen=True, slots=True)
class PlacedLine:
    clip_id: str
    text: str
    kind: LineKind
    start_frame: int
    frames: int


@dataclass(frozen=True, slots=True)
class PlacedChapter:
    id: str
    kind: str
    title: str
    start_frame: int
    frames: int
    lines: tuple[PlacedLine, ...]

    @property
    def end_frame(self) -> int:
        return self.start_frame + self.frames


# A track segment: a clip (by id) or a run of null frames.
TimelineSegment = tuple[Literal["clip"], str, int] | tuple[Literal["silence"], None, int]


@dataclass(frozen=True, slots=True)
class Timeline:
    """Where every chapter, clip and silence sits in a plan's track, in frames."""

    plan_id: str
    script_key: str
    clock: FrameClock
    chapters: tuple[PlacedChapter, ...]
    segments: tuple[TimelineSegment, ...]

    @property
    def frames(self) -> int:
        return sum(segment[2] for segment in self.segments)

    @property
    def duration(self) -> float:
        return self.clock.seconds(self.frames)

    def chapter(self, chapter_id: str) -> PlacedChapter:
        return next(c for c in self.chapters if c.id == chapter_id)

    def chapters_json(self) -> list[dict[str, object]]:
        """Chapters as stored beside the track and given to the player."""
        sec = self.clock.seconds
        return [
            {
                "id": c.id,
                "kind": c.kind,
                "title": c.title,
                "start": round(sec(c.start_frame), 6),
                "end": round(sec(c.end_frame), 6),
                "start_frame": c.start_frame,
                "frames": c.frames,
                "text": " ".join(line.text for line in c.lines),
                "lines": [
                    {
                        "kind": line.kind,
                        "start": round(sec(line.start_frame), 6),
                        "end": round(sec(line.start_frame + line.frames), 6),
                        "text": line.text,
                    }
                    for line in c.lines
                ],
            }
            for c in self.chapters
        ]


def lay_out(script: Script, clip_frames: Mapping[str, int], clock: FrameClock) -> Timeline:
    """Place every clip of ``script`` and the exact silences between them.

    ``clip_frames`` gives each clip's length in frames. Lines without ``at`` follow the
    previous line and its pause; lines with ``at`` start (or, with ``align_end``, end) at that
    time; a chapter with fixed ``seconds`` is padded with silence to exactly that length.
    Raises TimelineError when a line would start before the previous one has finished, or a
    chapter's speech outlasts its fixed length, rather than silently stretching a hold.
    """
    segments: list[TimelineSegment] = []
    chapters: list[PlacedChapter] = []
    track_frame = 0

    def silence(n: int) -> None:
        if n > 0:
            segments.append(("silence", None, n))

    for chapter in script.chapters:
        cursor = 0  # frames into this chapter
        placed: list[PlacedLine] = []
        for line in chapter.lines:
            try:
                length = clip_frames[line.clip_id]
            except KeyError:
                raise TimelineError(f"no clip for {line.clip_id!r}") from None
            if line.at is not None:
                target = clock.frames(line.at) - (length if line.align_end else 0)
                if target < cursor:
                    late = clock.seconds(cursor - target)
                    raise TimelineError(
                        f"{script.plan_id}: chapter {chapter.id!r}: {line.clip_id!r} should start "
                        f"at {clock.seconds(target):.2f} s but the sentence before it runs "
                        f"{late:.2f} s too long"
                    )
                silence(target - cursor)
                cursor = target
            segments.append(("clip", line.clip_id, length))
            placed.append(
                PlacedLine(line.clip_id, line.text, line.kind, track_frame + cursor, length)
            )
            cursor += length
            pause = clock.frames(line.pause)
            silence(pause)
            cursor += pause
        if chapter.seconds is not None:
            fixed = clock.frames(chapter.seconds)
            if cursor > fixed:
                raise TimelineError(
                    f"{script.plan_id}: chapter {chapter.id!r} needs "
                    f"{clock.seconds(cursor):.2f} s of speech but lasts {chapter.seconds:g} s"
                )
            silence(fixed - cursor)
            cursor = fixed
        chapters.append(
            PlacedChapter(
                chapter.id, chapter.kind, chapter.title, track_frame, cursor, tuple(placed)
            )
        )
        track_frame += cursor
    return Timeline(script.plan_id, script.key, clock, tuple(chapters), tuple(segments))


# --------------------------------------------------------------------------- gate


class Gate(StrEnum):
    """Whether the session is offered, from the screening outcome in the signed cookie."""

    NO_SCREENING = "none"
    AVOID = "avoid"
    ASK_FIRST = "ask-first"
    OPEN = "open"


def gate_for(level: OutcomeLevel | None, clinician_confirmed: bool) -> Gate:
    """OPEN after "no known reason", or after "check with your clinician first" once the
    user says a clinician has agreed; never after "do not use inversion"."""
    if level is None:
        return Gate.NO_SCREENING
    if level is OutcomeLevel.AVOID:
        return Gate.AVOID
    if level is OutcomeLevel.ASK_FIRST:
        return Gate.OPEN if clinician_confirmed else Gate.ASK_FIRST
    return Gate.OPEN


def answers_fingerprint(answers: Mapping[str, Answer]) -> str:
    """A short hash of a set of answers: a clinician's agreement applies to these answers only,
    so changing any answer (or starting again) asks for it again."""
    material = json.dumps(sorted((k, v.value) for k, v in answers.items()))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- progression


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One finished session as the device remembers it: plan, local day, how it felt."""

    plan: str
    day: str
    feeling: str


Reason = Literal["first", "continue", "move-on", "held-back", "repeat", "top"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    plan: str
    reason: Reason
    done: int = 0
    needed: int = 0
    gentler: str | None = field(default=None)


def parse_history(raw: object, plans: Sequence[Plan]) -> list[HistoryEntry]:
    """History from untrusted data (a device's storage); unknown or malformed entries drop."""
    if not isinstance(raw, list):
        return []
    known = {p.id for p in plans}
    out = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        plan, day, feeling = item.get("plan"), item.get("day"), item.get("feeling")
        if (
            isinstance(plan, str)
            and plan in known
            and isinstance(day, str)
            and len(day) == 10
            and isinstance(feeling, str)
            and feeling in FEELINGS
        ):
            out.append(HistoryEntry(plan, day, feeling))
    return out


def suggest(plans: Sequence[Plan], history: Sequence[HistoryEntry]) -> Suggestion:
    """The plan to suggest next, from the sessions this device remembers (oldest first).

    - No sessions: the first plan of the ladder.
    - Last session dizzy or painful: one plan gentler than the latest ladder plan used
      (never below the first); only sessions after it count towards moving on.
    - Last session "something else": the same plan again.
    - Otherwise the latest ladder plan, until it has ``move_on_after`` sessions that felt fine
      on different days (since the last dizzy or painful one); then the next plan.
    Off-ladder plans (intermittent) never move the position on the ladder.
    ``pwa/static/js/session.js`` mirrors this function; a browser test compares the two.
    """
    ladder = sorted((p for p in plans if p.ladder), key=lambda p: p.step)
    by_id = {p.id: p for p in plans}

    def result(plan: Plan, reason: Reason, done: int = 0, needed: int = 0) -> Suggestion:
        return Suggestion(plan.id, reason, done, needed, plan.gentler)

    if not history:
        return result(ladder[0], "first")
    on_ladder = [h for h in history if h.plan in by_id and by_id[h.plan].ladder]
    index = ladder.index(by_id[on_ladder[-1].plan]) if on_ladder else 0
    current = ladder[index]
    last = history[-1]
    if last.feeling in HOLD_BACK:
        return result(ladder[max(index - 1, 0)], "held-back")
    if last.feeling == "other":
        return result(current, "repeat")
    since = 0
    for i, entry in enumerate(history):
        if entry.feeling in HOLD_BACK:
            since = i + 1
    fine_days = {h.day for h in history[since:] if h.plan == current.id and h.feeling == "fine"}
    if index == len(ladder) - 1:
        return result(current, "top")
    needed = current.move_on_after or 1
    if len(fine_days) >= needed:
        return result(ladder[index + 1], "move-on")
    return result(current, "continue", len(fine_days), needed)


def is_ahead(plans: Sequence[Plan], chosen: str, suggested: str) -> bool:
    """Whether choosing ``chosen`` moves further along than the suggestion (asks to confirm)."""
    by_id = {p.id: p for p in plans}
    return by_id[chosen].step > by_id[suggested].step


def ladder_json(plans: Sequence[Plan]) -> list[dict[str, object]]:
    """What the browser needs to run ``suggest`` itself (history never leaves the device)."""
    return [
        {
            "id": p.id,
            "title": p.title,
            "step": p.step,
            "ladder": p.ladder,
            "move_on_after": p.move_on_after,
            "gentler": p.gentler,
        }
        for p in plans
    ]
