"""The offline voice on every core: espeak-ng clips made whole in worker processes.

espeak-ng runs as a child process, but the rest of a clip runs in the build's own Python
process: reading the WAV, LAME's encoding and checking every frame's side information
(``integrity``): about 50 ms of CPU a clip there against ~13 ms in espeak-ng itself (measured
here). LAME lets go of the GIL while it encodes; the frame checks and the WAV and MP3 parsing
do not, so threads share that part of the work. Issue 25 measured 20-21 clips a second with
one job and 39-40 with two on a quiet 2-core box. Here each espeak clip is synthesised and
verified in a small pool of processes, as many as the build's jobs and no more than the
machine's cores, so none of it waits on the GIL; the build's threads still carry the jobs
(gTTS waits on the network, where threads suffice). On the loaded box of 2026-12-06 the
rate before and after could not be told apart: with autogroup scheduling, a session gets its
fair share of a busy machine however many processes it runs (bench/espeak_pool.py,
docs/performance.md). A clip's CPU is mostly LAME's (``EspeakEngine.quality``).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor

from . import mp3
from .engines import Engine
from .errors import EngineError
from .integrity import verify_clip

__all__ = ["EspeakProcesses", "checked_clip", "process_count"]


def process_count(jobs: int) -> int:
    """Processes for ``jobs`` espeak clips at once: never more than the machine's cores."""
    return max(1, min(jobs, os.cpu_count() or 1))


def checked_clip(engine: str, data: bytes, *, slow: bool, text: str) -> mp3.AudioInfo:
    """``verify_clip``, its refusal named after the engine (the message a failed clip shows)."""
    try:
        return verify_clip(data, engine=engine, slow=slow, text=text)
    except EngineError as exc:
        raise type(exc)(f"{engine} audio refused: {exc}") from None


def _made(
    engine: Engine, text: str, lang: str, accent: str, slow: bool
) -> tuple[bytes, mp3.AudioInfo]:
    """In a worker process: one espeak clip, synthesised and verified."""
    data = engine.synthesize(text, lang, accent, slow)
    return data, checked_clip("espeak", data, slow=slow, text=text)


def _ignore_interrupts() -> None:
    # Ctrl-C reaches every process of the terminal's group: the build's main thread handles it
    # (queued clips are cancelled, clips in progress finish and are kept), not the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class EspeakProcesses:
    """A pool of ``processes`` workers for ``engine``, started at the first clip (a build that
    finds every clip made starts none) and closed by ``close``."""

    def __init__(self, engine: Engine, processes: int) -> None:
        self.engine = engine
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def make(self, text: str, lang: str, accent: str, slow: bool) -> tuple[bytes, mp3.AudioInfo]:
        """The clip's bytes and what verifying them found; raises EngineError as the engine
        (or the check) would in this process."""
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.processes,
                    # Not fork: the build has threads running, and a forked child could
                    # inherit a lock one of them holds.
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_ignore_interrupts,
                )
            pool = self._pool
        return pool.submit(_made, self.engine, text, lang, accent, slow).result()

    def close(self) -> None:
        """Stop the workers (after the clips they are making)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
