"""A session track's recipe: how to make its exact bytes again from clip files and null frames.

A track adds no sound to the clips it is joined from, only exact silence (more than half its
bytes) and an order. "Use offline" already saves every clip of a language and voice, so the
device makes each track from the saved clips with this recipe, checks that the result's
SHA-256 is the one recorded beside the track, and never downloads the silence (issue 25).

The recipe is written into the track's chapters file when the track is made (``trackfiles``)
and names, for each distinct clip, the file, its SHA-256 as built and the span of its audio
frames (the bytes ``mp3.strip`` keeps); then the parts in order: ``i >= 0`` is clip ``i``'s
frames, ``-n`` is ``n`` null frames (``mp3.silence_frames``: a header, then zeros).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from . import mp3

__all__ = ["RECIPE_VERSION", "Recipe", "RecipeClip", "cook", "make_recipe", "recipe_problems"]

RECIPE_VERSION: Literal[1] = 1


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


class RecipeClip(_Model):
    """One clip a track uses: its file (under ``audio/<lang>/``) and where its frames lie."""

    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Recipe(_Model):
    """How a track's bytes are made: clips' frames and runs of null frames, in order."""

    version: Literal[1]
    # The 4-byte header of every null frame (hex) and a whole frame's length in bytes.
    silence_header: str = Field(pattern=r"^[0-9a-f]{8}$")
    frame_bytes: int = Field(gt=4)
    clips: list[RecipeClip]
    parts: list[int]


def make_recipe(fmt: mp3.StreamFormat, segments: Sequence[Path | int]) -> Recipe:
    """The recipe of a track joined (as ``track.assemble_track`` joins) from ``segments``: a
    clip file, or a number of null frames in ``fmt``. Raises OSError or mp3.Mp3Error."""
    frame = mp3.silence_frames(fmt, 1)
    clips: list[RecipeClip] = []
    index: dict[Path, int] = {}
    parts: list[int] = []
    for segment in segments:
        if isinstance(segment, int):
            if segment:
                parts.append(-segment)
            continue
        if segment not in index:
            data = segment.read_bytes()
            start, end = mp3.audio_span(data)
            sha = _sha256(data)
            index[segment] = len(clips)
            clips.append(RecipeClip(file=segment.name, sha256=sha, start=start, end=end))
        parts.append(index[segment])
    return Recipe(
        version=RECIPE_VERSION,
        silence_header=frame[:4].hex(),
        frame_bytes=len(frame),
        clips=clips,
        parts=parts,
    )


def cook(recipe: Recipe, read: Callable[[str], bytes]) -> bytes:
    """The track's bytes from ``recipe``, reading each clip file with ``read(file)`` once.

    What the device does (``pwa/static/js/sw.js``, ``cookTrack``); the caller compares the
    result's SHA-256 with the track's.
    """
    frame = bytes.fromhex(recipe.silence_header) + bytes(recipe.frame_bytes - 4)
    spans = [read(clip.file)[clip.start : clip.end] for clip in recipe.clips]
    return b"".join(spans[part] if part >= 0 else frame * -part for part in recipe.parts)


def recipe_problems(recipe: Recipe, clip_dir: Path, track: bytes) -> list[str]:
    """Problems with a track's recipe: a clip it names is gone or changed, or what it makes
    is not the track (a device saving for offline use would then download the whole track)."""
    clips: dict[str, bytes] = {}
    problems = []
    for clip in recipe.clips:
        try:
            clips[clip.file] = (clip_dir / clip.file).read_bytes()
        except OSError as exc:
            problems.append(f"recipe: cannot read clip {clip.file} ({exc.strerror or exc})")
            continue
        if _sha256(clips[clip.file]) != clip.sha256:
            problems.append(f"recipe: clip {clip.file} changed since the track was built")
    if not problems and _sha256(cook(recipe, clips.__getitem__)) != _sha256(track):
        problems.append("recipe: does not make the track's bytes")
    return problems


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
