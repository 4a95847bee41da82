"""Exceptions raised by the narration package."""

from __future__ import annotations

__all__ = [
    "ClipIntegrityError",
    "EngineError",
    "EspeakError",
    "GttsError",
    "GttsRefusedError",
    "GttsUnavailableError",
    "LibraryBusyError",
    "LibraryError",
    "ManifestError",
    "NarrationError",
]


class NarrationError(Exception):
    """Base class for narration failures that a build reports rather than crashes on."""


class EngineError(NarrationError):
    """A speech engine could not produce a clip."""


class EspeakError(EngineError):
    """espeak-ng is missing, failed, or its audio could not be encoded."""


class GttsError(EngineError):
    """gTTS could not produce a clip."""


class GttsUnavailableError(GttsError):
    """Google could not be reached (connection refused, DNS failure, timeouts)."""


class GttsRefusedError(GttsError):
    """Google answered but would not give audio (rate limiting, 5xx, 403, empty answer)."""


class ManifestError(NarrationError):
    """A manifest file is unreadable or not in a known format."""


class LibraryError(NarrationError):
    """The library folder cannot be used: a file is in the way, or it cannot be written."""


class LibraryBusyError(LibraryError):
    """Another build holds the library's lock and the caller chose not to wait."""


class ClipIntegrityError(EngineError):
    """Audio came back but is not a whole, decodable clip of plausible length."""
