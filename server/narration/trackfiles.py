"""The JSON files written beside session tracks, as pydantic models.

Layout, beside the clips of a language::

    audio/<lang>/tracks/<plan>-<speed>-<hash16>.mp3            the track (immutable name)
    audio/<lang>/tracks/<plan>-<speed>-<hash16>.chapters.json  ``ChaptersDocument``
    audio/<lang>/tracks/index.json                             ``TrackIndex``

The one owner of these files: their folder and names, their models, reading them, and
writing them (``write_chapters``, ``write_track_index``). The session code decides what goes
in a track (``server.session.tracks``); the server and ``audio check`` read what it wrote
through the same models.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .clips import Speed, language_dir
from .errors import ManifestError
from .recipe import Recipe
from .storage import atomic_write

__all__ = [
    "CHAPTERS_SUFFIX",
    "CHAPTERS_VERSION",
    "INDEX_NAME",
    "TRACKS_DIR",
    "Chapter",
    "ChapterLine",
    "ChaptersDocument",
    "TrackIndex",
    "TrackIndexEntry",
    "chapters_name",
    "index_entry",
    "load_chapters",
    "load_track_index",
    "named_files",
    "tracks_dir",
    "write_chapters",
    "write_track_index",
]

TRACKS_DIR = "tracks"
INDEX_NAME = "index.json"
CHAPTERS_SUFFIX = ".chapters.json"  # beside the track <name>.mp3: <name>.chapters.json
CHAPTERS_VERSION = 1


class _Model(BaseModel):
    # Unknown keys are kept rather than refused, so an older reader survives a newer writer.
    model_config = ConfigDict(frozen=True, extra="allow")


class ChapterLine(_Model):
    """One spoken line or pause inside a chapter."""

    kind: str
    start: float
    end: float
    text: str


class Chapter(_Model):
    """One step of a session: where it starts in the track and what it says."""

    id: str
    kind: str
    title: str
    start: float
    end: float
    start_frame: int = Field(ge=0)
    frames: int = Field(ge=0)
    text: str
    lines: list[ChapterLine] = Field(default_factory=list)


class ChaptersDocument(_Model):
    """``<track>.chapters.json``: the track's exact size and chapter times."""

    version: Literal[1]
    lang: str
    plan: str
    speed: Speed
    file: str
    script_key: str
    sample_rate: int = Field(gt=0)
    samples_per_frame: int = Field(gt=0)
    frames: int = Field(ge=0)
    duration: float = Field(ge=0)
    bytes: int = Field(ge=0)
    # The track's SHA-256 as built (None in files written before it was recorded).
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    chapters: list[Chapter]
    # How to make the same bytes from the clips (None in files written before it existed:
    # "Use offline" then downloads the track whole).
    recipe: Recipe | None = None


class TrackIndexEntry(_Model):
    """The current track of one plan at one speed."""

    file: str
    chapters: str
    script_key: str
    frames: int = Field(ge=0)
    duration: float = Field(ge=0)
    bytes: int = Field(ge=0)
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class TrackIndex(_Model):
    """``tracks/index.json``: plan id -> speed -> current track."""

    version: Literal[1]
    lang: str
    tracks: dict[str, dict[Speed, TrackIndexEntry]] = Field(default_factory=dict)
    # Files of the previous generation a running server may still link (kept by a prune).
    retired: list[str] = Field(default_factory=list)


def tracks_dir(audio_root: Path, lang: str) -> Path:
    """``audio_root/<lang>/tracks``."""
    return language_dir(audio_root, lang) / TRACKS_DIR


def chapters_name(track_file: str) -> str:
    """The chapters file's name beside the track file ``track_file`` (``<name>.mp3``)."""
    return track_file.removesuffix(".mp3") + CHAPTERS_SUFFIX


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: unreadable ({exc})") from None


def _problem(path: Path, exc: ValidationError) -> ManifestError:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "document"
    return ManifestError(f"{path}: {where}: {error['msg']}")


def load_track_index(audio_root: Path, lang: str) -> TrackIndex | None:
    """The track index of ``lang``, or None when no track was ever built.

    Raises ManifestError when the file exists but is unreadable or malformed.
    """
    path = tracks_dir(audio_root, lang) / INDEX_NAME
    if not path.is_file():
        return None
    try:
        return TrackIndex.model_validate(_read(path))
    except ValidationError as exc:
        raise _problem(path, exc) from None


def load_chapters(path: Path) -> ChaptersDocument:
    """One chapters file; raises ManifestError when unreadable or malformed."""
    try:
        return ChaptersDocument.model_validate(_read(path))
    except ValidationError as exc:
        raise _problem(path, exc) from None


# Writing. The session build makes the documents as plain dicts (``ChaptersDocument`` and
# ``TrackIndex`` read them back); the bytes written are the same as ever, so a library
# built before is reused as it is.

Index = Mapping[str, Mapping[str, Mapping[str, Any]]]


def write_chapters(path: Path, document: Mapping[str, Any]) -> None:
    """Write one chapters file (a ``ChaptersDocument``), atomically."""
    atomic_write(path, (json.dumps(document, indent=1) + "\n").encode("utf-8"))


def index_entry(document: Mapping[str, Any]) -> dict[str, Any]:
    """The track index's entry (a ``TrackIndexEntry``) for the track a chapters document
    describes."""
    return {
        "file": document["file"],
        "chapters": chapters_name(document["file"]),
        "script_key": document["script_key"],
        "frames": document["frames"],
        "duration": document["duration"],
        "bytes": document["bytes"],
        "sha256": document["sha256"],
    }


def named_files(tracks: Index) -> set[str]:
    """The track and chapters files an index's ``tracks`` name."""
    return {
        str(e[k])
        for by_speed in tracks.values()
        for e in by_speed.values()
        for k in ("file", "chapters")
    }


def write_track_index(directory: Path, lang: str, tracks: Index, retired: set[str]) -> None:
    """Write ``index.json`` (a ``TrackIndex``) in ``directory``, atomically, unless it already
    says the same."""
    body: dict[str, Any] = {"version": CHAPTERS_VERSION, "lang": lang, "tracks": tracks}
    if retired:
        body["retired"] = sorted(retired)
    text = (json.dumps(body, indent=1, sort_keys=True) + "\n").encode("utf-8")
    index_path = directory / INDEX_NAME
    with contextlib.suppress(OSError):
        if index_path.read_bytes() == text:
            return
    atomic_write(index_path, text)
