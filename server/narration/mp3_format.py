"""One MPEG audio layer III frame: its versions, channel modes and header bit tables, the
header parsed and encoded (``FrameHeader``), and the stream format frames must share to be
joined. ``mp3`` works on streams of frames."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Mp3Error(ValueError):
    """Data is not a well-formed layer III stream, or parts cannot be joined."""


class MpegVersion(enum.Enum):
    """MPEG audio version, named as in the specifications."""

    MPEG1 = "1"
    MPEG2 = "2"
    MPEG25 = "2.5"


class ChannelMode(enum.Enum):
    """Channel mode from the frame header."""

    STEREO = "stereo"
    JOINT_STEREO = "joint stereo"
    DUAL_CHANNEL = "dual channel"
    MONO = "mono"


# Header bit values -> meaning. Index 1 of the version field is reserved.
_VERSIONS = {0b00: MpegVersion.MPEG25, 0b10: MpegVersion.MPEG2, 0b11: MpegVersion.MPEG1}
_VERSION_BITS = {v: k for k, v in _VERSIONS.items()}
_LAYER_III_BITS = 0b01
_MODES = {
    0b00: ChannelMode.STEREO,
    0b01: ChannelMode.JOINT_STEREO,
    0b10: ChannelMode.DUAL_CHANNEL,
    0b11: ChannelMode.MONO,
}
_MODE_BITS = {v: k for k, v in _MODES.items()}
# Layer III bitrates in kbps by bitrate index; index 0 ("free format") and 15 are refused
# because a free-format frame's length cannot be computed from its header.
_BITRATES = {
    MpegVersion.MPEG1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    MpegVersion.MPEG2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    MpegVersion.MPEG25: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {
    MpegVersion.MPEG1: (44100, 48000, 32000),
    MpegVersion.MPEG2: (22050, 24000, 16000),
    MpegVersion.MPEG25: (11025, 12000, 8000),
}
HEADER_LENGTH = 4


@dataclass(frozen=True, slots=True)
class StreamFormat:
    """The properties that must match for frames to be joined byte for byte."""

    version: MpegVersion
    sample_rate: int
    channel_mode: ChannelMode
    bitrate_kbps: int

    @property
    def samples_per_frame(self) -> int:
        """1152 for MPEG-1, 576 for MPEG-2 and 2.5 (layer III)."""
        return 1152 if self.version is MpegVersion.MPEG1 else 576

    @property
    def frame_seconds(self) -> float:
        """Duration of one frame in seconds."""
        return self.samples_per_frame / self.sample_rate

    def differences(self, other: StreamFormat) -> list[str]:
        """Names of the properties in which ``other`` differs from this format."""
        names = ("version", "sample_rate", "channel_mode", "bitrate_kbps")
        return [n for n in names if getattr(self, n) != getattr(other, n)]

    def __str__(self) -> str:
        return (
            f"MPEG-{self.version.value} layer III, {self.sample_rate} Hz, "
            f"{self.channel_mode.value}, {self.bitrate_kbps} kbps"
        )


@dataclass(frozen=True, slots=True)
class FrameHeader:
    """A decoded 4-byte layer III frame header."""

    version: MpegVersion
    bitrate_kbps: int
    sample_rate: int
    channel_mode: ChannelMode
    padding: bool = False
    protected: bool = False
    private: bool = False
    mode_extension: int = 0
    copyright: bool = False
    original: bool = False
    emphasis: int = 0

    @classmethod
    def parse(cls, data: bytes, offset: int = 0) -> FrameHeader:
        """Decode the header at ``data[offset:offset + 4]``; raise Mp3Error if it is not one."""
        raw = data[offset : offset + HEADER_LENGTH]
        if len(raw) < HEADER_LENGTH:
            raise Mp3Error(f"truncated frame header at byte {offset}")
        b0, b1, b2, b3 = raw
        if b0 != 0xFF or (b1 & 0xE0) != 0xE0:
            raise Mp3Error(f"no frame sync at byte {offset} (found {raw.hex()})")
        version = _VERSIONS.get((b1 >> 3) & 0b11)
        if version is None:
            raise Mp3Error(f"reserved MPEG version at byte {offset}")
        if (b1 >> 1) & 0b11 != _LAYER_III_BITS:
            raise Mp3Error(f"not a layer III frame at byte {offset}")
        bitrate_index = b2 >> 4
        if bitrate_index in (0, 15):
            kind = "free-format" if bitrate_index == 0 else "invalid"
            raise Mp3Error(f"{kind} bitrate index at byte {offset}")
        rate_index = (b2 >> 2) & 0b11
        if rate_index == 3:
            raise Mp3Error(f"reserved sample rate index at byte {offset}")
        return cls(
            version=version,
            bitrate_kbps=_BITRATES[version][bitrate_index],
            sample_rate=_SAMPLE_RATES[version][rate_index],
            channel_mode=_MODES[b3 >> 6],
            padding=bool(b2 & 0b10),
            protected=not (b1 & 0b1),
            private=bool(b2 & 0b1),
            mode_extension=(b3 >> 4) & 0b11,
            copyright=bool(b3 & 0b1000),
            original=bool(b3 & 0b100),
            emphasis=b3 & 0b11,
        )

    def to_bytes(self) -> bytes:
        """Encode this header back into its 4 bytes."""
        try:
            bitrate_index = _BITRATES[self.version].index(self.bitrate_kbps, 1)
            rate_index = _SAMPLE_RATES[self.version].index(self.sample_rate)
        except ValueError as exc:
            raise Mp3Error(f"{self.format} is not a valid layer III combination") from exc
        b1 = 0xE0 | (_VERSION_BITS[self.version] << 3) | (_LAYER_III_BITS << 1)
        b1 |= 0 if self.protected else 1
        b2 = (bitrate_index << 4) | (rate_index << 2)
        b2 |= (0b10 if self.padding else 0) | (0b1 if self.private else 0)
        b3 = (_MODE_BITS[self.channel_mode] << 6) | ((self.mode_extension & 0b11) << 4)
        b3 |= (0b1000 if self.copyright else 0) | (0b100 if self.original else 0)
        b3 |= self.emphasis & 0b11
        return bytes((0xFF, b1, b2, b3))

    @property
    def format(self) -> StreamFormat:
        """The join-relevant part of this header."""
        return StreamFormat(self.version, self.sample_rate, self.channel_mode, self.bitrate_kbps)

    @property
    def samples_per_frame(self) -> int:
        """1152 for MPEG-1, 576 for MPEG-2 and 2.5."""
        return self.format.samples_per_frame

    @property
    def frame_length(self) -> int:
        """Whole frame size in bytes, header and padding slot included."""
        # Layer III: bytes = samples/8 * bitrate / sample rate, plus one padding byte.
        coefficient = self.samples_per_frame // 8
        return coefficient * self.bitrate_kbps * 1000 // self.sample_rate + int(self.padding)

    @property
    def side_info_length(self) -> int:
        """Bytes of layer III side information that follow the header (and CRC)."""
        mono = self.channel_mode is ChannelMode.MONO
        if self.version is MpegVersion.MPEG1:
            return 17 if mono else 32
        return 9 if mono else 17

    @property
    def channels(self) -> int:
        """1 for mono, otherwise 2."""
        return 1 if self.channel_mode is ChannelMode.MONO else 2

    @property
    def duration(self) -> float:
        """Seconds of audio in one frame."""
        return self.format.frame_seconds


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame found in a byte string: where it starts and its header."""

    offset: int
    header: FrameHeader

    @property
    def length(self) -> int:
        """Size of the frame in bytes."""
        return self.header.frame_length

    @property
    def end(self) -> int:
        """Offset just past the frame."""
        return self.offset + self.header.frame_length
