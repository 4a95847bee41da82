"""Which built session track the player and "Use offline" use (``tracks`` builds them; this
module does not import it).

Read at request time from the track index and the chapters files, through their pydantic
models (``server.narration.trackfiles``), and kept per file and modification time in a bounded
cache, so tracks built while the server runs are offered at once, and a track made from older
content, or whose file is missing or not the size it was built at, is never offered.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from server.content import Content
from server.content.perspective import PERSPECTIVES, Perspective
from server.narration import ManifestError, Speed
from server.narration.recipe import Recipe
from server.narration.trackfiles import (
    INDEX_NAME,
    ChaptersDocument,
    TrackIndex,
    load_chapters,
    load_track_index,
    tracks_dir,
)
from server.session.track_index import index_key
from server.speech.script import content_script


@dataclass(frozen=True)
class LoadedTrack:
    """A built track the player can use: its file name, size and chapters."""

    file: str
    bytes: int
    duration: float
    chapters: list[dict[str, Any]]
    sha256: str | None = None
    # How a device makes the same bytes from the clips (None for a track built before it).
    recipe: Recipe | None = None


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@functools.lru_cache(maxsize=64)
def _index(audio_root: Path, lang: str, mtime: int) -> TrackIndex | None:
    """The index as it was at ``mtime`` (the key makes a rewritten file a new entry)."""
    try:
        return load_track_index(audio_root, lang)
    except ManifestError:
        return None


@functools.lru_cache(maxsize=512)
def _chapters(path: Path, mtime: int) -> tuple[ChaptersDocument, list[dict[str, Any]]] | None:
    """A chapters file at ``mtime``, and its chapters as the player reads them."""
    try:
        document = load_chapters(path)
    except ManifestError:
        return None
    return document, [c.model_dump() for c in document.chapters]


def load_track(
    audio_root: Path,
    lang: str,
    plan_id: str,
    speed: str,
    script_key: str,
    perspective: Perspective = Perspective.YOU,
) -> LoadedTrack | None:
    """The current track of a plan at a speed, or None when it is not built or out of date."""
    directory = tracks_dir(audio_root, lang)
    index_mtime = _mtime(directory / INDEX_NAME)
    index = None if index_mtime is None else _index(audio_root, lang, index_mtime)
    if index is None:
        return None
    by_speed = index.tracks.get(index_key(plan_id, perspective), {})
    entry = by_speed.get(cast(Speed, speed))
    if entry is None or entry.script_key != script_key:
        return None
    chapters_path = directory / entry.chapters
    chapters_mtime = _mtime(chapters_path)
    document = None if chapters_mtime is None else _chapters(chapters_path, chapters_mtime)
    if document is None or document[0].file != entry.file:
        return None
    try:
        if (directory / entry.file).stat().st_size != entry.bytes:
            return None
    except OSError:
        return None
    chapters_file, chapters = document
    return LoadedTrack(
        entry.file,
        entry.bytes,
        chapters_file.duration,
        chapters,
        chapters_file.sha256,
        chapters_file.recipe,
    )


def current_tracks(
    audio_root: Path,
    lang: str,
    content: Content,
    speed: str = "normal",
    perspectives: Sequence[Perspective] = PERSPECTIVES,
) -> list[LoadedTrack]:
    """Every plan's current track at ``speed`` in each of ``perspectives`` (the person's own
    and the carer's, by default): what "Use offline" must save so that sessions play with no
    network."""
    out: list[LoadedTrack] = []
    for plan in content.session.plans:
        for perspective in perspectives:
            key = content_script(content, plan, perspective).key
            track = load_track(audio_root, lang, plan.id, speed, key, perspective)
            if track is not None:
                out.append(track)
    return out


def current_track_files(
    audio_root: Path,
    lang: str,
    content: Content,
    speed: str = "normal",
    perspectives: Sequence[Perspective] = PERSPECTIVES,
) -> list[tuple[str, int]]:
    """(file name under ``audio/<lang>/tracks/``, bytes) of each of ``current_tracks``."""
    return [
        (track.file, track.bytes)
        for track in current_tracks(audio_root, lang, content, speed, perspectives)
    ]
