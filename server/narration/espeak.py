"""espeak-ng, offline, encoded with lameenc to the MP3 format gTTS produces."""

from __future__ import annotations

import shutil
import struct
import subprocess
from dataclasses import dataclass, field

from . import mp3
from .errors import EspeakError

__all__ = ["GTTS_REFERENCE_FORMAT", "EspeakEngine"]

# What gTTS was observed to return: MPEG-2 layer III, 24 kHz, mono, 32 kbps CBR. Used only as
# the espeak target until a real gTTS clip is available to read the format from (the library
# does that at run time), so a change on Google's side is followed rather than fought.
GTTS_REFERENCE_FORMAT = mp3.StreamFormat(
    version=mp3.MpegVersion.MPEG2,
    sample_rate=24000,
    channel_mode=mp3.ChannelMode.MONO,
    bitrate_kbps=32,
)


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
    # Near 160 words a minute (issue 11): espeak-ng's default 175 runs ahead of listeners
    # who are new to the guide. The rates are part of the clip key (``rate_tag``, stored as
    # the espeak clip's accent), so a change here rebuilds every espeak clip.
    normal_wpm: int = 160
    slow_wpm: int = 130
    executable: str = "espeak-ng"
    timeout: float = 60.0
    # LAME's speed/quality switch (0 best and slowest, 9 fastest). Encoding was most of a
    # clip's CPU: at 2, 58 ms a clip against 16 ms in espeak-ng itself; at 7, 28 ms, with the
    # same bytes a clip (CBR) and the same waveform error against the espeak WAV resampled
    # by soxr (9-11 dB at 2, 5 and 7: measured, not a listening test). The offline voice is
    # a fallback, and a first start waits for it (docs/performance.md, issue 25). Not part of
    # the clip key: a library built at 2 keeps its clips, which are as valid.
    quality: int = 7
    name: str = field(default="espeak", init=False)

    @property
    def rate_tag(self) -> str:
        """The speaking rates, for the clip key: a new rate makes new clips."""
        return f"wpm={self.normal_wpm}/{self.slow_wpm}"

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
