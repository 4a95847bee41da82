"""Speech engines that turn one sentence into one MP3 clip.

Two real engines share one output shape so that their clips can be joined byte for byte:

* ``GttsEngine``: Google Translate's voice through the gTTS package (needs the internet).
* ``EspeakEngine``: espeak-ng, offline, encoded with lameenc to the format gTTS produces.

The ``auto`` strategy (gTTS first, espeak-ng per clip when Google cannot be reached) lives in
the library build, because it decides which clip key and file a result belongs to; the
``FailureBreaker`` here is the piece of it that stops asking Google once it is clearly away.
"""

from __future__ import annotations

import random
import shutil
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import requests

from . import mp3
from .errors import EspeakError, GttsRefusedError, GttsUnavailableError

__all__ = [
    "GTTS_REFERENCE_FORMAT",
    "Engine",
    "EspeakEngine",
    "FailureBreaker",
    "GttsEngine",
    "RetryPolicy",
    "Throttle",
]

# What gTTS was observed to return: MPEG-2 layer III, 24 kHz, mono, 32 kbps CBR. Used only as
# the espeak target until a real gTTS clip is available to read the format from (the library
# does that at run time), so a change on Google's side is followed rather than fought.
GTTS_REFERENCE_FORMAT = mp3.StreamFormat(
    version=mp3.MpegVersion.MPEG2,
    sample_rate=24000,
    channel_mode=mp3.ChannelMode.MONO,
    bitrate_kbps=32,
)


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


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, so parallel workers do not retry in lockstep."""

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


class _PartCollector:
    """A write-only file object that keeps each ``write`` apart.

    gTTS writes one call per HTTP request (one per <=100-character chunk); keeping them
    separate lets each part be stripped and checked before the parts are joined.
    """

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)


class _Failure(Exception):
    """One failed gTTS attempt, classified for the retry loop."""

    def __init__(
        self,
        detail: str,
        *,
        transient: bool,
        unreachable: bool,
        few_retries: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(detail)
        self.transient = transient
        self.unreachable = unreachable
        self.few_retries = few_retries
        self.retry_after = retry_after


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # HTTP-date form: rare for this endpoint; fall back to our own backoff


def _classify_request_error(exc: BaseException) -> _Failure:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    detail = f"{exc.__class__.__name__}: {first_line}" if first_line else exc.__class__.__name__
    # A connect timeout is a connection failure; a read timeout means Google answered slowly,
    # which is worth the full retry budget.
    if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.ConnectionError):
        return _Failure(f"timed out ({detail})", transient=True, unreachable=True)
    return _Failure(
        f"could not connect ({detail})", transient=True, unreachable=True, few_retries=True
    )


@dataclass
class GttsEngine:
    """Google Translate's voice via ``gtts.gTTS(...).write_to_fp``.

    Retries 429, 5xx, timeouts and connection errors with exponential backoff and jitter;
    spaces requests with a throttle shared by every thread using this engine. ``sleep`` and
    ``rng`` are injectable so tests never wait.
    """

    timeout: float = 15.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    connect_attempts: int = 2
    min_interval: float = 0.4
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)
    name: str = field(default="gtts", init=False)
    _throttle: Throttle = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._throttle = Throttle(self.min_interval, clock=self.clock, sleep=self.sleep)

    def synthesize(self, text: str, lang: str, tld: str, slow: bool) -> bytes:
        """Speak ``text`` with gTTS; raise GttsUnavailableError / GttsRefusedError on failure."""
        failures = 0
        # A connection that cannot be opened rarely opens a second later, so those get fewer
        # attempts than rate limiting, which usually clears after a pause.
        attempts = self.retry.attempts
        while True:
            self._throttle.wait()
            try:
                return self._attempt(text, lang, tld, slow)
            except _Failure as failure:
                failures += 1
                if failure.few_retries:
                    attempts = min(attempts, self.connect_attempts)
                if not failure.transient or failures >= attempts:
                    kind = GttsUnavailableError if failure.unreachable else GttsRefusedError
                    raise kind(
                        f"gTTS gave no audio for {_preview(text)} (lang {lang!r}, tld {tld!r}) "
                        f"after {failures} attempt(s): {failure}"
                    ) from None
                delay = self.retry.delay(failures, self.rng)
                if failure.retry_after is not None:
                    delay = min(self.retry.max_delay, max(delay, failure.retry_after))
                self.sleep(delay)

    def _attempt(self, text: str, lang: str, tld: str, slow: bool) -> bytes:
        # Imported here: only a build needs gTTS; reading manifests and tracks never does.
        from gtts import gTTS, gTTSError

        try:
            tts = gTTS(text, lang=lang, tld=tld, slow=slow, timeout=self.timeout)
        except (ValueError, AssertionError) as exc:  # unsupported language / nothing to say
            raise _Failure(
                f"gTTS refused the input: {exc}", transient=False, unreachable=False
            ) from None
        collector = _PartCollector()
        try:
            tts.write_to_fp(collector)
        except gTTSError as exc:
            response = exc.rsp
            if response is None:  # gTTS hides the requests error as the implicit context
                raise _classify_request_error(exc.__context__ or exc) from None
            status = response.status_code
            transient = status == 429 or status >= 500
            raise _Failure(
                f"HTTP {status} ({exc.msg})",
                transient=transient,
                unreachable=False,
                retry_after=_retry_after(response),
            ) from None
        except requests.RequestException as exc:  # raised while streaming the body
            raise _classify_request_error(exc) from None
        if not collector.parts:
            raise _Failure("the answer held no audio", transient=True, unreachable=False)
        try:
            return mp3.join(collector.parts)
        except mp3.Mp3Error as exc:
            raise _Failure(f"undecodable audio: {exc}", transient=True, unreachable=False) from None


def _preview(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _parse_wav(data: bytes) -> tuple[bytes, int, int]:
    """PCM bytes, sample rate and channel count of a 16-bit PCM WAV.

    espeak-ng writing to stdout cannot seek back, so its RIFF and data sizes are placeholders
    (0x7ffff000-ish); the data chunk is therefore clamped to the bytes actually present.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise EspeakError("espeak-ng did not produce a WAV stream")
    offset = 12
    rate = channels = bits = 0
    while offset + 8 <= len(data):
        chunk_id = data[offset : offset + 4]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        body = offset + 8
        if chunk_id == b"fmt ":
            fmt_tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, body)
            if fmt_tag != 1 or bits != 16:
                raise EspeakError(f"unsupported WAV encoding (format {fmt_tag}, {bits} bits)")
        elif chunk_id == b"data":
            if not rate:
                raise EspeakError("WAV data chunk before its fmt chunk")
            pcm = data[body : min(len(data), body + size)]
            return pcm[: len(pcm) - len(pcm) % (2 * channels)], rate, channels
        offset = body + size + (size & 1)  # chunks are word aligned
    raise EspeakError("espeak-ng WAV has no data chunk")


@dataclass
class EspeakEngine:
    """espeak-ng speech encoded to MP3 in exactly ``target`` format (gTTS's by default).

    espeak-ng emits 22050 Hz WAV; LAME's own resampler converts it to the target rate while
    encoding, which is better filtered than a hand-written interpolation and keeps this
    module free of per-sample Python loops. The encoded header is then checked against the
    target, so a mismatch fails the clip instead of producing a track that cannot be joined.
    """

    target: mp3.StreamFormat = GTTS_REFERENCE_FORMAT
    normal_wpm: int = 175
    slow_wpm: int = 130
    executable: str = "espeak-ng"
    timeout: float = 60.0
    quality: int = 2
    name: str = field(default="espeak", init=False)

    def synthesize(self, text: str, lang: str, tld: str, slow: bool) -> bytes:
        """Speak ``text`` with espeak-ng voice ``lang`` (``tld`` is ignored)."""
        del tld  # espeak-ng encodes the accent in the voice name (en-gb, en-us, es-419 ...)
        if not text.strip():
            raise EspeakError("nothing to say: empty text")
        wav = self._run(text, lang, self.slow_wpm if slow else self.normal_wpm)
        pcm, rate, channels = _parse_wav(wav)
        if not pcm:
            raise EspeakError(f"espeak-ng produced no audio for {_preview(text)}")
        return self._encode(pcm, rate, channels)

    def _run(self, text: str, voice: str, wpm: int) -> bytes:
        exe = shutil.which(self.executable)
        if exe is None:
            raise EspeakError(
                f"{self.executable} is not installed (Debian/Ubuntu: apt-get install espeak-ng)"
            )
        # Text goes through stdin so a sentence starting with "-" is never read as an option.
        command = [exe, "-v", voice, "-s", str(wpm), "-b", "1", "--stdin", "--stdout"]
        try:
            done = subprocess.run(
                command,
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise EspeakError(f"espeak-ng took over {self.timeout:g} s") from exc
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or "no message"
            raise EspeakError(f"espeak-ng failed for voice {voice!r}: {message}")
        return done.stdout

    def _encode(self, pcm: bytes, rate: int, channels: int) -> bytes:
        import lameenc

        target = self.target
        if channels != (1 if target.channel_mode is mp3.ChannelMode.MONO else 2):
            raise EspeakError(f"cannot encode {channels}-channel audio as {target}")
        encoder = lameenc.Encoder()
        encoder.silence()  # LAME otherwise prints banners to stdout from worker threads
        encoder.set_bit_rate(target.bitrate_kbps)
        encoder.set_in_sample_rate(rate)
        encoder.set_out_sample_rate(target.sample_rate)
        encoder.set_channels(channels)
        encoder.set_quality(self.quality)
        encoded = bytes(encoder.encode(pcm)) + bytes(encoder.flush())
        try:
            frames = mp3.strip(encoded)  # drops a Xing/Info frame if this LAME build wrote one
            produced = mp3.analyse(frames).format
        except mp3.Mp3Error as exc:
            raise EspeakError(f"lameenc output is not valid MP3: {exc}") from exc
        if produced != target:
            raise EspeakError(f"lameenc produced {produced}, expected {target}")
        return frames
