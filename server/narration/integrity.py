"""Is this audio a whole clip? Frame data that decodes, and a length that fits its words.

Used on every part gTTS returns, on every clip before it is written, on clips a build reuses,
and by ``audio check``: one definition of "a good clip" everywhere.

Speech-rate bounds (words per minute, per engine and speed) are deliberately broad: they
catch a clip that lost a part or was cut short (a 170 wpm sentence cut to half its frames
reads as 340 wpm) or that holds far too much audio, without flagging real voices. A clip
shorter than ``words / max_wpm`` or longer than ``words / min_wpm + PAUSE_ALLOWANCE`` is
refused. The allowance covers the silence engines put around even a one-word clip.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import mp3
from .errors import ClipIntegrityError
from .sideinfo import check_frame_data

__all__ = [
    "DEFAULT_RATE",
    "PAUSE_ALLOWANCE",
    "SPEECH_RATES",
    "SpeechRate",
    "count_words",
    "duration_problem",
    "verify_audio",
    "verify_clip",
]


@dataclass(frozen=True, slots=True)
class SpeechRate:
    """The range of speaking rates, in words per minute, that counts as plausible."""

    min_wpm: float
    max_wpm: float


# Observed: gTTS speaks about 150-190 wpm (slow about half); espeak-ng runs at the rate it is
# given (175 / 130 wpm here) plus pauses. The bounds leave roughly a factor of two each way.
SPEECH_RATES: dict[tuple[str, bool], SpeechRate] = {
    ("gtts", False): SpeechRate(min_wpm=70, max_wpm=320),
    ("gtts", True): SpeechRate(min_wpm=35, max_wpm=240),
    ("espeak", False): SpeechRate(min_wpm=80, max_wpm=320),
    ("espeak", True): SpeechRate(min_wpm=55, max_wpm=260),
}
# For an engine this table does not know (a custom one passed to the build).
DEFAULT_RATE = SpeechRate(min_wpm=35, max_wpm=400)
PAUSE_ALLOWANCE = 2.0  # seconds


def count_words(text: str) -> int:
    """Whitespace-separated tokens holding at least one letter or digit."""
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


def duration_problem(engine: str, slow: bool, text: str, seconds: float) -> str | None:
    """Why ``seconds`` of audio is implausible for ``text`` spoken by ``engine``, or None."""
    rate = SPEECH_RATES.get((engine, slow), DEFAULT_RATE)
    words = count_words(text)
    speed = "slow" if slow else "normal"
    shortest = words * 60.0 / rate.max_wpm
    longest = words * 60.0 / rate.min_wpm + PAUSE_ALLOWANCE
    if seconds <= 0:
        return "holds no audio"
    if seconds < shortest:
        return (
            f"lasts {seconds:.2f} s, too short for {words} words (under {shortest:.2f} s, "
            f"faster than {rate.max_wpm:g} words a minute for {engine} {speed}): cut off?"
        )
    if seconds > longest:
        return (
            f"lasts {seconds:.2f} s, too long for {words} words (over {longest:.2f} s "
            f"for {engine} {speed})"
        )
    return None


def verify_audio(data: bytes) -> mp3.AudioInfo:
    """Check ``data`` is bare frames of one format whose frame data decodes; return its info.

    Raises mp3.Mp3Error naming the first problem.
    """
    info = mp3.analyse(data)
    check_frame_data(data)
    return info


def verify_clip(data: bytes, *, engine: str, slow: bool, text: str) -> mp3.AudioInfo:
    """Everything a clip must be before it is kept: decodable frames and a plausible length.

    Raises ClipIntegrityError saying what is wrong.
    """
    try:
        info = verify_audio(data)
    except mp3.Mp3Error as exc:
        raise ClipIntegrityError(f"does not decode: {exc}") from None
    problem = duration_problem(engine, slow, text, info.duration)
    if problem is not None:
        raise ClipIntegrityError(problem)
    return info
