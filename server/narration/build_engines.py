"""The engines one build uses: espeak-ng always (in the format of a gTTS clip already in the
library, so the two stay joinable), gTTS when the engine choice may use it, with a retry
budget and a sleep that an interrupted build cancels."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping

from . import mp3
from .engines import Engine, EspeakEngine, GttsEngine, RetryPolicy
from .manifest import Manifest

__all__ = ["Cancelled", "cancellable_sleep", "default_engines", "espeak_rate_tag"]


def espeak_rate_tag(engines: Mapping[str, Engine] | None) -> str:
    engine = (engines or {}).get("espeak")
    return (engine if isinstance(engine, EspeakEngine) else EspeakEngine()).rate_tag


class Cancelled(Exception):
    """Raised in a worker that was waiting to retry when the build was interrupted.

    Deliberately not an EngineError: the clip is neither failed nor worth a fallback."""


def cancellable_sleep(cancel: threading.Event) -> Callable[[float], None]:
    # Without this, Ctrl-C during a long backoff (Retry-After can ask for 30 s) would make
    # the build wait out the pause before it could write its manifest and exit.
    def sleep(seconds: float) -> None:
        if cancel.wait(seconds):
            raise Cancelled

    return sleep


def default_engines(
    manifest: Manifest,
    need_gtts: bool,
    gtts_timeout: float | None,
    gtts_attempts: int | None,
    engine_is_gtts: bool,
    cancel: threading.Event,
) -> dict[str, Engine]:
    target = None
    # Follow the format of a real gTTS clip when there is one, so espeak clips stay joinable
    # with Google's even if Google changes its encoding.
    for entry in manifest.entries():
        if entry.engine == "gtts":
            with contextlib.suppress(OSError, mp3.Mp3Error):
                target = mp3.first_header(manifest.file_path(entry).read_bytes()).format
                break
    engines: dict[str, Engine] = {
        "espeak": EspeakEngine(target=target) if target is not None else EspeakEngine()
    }
    if need_gtts:
        if gtts_timeout is None:
            raise ValueError("gtts_timeout is required when gTTS may be used (settings)")
        retry = RetryPolicy() if gtts_attempts is None else RetryPolicy(attempts=gtts_attempts)
        engines["gtts"] = GttsEngine(
            timeout=gtts_timeout,
            retry=retry,
            # Chosen alone, gTTS gets its whole budget even when it cannot connect; in auto,
            # espeak is waiting, so a refused connection is given up on sooner.
            connect_attempts=retry.attempts if engine_is_gtts else 2,
            sleep=cancellable_sleep(cancel),
        )
    return engines
