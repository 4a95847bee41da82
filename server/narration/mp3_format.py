"""The vocabulary of MPEG audio layer III: its versions, channel modes, header bit tables and
the stream format frames must share to be joined (``mp3`` reads and writes the frames)."""

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
_HEADER_LENGTH = 4
_CRC_LENGTH = 2
_ID3V2_HEADER_LENGTH = 10
_ID3V1_LENGTH = 128
# A VBRI header sits at a fixed distance after the frame header, whatever the version or mode.
_VBRI_OFFSET = _HEADER_LENGTH + 32


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
