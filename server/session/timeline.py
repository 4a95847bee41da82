"""A script laid out in whole MP3 frames, so every chapter start the browser seeks to is
exact and every hold lasts exactly as long as its plan says (../shared/DESIGN.md, "Playing with the
screen off": a session is ONE pre-rendered track).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from server.speech.script import LineKind, Script


class TimelineError(ValueError):
    """A script cannot be laid out: a sentence runs into the next one, or past its step."""


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
