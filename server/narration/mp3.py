"""MPEG audio layer III streams: find frames, strip tags, measure, make silence and join.

Everything here works on whole frames so that narration clips, null-frame silences and session
tracks can be concatenated byte for byte and every time in a track is an exact multiple of one
frame's duration. Nothing is hard-coded about gTTS output: callers read the format from a real
frame header at run time and these helpers check that every part agrees with it. One
frame's format (versions, modes, header tables, ``StreamFormat``, ``FrameHeader``) is in
``mp3_format``; its public names are re-exported here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = [
    "AudioInfo",
    "ChannelMode",
    "Frame",
    "FrameHeader",
    "Mp3Error",
    "MpegVersion",
    "StreamFormat",
    "analyse",
    "audio_span",
    "duration",
    "first_header",
    "frames_for_seconds",
    "is_info_frame",
    "iter_frames",
    "join",
    "silence_frames",
    "strip",
]


from .mp3_format import (
    HEADER_LENGTH,
    ChannelMode,
    Frame,
    FrameHeader,
    Mp3Error,
    MpegVersion,
    StreamFormat,
)

# Tags and metadata frames around the audio frames (``strip`` drops them).
_CRC_LENGTH = 2
_ID3V2_HEADER_LENGTH = 10
_ID3V1_LENGTH = 128
# A VBRI header sits at a fixed distance after the frame header, whatever the version or mode.
_VBRI_OFFSET = HEADER_LENGTH + 32


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """What ``analyse`` learnt from a stream of bare frames."""

    format: StreamFormat
    frame_count: int
    frame_offsets: tuple[int, ...]
    size: int

    @property
    def samples(self) -> int:
        """Decoded samples per channel."""
        return self.frame_count * self.format.samples_per_frame

    @property
    def duration(self) -> float:
        """Seconds, computed from the frame count (exact for whole frames)."""
        return self.samples / self.format.sample_rate


def iter_frames(data: bytes) -> Iterator[Frame]:
    """Yield every frame of ``data``, which must hold nothing but contiguous frames.

    Junk, tags or a truncated last frame raise Mp3Error: a clip that is not clean frames would
    corrupt any track it is joined into, so it is better refused here. Use ``strip`` first on
    files that may carry ID3 tags or a Xing/Info frame.
    """
    offset = 0
    size = len(data)
    # A stream repeats a handful of header values (CBR: two, with and without padding):
    # each is decoded and checked once per call, not once per frame.
    seen: dict[bytes, tuple[FrameHeader, int]] = {}
    while offset < size:
        known = seen.get(data[offset : offset + HEADER_LENGTH])
        if known is None:
            header = FrameHeader.parse(data, offset)
            length = header.frame_length
            if length < HEADER_LENGTH + header.side_info_length:
                raise Mp3Error(f"frame at byte {offset} is too short to hold its side information")
            known = seen[data[offset : offset + HEADER_LENGTH]] = (header, length)
        header, length = known
        if offset + length > size:
            raise Mp3Error(f"truncated frame at byte {offset}: needs {length}, has {size - offset}")
        yield Frame(offset, header)
        offset += length


def analyse(data: bytes) -> AudioInfo:
    """Count and locate the frames of a stream of bare frames with one constant format.

    Raises Mp3Error when the data is empty, malformed, or mixes formats (for example a VBR
    stream), because such a clip cannot be joined or timed by frame count.
    """
    offsets: list[int] = []
    fmt: StreamFormat | None = None
    checked: FrameHeader | None = None  # iter_frames hands out one object per header value
    for frame in iter_frames(data):
        if frame.header is not checked:
            frame_format = frame.header.format
            if fmt is None:
                fmt = frame_format
            elif frame_format != fmt:
                changed = ", ".join(fmt.differences(frame_format))
                raise Mp3Error(
                    f"frame at byte {frame.offset} is {frame_format}, earlier frames are {fmt} "
                    f"(differs in {changed}); only constant-format streams are supported"
                )
            checked = frame.header
        offsets.append(frame.offset)
    if fmt is None:
        raise Mp3Error("no MPEG audio frames found")
    return AudioInfo(fmt, len(offsets), tuple(offsets), len(data))


def _id3v2_length(data: bytes, offset: int) -> int:
    header = data[offset : offset + _ID3V2_HEADER_LENGTH]
    if len(header) < _ID3V2_HEADER_LENGTH or header[:3] != b"ID3":
        return 0
    size_bytes = header[6:10]
    if any(b & 0x80 for b in size_bytes):
        raise Mp3Error(f"malformed ID3v2 size at byte {offset}")
    size = 0
    for b in size_bytes:
        size = (size << 7) | b  # "syncsafe" integer: 7 bits per byte
    footer = _ID3V2_HEADER_LENGTH if header[5] & 0x10 else 0
    return _ID3V2_HEADER_LENGTH + size + footer


def is_info_frame(data: bytes, frame: Frame) -> bool:
    """True when ``frame`` is a Xing, Info (LAME) or VBRI metadata frame rather than audio."""
    start = frame.offset + HEADER_LENGTH + (_CRC_LENGTH if frame.header.protected else 0)
    xing_at = start + frame.header.side_info_length
    if data[xing_at : xing_at + 4] in (b"Xing", b"Info"):
        return True
    # Some encoders ignore the CRC when placing the tag; accept that position too.
    plain_at = frame.offset + HEADER_LENGTH + frame.header.side_info_length
    if data[plain_at : plain_at + 4] in (b"Xing", b"Info"):
        return True
    return data[frame.offset + _VBRI_OFFSET : frame.offset + _VBRI_OFFSET + 4] == b"VBRI"


def strip(data: bytes) -> bytes:
    """Return only the audio frames: drop ID3v2 tags, an ID3v1 tag and a Xing/Info/VBRI frame.

    The metadata frame must go because it decodes as a frame of silence (or noise) in the middle
    of a joined track and its totals would describe the wrong stream.
    """
    start, end = audio_span(data)
    return data[start:end]


def audio_span(data: bytes) -> tuple[int, int]:
    """``(start, end)``: where the audio frames ``strip`` keeps lie in ``data``.

    A session track's recipe names these offsets, so a device holding the clip file can cut
    out the same bytes the server joined (see ``recipe``).
    """
    start = 0
    while True:  # files may carry several ID3v2 tags back to back
        length = _id3v2_length(data, start)
        if not length:
            break
        start += length
    end = len(data)
    tag_at = end - _ID3V1_LENGTH
    if tag_at >= start and data[tag_at : tag_at + 3] == b"TAG":
        # "TAG" could also be audio bytes; it is a tag only if the frames end right there.
        try:
            return start + _info_frame_length(data[start:tag_at]), tag_at
        except Mp3Error:
            pass
    return start + _info_frame_length(data[start:end]), end


def _info_frame_length(body: bytes) -> int:
    """Bytes of a leading Xing/Info/VBRI frame of ``body`` (0 when none), after checking that
    everything else is contiguous frames of one format."""
    if not body:
        raise Mp3Error("no MPEG audio frames found")
    first = Frame(0, FrameHeader.parse(body, 0))
    skip = first.end if is_info_frame(body, first) else 0
    if skip == len(body):
        raise Mp3Error("no MPEG audio frames found")
    analyse(body[skip:])  # validate: everything left must be contiguous frames of one format
    return skip


def first_header(data: bytes) -> FrameHeader:
    """Header of the first audio frame of ``data`` (ID3v2 tags and a Xing frame skipped).

    Reads only the start: it does not check the rest of the stream (``strip`` and ``analyse``
    do), so a build that only needs the library's format does not decode every frame.
    """
    start = 0
    while length := _id3v2_length(data, start):
        start += length
    first = Frame(start, FrameHeader.parse(data, start))
    if is_info_frame(data, first):
        return FrameHeader.parse(data, first.end)
    return first.header


def duration(data: bytes) -> float:
    """Seconds of audio in ``data``, from its frame count (tags and Xing frame ignored)."""
    return analyse(strip(data)).duration


def frames_for_seconds(fmt: StreamFormat | FrameHeader, seconds: float) -> int:
    """Whole frames nearest to ``seconds`` (halves round up), never negative."""
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {seconds}")
    stream_format = fmt.format if isinstance(fmt, FrameHeader) else fmt
    exact = seconds * stream_format.sample_rate / stream_format.samples_per_frame
    return int(exact + 0.5)


def silence_frames(template: FrameHeader | StreamFormat, n_frames: int) -> bytes:
    """``n_frames`` null frames in the format of ``template``: exact, decodable silence.

    A null frame is a valid header followed by all-zero side information and main data: no
    bits are granted to any granule, so every decoder outputs zeros, and because
    main_data_begin is 0 it never borrows from, or lends to, the bit reservoir of neighbouring
    frames. Frames are written unpadded and without CRC, which keeps their length fixed.
    """
    if n_frames < 0:
        raise ValueError(f"cannot make {n_frames} frames")
    if isinstance(template, FrameHeader):
        # Keep the template's flags (emphasis changes how decoders filter the output).
        header = dataclasses.replace(template, padding=False, protected=False)
    else:
        header = FrameHeader(
            template.version, template.bitrate_kbps, template.sample_rate, template.channel_mode
        )
    frame = header.to_bytes() + bytes(header.frame_length - HEADER_LENGTH)
    return frame * n_frames


def join(parts: Iterable[bytes]) -> bytes:
    """Concatenate the frames of ``parts`` byte for byte after checking they share one format.

    Each part is stripped of tags and any Xing/Info frame first. Raises Mp3Error naming the
    first part whose MPEG version, sample rate, channel mode or bitrate differs.
    """
    out: list[bytes] = []
    reference: StreamFormat | None = None
    for index, part in enumerate(parts, start=1):
        try:
            frames = strip(part)
            fmt = analyse(frames).format
        except Mp3Error as exc:
            raise Mp3Error(f"part {index} is not usable MP3 audio: {exc}") from exc
        if reference is None:
            reference = fmt
        elif fmt != reference:
            changed = ", ".join(reference.differences(fmt))
            raise Mp3Error(
                f"cannot join part {index} ({fmt}) to part 1 ({reference}): "
                f"they differ in {changed}"
            )
        out.append(frames)
    if reference is None:
        raise Mp3Error("nothing to join")
    return b"".join(out)
