"""Assemble one long MP3 from clips and timed silences, with exact chapter times.

A guided session is played as one track in one audio element (see ../shared/DESIGN.md, "Playing with
the screen off"). Every segment here is a whole number of frames of one format, so a
segment's start time is its start frame times the frame duration: the chapter list the
browser seeks with is exact, not an estimate from byte sizes or bitrates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from . import mp3

__all__ = ["Segment", "Track", "TrackSegment", "assemble_track"]

Segment = tuple[Literal["clip"], Path | bytes] | tuple[Literal["silence"], float]


@dataclass(frozen=True, slots=True)
class TrackSegment:
    """Where one input segment landed in the track."""

    kind: Literal["clip", "silence"]
    start_frame: int
    frame_count: int
    start: float
    end: float

    @property
    def duration(self) -> float:
        """Seconds, from the frame count."""
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Track:
    """An assembled MP3 and the position of each segment in it."""

    data: bytes
    format: mp3.StreamFormat
    segments: tuple[TrackSegment, ...]

    @property
    def frame_count(self) -> int:
        """Frames in the whole track."""
        return sum(segment.frame_count for segment in self.segments)

    @property
    def duration(self) -> float:
        """Seconds in the whole track."""
        return self.frame_count * self.format.frame_seconds


def _load(source: Path | bytes) -> bytes:
    return source if isinstance(source, bytes) else Path(source).read_bytes()


def assemble_track(
    segments: Sequence[Segment], *, template: mp3.StreamFormat | None = None
) -> Track:
    """Join ``("clip", path_or_bytes)`` and ``("silence", seconds)`` segments into one MP3.

    Silences become null frames in the clips' own format (read from the first clip's
    header, or ``template`` when there are no clips), rounded to the nearest whole frame.
    Raises mp3.Mp3Error if a clip is not MP3 or its format differs from the others, and
    ValueError for a negative silence or an unknown segment kind.
    """
    clips: dict[int, tuple[bytes, int]] = {}
    fmt = template
    for index, (kind, value) in enumerate(segments):
        if kind == "clip":
            if isinstance(value, int | float):
                raise ValueError(f"segment {index}: a clip needs a path or bytes")
            try:
                frames = mp3.strip(_load(value))
                info = mp3.analyse(frames)
            except mp3.Mp3Error as exc:
                raise mp3.Mp3Error(f"segment {index}: {exc}") from exc
            if fmt is None:
                fmt = info.format
            elif info.format != fmt:
                changed = ", ".join(fmt.differences(info.format))
                raise mp3.Mp3Error(
                    f"segment {index} is {info.format}, the track is {fmt} (differs in {changed})"
                )
            clips[index] = (frames, info.frame_count)
        elif kind != "silence":
            raise ValueError(f"segment {index}: unknown kind {kind!r}")
    if fmt is None:
        raise ValueError("a track without clips needs a template format for its silences")

    frame_seconds = fmt.frame_seconds
    parts: list[bytes] = []
    placed: list[TrackSegment] = []
    position = 0
    for index, (kind, value) in enumerate(segments):
        if kind == "clip":
            data, count = clips[index]
        else:
            if not isinstance(value, int | float):
                raise ValueError(f"segment {index}: a silence needs a number of seconds")
            count = mp3.frames_for_seconds(fmt, float(value))
            data = mp3.silence_frames(fmt, count)
        parts.append(data)
        placed.append(
            TrackSegment(
                kind=kind,
                start_frame=position,
                frame_count=count,
                start=position * frame_seconds,
                end=(position + count) * frame_seconds,
            )
        )
        position += count
    return Track(b"".join(parts), fmt, tuple(placed))
