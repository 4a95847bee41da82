"""Compatibility module: the clip library now lives in ``clips``, ``manifest``, ``build``,
``check`` and ``storage``. Import from ``server.narration`` instead; this module only keeps
older imports (``from server.narration.library import ...``) working.
"""

from __future__ import annotations

from .build import build_library, prune_library
from .check import check_library, check_manifest
from .clips import ENGINE_CHOICES, SPEEDS, EngineChoice, Speed, VoiceSpec, clip_file_name, clip_key
from .manifest import MANIFEST_NAME, MANIFEST_VERSION, ClipEntry, Manifest, load_manifest
from .storage import atomic_write
from .summary import BuildSummary

__all__ = [
    "ENGINE_CHOICES",
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "SPEEDS",
    "BuildSummary",
    "ClipEntry",
    "EngineChoice",
    "Manifest",
    "Speed",
    "VoiceSpec",
    "atomic_write",
    "build_library",
    "check_library",
    "check_manifest",
    "clip_file_name",
    "clip_key",
    "load_manifest",
    "prune_library",
]
