"""Speech engines that turn one sentence into one MP3 clip.

Two real engines share one output shape so that their clips can be joined byte for byte:

* ``GttsEngine`` (``gtts_engine``): Google Translate's voice through gTTS (needs the internet).
* ``EspeakEngine`` (``espeak``): espeak-ng, offline, encoded with lameenc to gTTS's format.

The ``auto`` strategy (gTTS first, espeak-ng per clip when Google fails) lives in the build,
because it decides which clip key and file a result belongs to. Importing this module
imports neither gTTS nor requests: the gTTS engine loads them on its first request.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .espeak import GTTS_REFERENCE_FORMAT, EspeakEngine
from .gtts_engine import GttsEngine
from .retry import FailureBreaker, RetryPolicy, Throttle

__all__ = [
    "GTTS_REFERENCE_FORMAT",
    "Engine",
    "EspeakEngine",
    "FailureBreaker",
    "GttsEngine",
    "RetryPolicy",
    "Throttle",
]


@runtime_checkable
class Engine(Protocol):
    """Anything that can speak one text as one MP3 clip made of bare frames."""

    name: str

    def synthesize(self, text: str, lang: str, tld: str, slow: bool) -> bytes:
        """Return MP3 frames (no ID3, no Xing) speaking ``text``.

        ``lang`` and ``tld`` are the engine's voice selectors: for gTTS the language code and
        the Google domain that picks the accent; for espeak-ng the voice name and "" (unused).
        """
        ...
