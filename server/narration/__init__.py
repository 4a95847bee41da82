"""Narration: speech engines, the clip library and session track assembly.

A leaf package: it imports nothing else from ``server``. Code outside imports from here (and
``server.narration.cli.register``). Modules, one job each:

* ``clips``: speeds, voices, the clip key and file name (the one owner of the key scheme)
* ``manifest``: the manifest JSON (pydantic), load / write, "is this clip current"
* ``trackfiles``: the track files: their names, models (pydantic), reading and writing
* ``build`` (+ ``runner``, ``summary``): ``build_library`` and ``prune_library``
* ``check``: ``check_library`` / ``check_manifest`` / ``check_tracks``
* ``integrity`` (+ ``sideinfo``): what makes a clip whole: decodable frames, plausible length
* ``engines`` (``gtts_engine``, ``espeak``, ``retry``): speech engines
* ``storage``: atomic writes and the build lock; ``mp3_format``: one frame (header,
  format); ``mp3``: streams of frames; ``track``: tracks
* ``cli.register`` adds ``audio build`` / ``audio check`` to the project's command line
"""

from __future__ import annotations

from . import mp3, storage
from .build import build_library, prune_library
from .check import check_clip, check_library, check_manifest, check_tracks
from .clips import (
    ENGINE_CHOICES,
    SPEEDS,
    EngineChoice,
    Speed,
    VoiceSpec,
    clip_file_name,
    clip_key,
)
from .engines import GTTS_REFERENCE_FORMAT, Engine, EspeakEngine, GttsEngine, RetryPolicy
from .errors import (
    ClipIntegrityError,
    EngineError,
    EspeakError,
    GttsError,
    GttsRefusedError,
    GttsUnavailableError,
    LibraryBusyError,
    LibraryError,
    ManifestError,
    NarrationError,
)
from .integrity import SPEECH_RATES, SpeechRate, duration_problem, verify_audio, verify_clip
from .manifest import ClipEntry, Manifest, load_manifest, sha256_of
from .storage import atomic_write, library_lock
from .summary import BuildSummary
from .track import Segment, Track, TrackSegment, assemble_track
from .trackfiles import (
    CHAPTERS_VERSION,
    INDEX_NAME,
    TRACKS_DIR,
    Chapter,
    ChapterLine,
    ChaptersDocument,
    TrackIndex,
    TrackIndexEntry,
    load_chapters,
    load_track_index,
    tracks_dir,
)

__all__ = [
    "CHAPTERS_VERSION",
    "ENGINE_CHOICES",
    "GTTS_REFERENCE_FORMAT",
    "INDEX_NAME",
    "SPEECH_RATES",
    "SPEEDS",
    "TRACKS_DIR",
    "BuildSummary",
    "Chapter",
    "ChapterLine",
    "ChaptersDocument",
    "ClipEntry",
    "ClipIntegrityError",
    "Engine",
    "EngineChoice",
    "EngineError",
    "EspeakEngine",
    "EspeakError",
    "GttsEngine",
    "GttsError",
    "GttsRefusedError",
    "GttsUnavailableError",
    "LibraryBusyError",
    "LibraryError",
    "Manifest",
    "ManifestError",
    "NarrationError",
    "RetryPolicy",
    "Segment",
    "SpeechRate",
    "Speed",
    "Track",
    "TrackIndex",
    "TrackIndexEntry",
    "TrackSegment",
    "VoiceSpec",
    "assemble_track",
    "atomic_write",
    "build_library",
    "check_clip",
    "check_library",
    "check_manifest",
    "check_tracks",
    "clip_file_name",
    "clip_key",
    "duration_problem",
    "library_lock",
    "load_chapters",
    "load_manifest",
    "load_track_index",
    "mp3",
    "prune_library",
    "sha256_of",
    "storage",
    "tracks_dir",
    "verify_audio",
    "verify_clip",
]
