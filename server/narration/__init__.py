"""Narration: speech engines, the clip library and session track assembly.

Public surface (see each module for details):

* ``build_library`` / ``check_library`` / ``check_manifest`` / ``load_manifest`` / ``prune_library``
* ``VoiceSpec`` (what the content gives per language), ``Manifest``, ``ClipEntry``, ``BuildSummary``
* ``assemble_track`` (``track``) and the frame utilities in ``mp3``
* ``GttsEngine``, ``EspeakEngine`` and the ``Engine`` protocol (``engines``)
* ``cli.register`` adds ``audio build`` / ``audio check`` to the project's command line
"""

from __future__ import annotations

from . import mp3
from .engines import GTTS_REFERENCE_FORMAT, Engine, EspeakEngine, GttsEngine, RetryPolicy
from .errors import (
    EngineError,
    EspeakError,
    GttsError,
    GttsRefusedError,
    GttsUnavailableError,
    ManifestError,
    NarrationError,
)
from .library import (
    SPEEDS,
    BuildSummary,
    ClipEntry,
    EngineChoice,
    Manifest,
    Speed,
    VoiceSpec,
    atomic_write,
    build_library,
    check_library,
    check_manifest,
    clip_file_name,
    clip_key,
    load_manifest,
    prune_library,
)
from .track import Segment, Track, TrackSegment, assemble_track

__all__ = [
    "GTTS_REFERENCE_FORMAT",
    "SPEEDS",
    "BuildSummary",
    "ClipEntry",
    "Engine",
    "EngineChoice",
    "EngineError",
    "EspeakEngine",
    "EspeakError",
    "GttsEngine",
    "GttsError",
    "GttsRefusedError",
    "GttsUnavailableError",
    "Manifest",
    "ManifestError",
    "NarrationError",
    "RetryPolicy",
    "Segment",
    "Speed",
    "Track",
    "TrackSegment",
    "VoiceSpec",
    "assemble_track",
    "atomic_write",
    "build_library",
    "check_library",
    "check_manifest",
    "clip_file_name",
    "clip_key",
    "load_manifest",
    "mp3",
    "prune_library",
]
