"""Retrying, pacing and giving up on a remote speech service.

``RetryPolicy`` and ``Throttle`` are used by the gTTS engine for each clip; ``FailureBreaker``
by an ``auto`` build, which stops asking Google once it is clearly away and lets espeak-ng
speak the rest. A build that asked for gTTS alone never gives up early: each clip gets the
full retry budget (``RetryPolicy.attempts``).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["FailureBreaker", "RetryPolicy", "Throttle"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, so parallel workers do not retry in lockstep.

    The limit: ``attempts`` tries per clip in all (default 4: the first and 3 retries),
    waiting ``base_delay * 2**(n-1)`` seconds after the n-th failure (1, 2, 4 s by default,
    jitter shortens each by up to half), never more than ``max_delay``; a Retry-After from the
    server lengthens a wait up to ``max_delay``. ``audio build --gtts-attempts`` sets it.
    """

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    jitter: float = 0.5

    def delay(self, failures: int, rng: random.Random) -> float:
        """Seconds to wait after the ``failures``-th consecutive failure (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (failures - 1))
        return ceiling * (1 - self.jitter * rng.random())


class Throttle:
    """Spaces calls at least ``min_interval`` seconds apart across all threads."""

    def __init__(
        self,
        min_interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = float("-inf")

    def wait(self) -> None:
        """Block until this caller's slot; slots are reserved under the lock, slept outside."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.min_interval
        if slot > now:
            self._sleep(slot - now)


class FailureBreaker:
    """Counts consecutive gTTS failures across workers and opens after ``threshold``.

    Once open, the build stops asking Google for the rest of the run, so an offline build
    costs a few failed requests rather than one retry cycle per sentence.
    """

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self._lock = threading.Lock()
        self._consecutive = 0
        self._open = False
        self.last_error: str | None = None

    @property
    def is_open(self) -> bool:
        """True once ``threshold`` failures happened in a row."""
        with self._lock:
            return self._open

    def record_success(self) -> None:
        """A success resets the count (Google is reachable again)."""
        with self._lock:
            self._consecutive = 0

    def record_failure(self, error: str) -> None:
        """Count one failure; open the breaker at the threshold."""
        with self._lock:
            self._consecutive += 1
            self.last_error = error
            if self._consecutive >= self.threshold:
                self._open = True
