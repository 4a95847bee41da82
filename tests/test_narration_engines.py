"""Speech engines: espeak-ng for real, gTTS against a local fake of Google's endpoint."""

from __future__ import annotations

import random
import shutil
import subprocess
from typing import Any

import pytest

from server.narration import (
    GTTS_REFERENCE_FORMAT,
    EspeakEngine,
    EspeakError,
    GttsEngine,
    GttsRefusedError,
    GttsUnavailableError,
    RetryPolicy,
    mp3,
)
from server.narration.engines import Throttle
from server.narration.mp3 import ChannelMode, MpegVersion, StreamFormat
from tests.conftest import needs_espeak
from tests.fake_gtts import fake_google, google_unreachable, tone_mp3

LONG_TEXT = (
    "Keep your knees soft and your back flat against the table. Breathe out slowly as you "
    "tilt back, and stop at once if anything hurts, tingles or feels wrong."
)


class Sleeps:
    """Records the delays an engine asks for instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def gtts_engine(sleeps: Sleeps, **kwargs: Any) -> GttsEngine:
    kwargs.setdefault("timeout", 10.0)
    return GttsEngine(sleep=sleeps, min_interval=0, rng=random.Random(1), **kwargs)


def decodes_with_ffmpeg(data: bytes) -> None:
    if shutil.which("ffmpeg") is None:
        return
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", "pipe:0", "-f", "null", "-"],
        input=data,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == b"", done.stderr


# --------------------------------------------------------------------------- espeak-ng


@pytest.mark.slow
@needs_espeak
def test_espeak_clip_has_the_gtts_frame_format() -> None:
    clip = EspeakEngine().synthesize("Lie back slowly.", "en", "", False)
    info = mp3.analyse(clip)  # bare frames: no ID3, no Xing/Info frame
    gtts_like = mp3.analyse(tone_mp3(0.5)).format
    assert info.format == gtts_like == GTTS_REFERENCE_FORMAT
    assert info.format.version is MpegVersion.MPEG2
    assert info.format.sample_rate == 24000
    assert info.format.channel_mode is ChannelMode.MONO
    assert 0.5 < info.duration < 3
    assert mp3.strip(clip) == clip
    decodes_with_ffmpeg(clip)


@pytest.mark.slow
@needs_espeak
def test_espeak_duration_grows_with_text_and_slowness() -> None:
    engine = EspeakEngine()
    short = mp3.duration(engine.synthesize("Stop.", "en", "", False))
    long = mp3.duration(engine.synthesize(LONG_TEXT, "en", "", False))
    slow = mp3.duration(engine.synthesize(LONG_TEXT, "en", "", True))
    assert short < long < slow
    assert long > 5 * short


@pytest.mark.slow
@needs_espeak
def test_gtts_clip_and_espeak_clip_join_into_one_valid_mp3() -> None:
    google = tone_mp3(0.8)
    offline = EspeakEngine().synthesize("Come up now.", "en", "", False)
    header = mp3.first_header(google)
    joined = mp3.join([google, mp3.silence_frames(header, 20), offline])
    info = mp3.analyse(joined)
    assert info.frame_count == sum(mp3.analyse(part).frame_count for part in (google, offline)) + 20
    assert joined == google + mp3.silence_frames(header, 20) + offline
    decodes_with_ffmpeg(joined)


@pytest.mark.slow
@needs_espeak
def test_espeak_follows_the_target_format_it_is_given() -> None:
    # The target is read from a real gTTS clip at run time; prove nothing is hard-coded.
    target = StreamFormat(MpegVersion.MPEG2, 22050, ChannelMode.MONO, 40)
    clip = EspeakEngine(target=target).synthesize("Hello.", "en", "", False)
    assert mp3.analyse(clip).format == target


@pytest.mark.slow
@needs_espeak
def test_espeak_speaks_text_that_looks_like_an_option() -> None:
    clip = EspeakEngine().synthesize("-v is not a voice", "es", "", True)
    assert mp3.duration(clip) > 0.5


@needs_espeak
def test_espeak_errors_are_clear() -> None:
    with pytest.raises(EspeakError, match="voice 'nosuchvoice'"):
        EspeakEngine().synthesize("Hello.", "nosuchvoice", "", False)
    with pytest.raises(EspeakError, match="not installed"):
        EspeakEngine(executable="espeak-ng-missing").synthesize("Hello.", "en", "", False)
    with pytest.raises(EspeakError, match="empty"):
        EspeakEngine().synthesize("   ", "en", "", False)


# --------------------------------------------------------------------------- gTTS (fake)


def test_gtts_one_part_uses_the_voice_and_returns_bare_frames() -> None:
    sleeps = Sleeps()
    with fake_google() as google:
        clip = gtts_engine(sleeps).synthesize("Lie back slowly.", "es", "com.mx", True)
    assert google.requests == [("Lie back slowly.", "es", True, "translate.google.com.mx")]
    assert clip == google.audio_for("Lie back slowly.")
    assert mp3.analyse(clip).format == GTTS_REFERENCE_FORMAT
    assert sleeps.delays == []


def test_gtts_long_text_is_several_requests_joined_into_one_mp3() -> None:
    with fake_google() as google:
        clip = gtts_engine(Sleeps()).synthesize(LONG_TEXT, "en", "com", False)
    assert len(google.requests) >= 3
    assert all(len(text) <= 100 for text in google.texts)
    assert clip == b"".join(google.audio_for(text) for text in google.texts)
    info = mp3.analyse(clip)
    assert info.frame_count == sum(
        mp3.analyse(google.audio_for(text)).frame_count for text in google.texts
    )
    decodes_with_ffmpeg(clip)


def test_gtts_passes_an_explicit_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    import gtts

    seen: list[object] = []
    real = gtts.gTTS

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("timeout"))
        return real(*args, **kwargs)

    monkeypatch.setattr(gtts, "gTTS", spy)
    with fake_google():
        gtts_engine(Sleeps(), timeout=7.5).synthesize("Hello.", "en", "com", False)
    assert seen == [7.5]


def test_gtts_retries_429_then_succeeds() -> None:
    sleeps = Sleeps()
    with fake_google([429]) as google:
        clip = gtts_engine(sleeps).synthesize("Hello.", "en", "com", False)
    assert google.texts == ["Hello.", "Hello."]
    assert len(sleeps.delays) == 1
    assert sleeps.delays[0] >= 1.0  # honours Retry-After: 1
    assert clip == google.audio_for("Hello.")


def test_gtts_backs_off_exponentially_on_5xx_and_timeouts() -> None:
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=5, base_delay=1.0, max_delay=30.0, jitter=0.5)
    with fake_google([500, 503, "timeout", 502]) as google:
        gtts_engine(sleeps, retry=policy).synthesize("Hello.", "en", "com", False)
    assert len(google.requests) == 5
    assert len(sleeps.delays) == 4
    for n, delay in enumerate(sleeps.delays):
        assert 2**n * 0.5 <= delay <= 2**n  # jitter shaves up to half of the ceiling


def test_gtts_persistent_refusal_raises_a_clear_error() -> None:
    sleeps = Sleeps()
    with fake_google() as google, pytest.raises(GttsRefusedError) as failure:
        google.always(429)
        gtts_engine(sleeps, retry=RetryPolicy(attempts=3)).synthesize("Hi.", "en", "com", False)
    message = str(failure.value)
    assert "HTTP 429" in message and "after 3 attempt(s)" in message and "'Hi.'" in message
    assert len(google.requests) == 3
    assert len(sleeps.delays) == 2


def test_gtts_does_not_retry_a_permanent_refusal() -> None:
    with fake_google([403]) as google, pytest.raises(GttsRefusedError, match="HTTP 403"):
        gtts_engine(Sleeps()).synthesize("Hi.", "en", "com", False)
    assert len(google.requests) == 1


def test_gtts_unreachable_gives_up_quickly() -> None:
    sleeps = Sleeps()
    with google_unreachable(), pytest.raises(GttsUnavailableError, match="could not connect"):
        gtts_engine(sleeps, connect_attempts=2).synthesize("Hi.", "en", "com", False)
    assert len(sleeps.delays) == 1


def test_gtts_answer_without_audio_is_an_error() -> None:
    with fake_google() as google, pytest.raises(GttsRefusedError, match="no usable audio"):
        google.always("empty")
        gtts_engine(Sleeps(), retry=RetryPolicy(attempts=2)).synthesize("Hi.", "en", "com", False)


def test_gtts_unsupported_language_is_refused_without_a_request() -> None:
    with fake_google() as google, pytest.raises(GttsRefusedError, match="not supported"):
        gtts_engine(Sleeps()).synthesize("Hi.", "xx-nowhere", "com", False)
    assert google.requests == []


def test_throttle_spaces_calls_across_callers() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)

    throttle = Throttle(0.5, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        throttle.wait()
    assert slept == [0.5, 1.0]  # slots at 100.0, 100.5, 101.0 reserved without time passing
    now[0] = 105.0
    throttle.wait()
    assert slept == [0.5, 1.0]


def test_retry_policy_is_capped() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=8, jitter=0)
    assert [policy.delay(n, random.Random(0)) for n in range(1, 7)] == [1, 2, 4, 8, 8, 8]
