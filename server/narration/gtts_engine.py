"""Google Translate's voice through the gTTS package (needs the internet).

gTTS splits a text over 100 characters into parts, one request each, and silently skips a
part whose reply holds no audio. This engine therefore counts the parts it asked for, takes
them one by one, and accepts a clip only when every part came back as decodable MP3 frames of
one format with a length plausible for the part's words. Anything else (an HTML page, an
empty body, a body that is not UTF-8, a part cut short) is a failed attempt, retried like a
429. gTTS and requests are imported only when a clip is actually requested, so an offline
build never loads them.
"""

from __future__ import annotations

import binascii
import json
import random
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import mp3
from .errors import GttsRefusedError, GttsUnavailableError
from .integrity import duration_problem, verify_audio
from .retry import RetryPolicy, Throttle

if TYPE_CHECKING:
    import requests

__all__ = ["GttsEngine"]


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


def _bad_audio(detail: str) -> _Failure:
    # Google answered 200 but not with whole audio: usually a transient glitch, so retry.
    return _Failure(detail, transient=True, unreachable=False)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # HTTP-date form: rare for this endpoint; fall back to our own backoff


def _classify_request_error(exc: BaseException) -> _Failure:
    import requests

    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    detail = f"{exc.__class__.__name__}: {first_line}" if first_line else exc.__class__.__name__
    # A connect timeout is a connection failure; a read timeout means Google answered slowly,
    # which is worth the full retry budget.
    if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.ConnectionError):
        return _Failure(f"timed out ({detail})", transient=True, unreachable=True)
    return _Failure(
        f"could not connect ({detail})", transient=True, unreachable=True, few_retries=True
    )


def _part_text(body: object) -> str | None:
    """The text one gTTS request body asks for (None if the wire format is not understood)."""
    try:
        raw = body.decode("ascii") if isinstance(body, bytes) else str(body)
        rpc = json.loads(urllib.parse.parse_qs(raw)["f.req"][0])
        text = json.loads(rpc[0][0][1])[0]
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError):
        return None
    return text if isinstance(text, str) else None


def _preview(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


@dataclass
class GttsEngine:
    """Google Translate's voice via ``gtts.gTTS(...).stream()``, checked part by part.

    Retries 429, 5xx, timeouts, connection errors and replies without whole audio with
    exponential backoff and jitter (``retry``: see ``RetryPolicy`` for the limit); spaces
    requests with a throttle shared by every thread using this engine. ``timeout`` bounds
    each request (the caller passes the project's setting). ``sleep`` and ``rng`` are
    injectable so tests never wait.
    """

    timeout: float
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
                        f"gTTS gave no usable audio for {_preview(text)} (lang {lang!r}, "
                        f"tld {tld!r}) after {failures} attempt(s): {failure}"
                    ) from None
                delay = self.retry.delay(failures, self.rng)
                if failure.retry_after is not None:
                    delay = min(self.retry.max_delay, max(delay, failure.retry_after))
                self.sleep(delay)

    def _attempt(self, text: str, lang: str, tld: str, slow: bool) -> bytes:
        # Imported here: only a build that uses gTTS needs it (and requests, which it loads).
        import requests
        from gtts import gTTS, gTTSError

        try:
            tts = gTTS(text, lang=lang, tld=tld, slow=slow, timeout=self.timeout)
            expected = [_part_text(body) for body in tts.get_bodies()]
        except (ValueError, AssertionError) as exc:  # unsupported language / nothing to say
            raise _Failure(
                f"gTTS refused the input: {exc}", transient=False, unreachable=False
            ) from None
        parts: list[bytes] = []
        try:
            for chunk in tts.stream():
                parts.append(bytes(chunk))
        except gTTSError as exc:
            response = exc.rsp
            if response is None:  # gTTS hides the requests error as the implicit context
                raise _classify_request_error(exc.__context__ or exc) from None
            status = response.status_code
            if status < 400:  # 200 whose body has the RPC line but no audio in it
                raise _bad_audio(f"part {len(parts) + 1}: answer held no audio") from None
            raise _Failure(
                f"HTTP {status} ({exc.msg})",
                transient=status == 429 or status >= 500,
                unreachable=False,
                retry_after=_retry_after(response),
            ) from None
        except requests.RequestException as exc:  # raised while streaming the body
            raise _classify_request_error(exc) from None
        except UnicodeDecodeError:
            raise _bad_audio(f"part {len(parts) + 1}: answer is not UTF-8 text") from None
        except (binascii.Error, ValueError) as exc:
            raise _bad_audio(f"part {len(parts) + 1}: audio payload unreadable ({exc})") from None
        return self._checked_join(parts, expected, slow)

    def _checked_join(self, parts: list[bytes], expected: list[str | None], slow: bool) -> bytes:
        # gTTS yields nothing for a part whose reply had no audio line (an HTML page, an
        # empty body), so a short count is the only sign a sentence lost a piece.
        if len(parts) != len(expected):
            raise _bad_audio(
                f"{len(parts)} of {len(expected)} part(s) came back with audio; "
                "the rest were answered without any"
            )
        frames: list[bytes] = []
        reference: mp3.StreamFormat | None = None
        for number, (part, part_text) in enumerate(zip(parts, expected, strict=True), start=1):
            try:
                bare = mp3.strip(part)
                info = verify_audio(bare)
            except mp3.Mp3Error as exc:
                raise _bad_audio(f"part {number} is not decodable audio: {exc}") from None
            if reference is None:
                reference = info.format
            elif info.format != reference:
                raise _bad_audio(f"part {number} is {info.format}, part 1 is {reference}")
            if part_text is not None:
                problem = duration_problem(self.name, slow, part_text, info.duration)
                if problem is not None:
                    raise _bad_audio(f"part {number} {problem}")
            frames.append(bare)
        if reference is None:
            raise _bad_audio("the answer held no audio")
        return b"".join(frames)
