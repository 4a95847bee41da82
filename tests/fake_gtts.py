"""A local fake of Google Translate's TTS endpoint, driven through the ``responses`` package.

gTTS POSTs ``f.req=<url-quoted JSON>`` to ``translate.google.<tld>/_/TranslateWebserverUi/
data/batchexecute`` and scans the answer line by line for the ``jQ1olc`` RPC, whose payload
is a JSON-escaped list holding the base64 MP3 (see ``gTTS.stream`` in gtts/tts.py). This fake
answers in that exact shape with real MP3 frames made by lameenc in gTTS's format, and can
be scripted to fail (429, 5xx, refused connection, timeout) so retries can be tested without
ever reaching Google.

``ToneEngine`` is a fast fake for either engine, for library tests that are not about audio.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import random
import re
import threading
import urllib.parse
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import lameenc
import requests
import responses
from requests import PreparedRequest

from server.narration import EngineError, mp3

BATCHEXECUTE = re.compile(
    r"https://translate\.google\.[a-z.]+/_/TranslateWebserverUi/data/batchexecute"
)

# What one scripted request does: "ok", an HTTP status, "connection", "timeout", or a fault.
Behaviour = int | str
FAULTS = ("empty", "empty-body", "html", "non-utf8", "corrupt", "cut")
HTML_PAGE = "<!DOCTYPE html><html><head><title>Before you continue</title></head></html>\n"


def corrupt_frames(audio: bytes, *, seed: int = 7, frames: int = 3) -> bytes:
    """``audio`` with the data of a few middle frames replaced by random bytes (headers kept)."""
    info = mp3.analyse(mp3.strip(audio))
    data = bytearray(mp3.strip(audio))
    rng = random.Random(seed)
    middle = info.frame_count // 2
    for index in range(middle, min(info.frame_count, middle + frames)):
        start = info.frame_offsets[index] + 4
        end = info.frame_offsets[index + 1] if index + 1 < info.frame_count else len(data)
        data[start:end] = bytes(rng.randrange(256) for _ in range(end - start))
    return bytes(data)


def noise_in_frames(audio: bytes, *, seed: int = 7, frames: int = 3) -> bytes:
    """``audio`` with the audio data of a few middle frames replaced by random bytes, their
    headers and side information kept: it still decodes (as noise), as disk damage might."""
    bare = mp3.strip(audio)
    info = mp3.analyse(bare)
    data = bytearray(bare)
    rng = random.Random(seed)
    middle = info.frame_count // 2
    for frame in list(mp3.iter_frames(bare))[middle : middle + frames]:
        start = frame.offset + 4 + frame.header.side_info_length
        end = frame.offset + frame.header.frame_length
        data[start:end] = bytes(rng.randrange(256) for _ in range(end - start))
    return bytes(data)


def cut_frames(audio: bytes, keep: float = 0.25) -> bytes:
    """``audio`` cut at a frame boundary, keeping the first ``keep`` of its frames."""
    bare = mp3.strip(audio)
    info = mp3.analyse(bare)
    return bare[: info.frame_offsets[max(1, int(info.frame_count * keep))]]


@functools.lru_cache(maxsize=64)
def tone_mp3(
    seconds: float,
    *,
    freq: float = 440.0,
    sample_rate: int = 24000,
    out_rate: int = 24000,
    bitrate: int = 32,
    channels: int = 1,
) -> bytes:
    """A real MP3 of a sine tone, encoded by lameenc (by default in gTTS's format)."""
    count = int(seconds * sample_rate)
    # One second of tone repeated: computing every sample in Python is slow for long clips.
    second = array(
        "h",
        (int(8000 * math.sin(2 * math.pi * freq * i / sample_rate)) for i in range(sample_rate)),
    )
    wave = (second * (count // sample_rate + 1))[:count]
    if channels == 2:
        wave = array("h", (s for s in wave for _ in range(2)))
    encoder = lameenc.Encoder()
    encoder.silence()
    encoder.set_bit_rate(bitrate)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_out_sample_rate(out_rate)
    encoder.set_channels(channels)
    encoder.set_quality(7)
    return bytes(encoder.encode(wave.tobytes())) + bytes(encoder.flush())


def batchexecute_body(audio: bytes) -> str:
    """The batchexecute answer gTTS parses, carrying ``audio`` as its base64 payload."""
    payload = json.dumps([base64.b64encode(audio).decode("ascii")])
    envelope = json.dumps(
        [["wrb.fr", "jQ1olc", payload, None, None, None, "generic"], ["di", 42]],
        separators=(",", ":"),
    )
    tail = json.dumps([["e", 4, None, None, len(envelope)]], separators=(",", ":"))
    return f")]}}'\n\n{len(envelope)}\n{envelope}\n{len(tail)}\n{tail}\n"


def decode_request(body: str | bytes) -> tuple[str, str, bool]:
    """(text, lang, slow) of one gTTS request body."""
    if isinstance(body, bytes):
        body = body.decode("ascii")
    fields = urllib.parse.parse_qs(body)
    rpc = json.loads(fields["f.req"][0])
    text, lang, speed, _ = json.loads(rpc[0][0][1])
    return text, lang, bool(speed)


@dataclass
class FakeGoogle:
    """Answers gTTS requests; ``script`` holds behaviours consumed one per request."""

    script: deque[Behaviour] = field(default_factory=deque)
    requests: list[tuple[str, str, bool, str]] = field(default_factory=list)
    # About 14 characters a second, as Google speaks: lengths pass the narration's rate bounds.
    seconds_per_char: float = 0.07
    retry_after: str = "1"
    by_text: dict[str, deque[Behaviour]] = field(default_factory=dict)

    def then(self, *behaviours: Behaviour) -> FakeGoogle:
        """Queue behaviours for the next requests; when the queue is empty requests succeed."""
        self.script.extend(behaviours)
        return self

    def for_text(self, text: str, *behaviours: Behaviour) -> FakeGoogle:
        """Queue behaviours for requests carrying exactly ``text`` (order-proof with threads)."""
        self.by_text.setdefault(text, deque()).extend(behaviours)
        return self

    def always(self, behaviour: Behaviour, times: int = 1000) -> FakeGoogle:
        """Queue one behaviour for (practically) every request."""
        return self.then(*([behaviour] * times))

    @property
    def texts(self) -> list[str]:
        """Texts of every request received, in order."""
        return [text for text, _, _, _ in self.requests]

    def audio_for(self, text: str) -> bytes:
        """The MP3 answered for ``text``: longer texts give longer audio."""
        return tone_mp3(round(0.3 + self.seconds_per_char * len(text), 2))

    def callback(self, request: PreparedRequest) -> tuple[int, dict[str, str], str | bytes]:
        assert request.body is not None
        text, lang, slow = decode_request(request.body)
        host = urllib.parse.urlsplit(str(request.url)).hostname or ""
        self.requests.append((text, lang, slow, host))
        own = self.by_text.get(text)
        if own:
            behaviour: Behaviour = own.popleft()
        else:
            behaviour = self.script.popleft() if self.script else "ok"
        if behaviour == "connection":
            raise requests.ConnectionError("fake: connection refused")
        if behaviour == "timeout":
            raise requests.ReadTimeout("fake: read timed out")
        if behaviour == "empty":
            return 200, {}, ')]}\'\n\n20\n[["di",42]]\n'
        if behaviour == "empty-body":
            return 200, {}, ""
        if behaviour == "html":
            return 200, {"Content-Type": "text/html"}, HTML_PAGE
        if behaviour == "non-utf8":
            return 200, {}, b")]}'\n\n\xff\xfe\xfa jQ1olc \xc3\x28\n"
        if behaviour == "corrupt":
            return 200, {}, batchexecute_body(corrupt_frames(self.audio_for(text)))
        if behaviour == "cut":
            return 200, {}, batchexecute_body(cut_frames(self.audio_for(text)))
        if isinstance(behaviour, int):
            return behaviour, {"Retry-After": self.retry_after} if behaviour == 429 else {}, "error"
        return 200, {"Content-Type": "application/json"}, batchexecute_body(self.audio_for(text))


@contextmanager
def fake_google(script: Iterable[Behaviour] = ()) -> Iterator[FakeGoogle]:
    """Intercept every gTTS request for the duration of the block.

    Any other HTTP request fails as a refused connection (responses' default), so a test can
    never reach the real network by accident.
    """
    fake = FakeGoogle(deque(script))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, BATCHEXECUTE, callback=fake.callback)
        yield fake


@contextmanager
def google_unreachable() -> Iterator[responses.RequestsMock]:
    """Every request fails to connect, as on a machine without internet."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


class ToneEngine:
    """A fast stand-in for either engine: real MP3 frames whose length depends on the text.

    It can fail some texts (EngineError), or raise KeyboardInterrupt / RuntimeError on the
    n-th call to simulate Ctrl-C or a crash in the middle of a build.
    """

    def __init__(
        self,
        name: str,
        *,
        freq: float = 440.0,
        fail: Callable[[str], bool] = lambda text: False,
        interrupt_on_call: int | None = None,
        crash_on_call: int | None = None,
        sample_rate: int = 24000,
    ) -> None:
        self.name = name
        self.freq = freq
        self.fail = fail
        self.interrupt_on_call = interrupt_on_call
        self.crash_on_call = crash_on_call
        self.sample_rate = sample_rate
        self.calls: list[tuple[str, str, str, bool]] = []
        self._lock = threading.Lock()

    def synthesize(self, text: str, lang: str, tld: str, slow: bool) -> bytes:
        with self._lock:
            self.calls.append((text, lang, tld, slow))
            call = len(self.calls)
        if call == self.interrupt_on_call:
            raise KeyboardInterrupt
        if call == self.crash_on_call:
            raise RuntimeError("engine bug")
        if self.fail(text):
            raise EngineError(f"{self.name} cannot say {text!r}")
        # About 170 words a minute (slow: 1.4 times longer), within the plausible-rate bounds.
        words = max(1, len(text.split()))
        seconds = round((0.3 + 0.35 * words) * (1.4 if slow else 1.0), 2)
        return tone_mp3(
            seconds, freq=self.freq, sample_rate=self.sample_rate, out_rate=self.sample_rate
        )

    @property
    def texts(self) -> list[str]:
        return [text for text, _, _, _ in self.calls]
