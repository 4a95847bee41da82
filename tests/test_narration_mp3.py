"""MPEG layer III frame utilities: headers, tags, silence and joining."""

from __future__ import annotations

import itertools
import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.narration import mp3, mp3_format
from server.narration.mp3 import ChannelMode, FrameHeader, Mp3Error, MpegVersion, StreamFormat
from tests.conftest import needs_ffmpeg
from tests.fake_gtts import tone_mp3

GTTS_LIKE = StreamFormat(MpegVersion.MPEG2, 24000, ChannelMode.MONO, 32)


@pytest.mark.parametrize(
    ("raw", "version", "bitrate", "rate", "mode", "length", "samples"),
    [
        # MPEG-1 128 kbps 44.1 kHz joint stereo: 144 * 128000 / 44100 = 417.96 -> 417 bytes
        ("fffb9064", MpegVersion.MPEG1, 128, 44100, ChannelMode.JOINT_STEREO, 417, 1152),
        # same with the padding bit set -> one byte longer
        ("fffb9264", MpegVersion.MPEG1, 128, 44100, ChannelMode.JOINT_STEREO, 418, 1152),
        # what gTTS returns: MPEG-2 32 kbps 24 kHz mono: 72 * 32000 / 24000 = 96 bytes
        ("fff344c4", MpegVersion.MPEG2, 32, 24000, ChannelMode.MONO, 96, 576),
        # MPEG-2.5 8 kbps 8 kHz mono: 72 * 8000 / 8000 = 72 bytes
        ("ffe318c0", MpegVersion.MPEG25, 8, 8000, ChannelMode.MONO, 72, 576),
        # MPEG-1 320 kbps 48 kHz stereo: 144 * 320000 / 48000 = 960 bytes
        ("fffbe404", MpegVersion.MPEG1, 320, 48000, ChannelMode.STEREO, 960, 1152),
    ],
)
def test_parse_header_known_vectors(
    raw: str,
    version: MpegVersion,
    bitrate: int,
    rate: int,
    mode: ChannelMode,
    length: int,
    samples: int,
) -> None:
    header = FrameHeader.parse(bytes.fromhex(raw))
    assert header.version is version
    assert header.bitrate_kbps == bitrate
    assert header.sample_rate == rate
    assert header.channel_mode is mode
    assert header.frame_length == length
    assert header.samples_per_frame == samples
    assert not header.protected
    assert header.to_bytes().hex() == raw


def test_parse_header_reads_flags_and_side_info_size() -> None:
    header = FrameHeader.parse(bytes.fromhex("fffa9264"))  # protection bit 0 = CRC present
    assert header.protected and header.padding
    assert header.side_info_length == 32
    assert FrameHeader.parse(bytes.fromhex("fff344c4")).side_info_length == 9
    assert FrameHeader.parse(bytes.fromhex("fff344c4")).duration == pytest.approx(0.024)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("00f344c4", "no frame sync"),
        ("fff5 44c4", "not a layer III"),  # layer II
        ("ffeb44c4", "reserved MPEG version"),
        ("fff3f4c4", "invalid bitrate"),
        ("fff304c4", "free-format"),
        ("fff34cc4", "reserved sample rate"),
        ("fff344", "truncated"),
    ],
)
def test_parse_header_rejects_non_layer3(raw: str, message: str) -> None:
    with pytest.raises(Mp3Error, match=message):
        FrameHeader.parse(bytes.fromhex(raw.replace(" ", "")))


@given(
    version=st.sampled_from(list(MpegVersion)),
    bitrate_index=st.integers(1, 14),
    rate_index=st.integers(0, 2),
    mode=st.sampled_from(list(ChannelMode)),
    padding=st.booleans(),
    protected=st.booleans(),
    extension=st.integers(0, 3),
    emphasis=st.integers(0, 3),
)
def test_header_round_trips(
    version: MpegVersion,
    bitrate_index: int,
    rate_index: int,
    mode: ChannelMode,
    padding: bool,
    protected: bool,
    extension: int,
    emphasis: int,
) -> None:
    header = FrameHeader(
        version=version,
        bitrate_kbps=mp3_format._BITRATES[version][bitrate_index],
        sample_rate=mp3_format._SAMPLE_RATES[version][rate_index],
        channel_mode=mode,
        padding=padding,
        protected=protected,
        mode_extension=extension,
        emphasis=emphasis,
    )
    assert FrameHeader.parse(header.to_bytes()) == header


def test_iter_frames_walks_a_real_lame_stream() -> None:
    data = tone_mp3(1.0)
    frames = list(mp3.iter_frames(data))
    assert frames[0].offset == 0
    assert all(a.end == b.offset for a, b in itertools.pairwise(frames))
    assert frames[-1].end == len(data)
    info = mp3.analyse(data)
    assert info.format == GTTS_LIKE
    assert info.frame_count == len(frames) == len(data) // 96
    assert info.frame_offsets == tuple(f.offset for f in frames)
    assert info.duration == pytest.approx(info.frame_count * 576 / 24000)
    # LAME adds encoder delay and padding, so a 1 s input lasts a little over 1 s.
    assert 1.0 <= info.duration < 1.2


def test_iter_frames_refuses_junk_and_truncation() -> None:
    data = tone_mp3(0.5)
    with pytest.raises(Mp3Error, match="truncated frame"):
        mp3.analyse(data[:-10])
    with pytest.raises(Mp3Error, match="no frame sync at byte 96"):
        mp3.analyse(data[:96] + b"junk" + data[96:])
    with pytest.raises(Mp3Error, match="no MPEG audio frames"):
        mp3.analyse(b"")


def test_analyse_refuses_mixed_formats() -> None:
    mixed = tone_mp3(0.3) + tone_mp3(0.3, bitrate=40)
    with pytest.raises(Mp3Error, match="bitrate_kbps"):
        mp3.analyse(mixed)


def _id3v2(payload: bytes, footer: bool = False) -> bytes:
    size = len(payload)
    syncsafe = bytes(((size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F))
    tag = b"ID3\x04\x00" + bytes([0x10 if footer else 0]) + syncsafe + payload
    return tag + (b"3DI\x04\x00\x10" + syncsafe if footer else b"")


def _info_frame(tag: bytes, header: FrameHeader, at: int | None = None) -> bytes:
    frame = bytearray(mp3.silence_frames(header, 1))
    position = 4 + header.side_info_length if at is None else at
    frame[position : position + len(tag) + 4] = tag + struct.pack(">I", 0)
    return bytes(frame)


def test_strip_removes_id3_tags_and_metadata_frames() -> None:
    frames = tone_mp3(0.5)
    header = mp3.first_header(frames)
    v1 = b"TAG" + b"title".ljust(125, b"\0")
    assert mp3.strip(_id3v2(b"TIT2 stuff" * 30) + frames) == frames
    assert mp3.strip(_id3v2(b"x" * 40, footer=True) + _id3v2(b"y") + frames + v1) == frames
    for tag in (b"Xing", b"Info"):
        assert mp3.strip(_info_frame(tag, header) + frames) == frames
    assert mp3.strip(_info_frame(b"VBRI", header, at=36) + frames) == frames
    assert mp3.duration(_id3v2(b"z") + _info_frame(b"Info", header) + frames + v1) == (
        mp3.analyse(frames).duration
    )


def test_strip_keeps_an_audio_first_frame() -> None:
    frames = tone_mp3(0.5)
    assert mp3.strip(frames) == frames


def test_silence_frames_are_exact_null_frames() -> None:
    header = mp3.first_header(tone_mp3(0.2))
    silence = mp3.silence_frames(header, 125)
    info = mp3.analyse(silence)
    assert info.format == header.format
    assert info.frame_count == 125
    assert info.duration == 3.0  # 125 * 576 / 24000, exactly
    assert len(silence) == 125 * 96
    # A null frame: header, then nothing but zeros (side info and main data).
    assert silence[:4] == bytes.fromhex("fff344c4")
    assert set(silence[4:96]) == {0}
    assert mp3.silence_frames(header, 0) == b""
    with pytest.raises(ValueError):
        mp3.silence_frames(header, -1)


@given(st.sampled_from(list(MpegVersion)), st.integers(0, 2), st.integers(0, 400))
def test_silence_duration_is_frames_times_frame_time(
    version: MpegVersion, rate_index: int, n: int
) -> None:
    fmt = StreamFormat(version, mp3_format._SAMPLE_RATES[version][rate_index], ChannelMode.MONO, 64)
    data = mp3.silence_frames(fmt, n)
    if n == 0:
        assert data == b""
        return
    info = mp3.analyse(data)
    assert info.frame_count == n
    assert info.samples == n * fmt.samples_per_frame
    assert info.format == fmt


def test_frames_for_seconds_rounds_to_nearest_frame() -> None:
    assert mp3.frames_for_seconds(GTTS_LIKE, 0) == 0
    assert mp3.frames_for_seconds(GTTS_LIKE, 0.024) == 1
    assert mp3.frames_for_seconds(GTTS_LIKE, 0.035) == 1  # 1.46 frames
    assert mp3.frames_for_seconds(GTTS_LIKE, 0.037) == 2  # 1.54 frames
    assert mp3.frames_for_seconds(GTTS_LIKE, 1.0) == 42  # 41.67 frames
    with pytest.raises(ValueError):
        mp3.frames_for_seconds(GTTS_LIKE, -0.1)


@needs_ffmpeg
def test_null_frames_decode_to_digital_silence() -> None:
    data = tone_mp3(0.3) + mp3.silence_frames(mp3.first_header(tone_mp3(0.3)), 50)
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "pipe:1"],
        input=data,
        capture_output=True,
        check=True,
    )
    assert decoded.stderr == b""
    pcm = decoded.stdout
    tail = pcm[-2 * 576 * 40 :]  # the last 40 frames are well past any decoder overlap
    assert tail == bytes(len(tail))
    assert len(pcm) // 2 == pytest.approx(mp3.analyse(data).samples, abs=1200)


def test_join_concatenates_frames_byte_for_byte() -> None:
    a, b = tone_mp3(0.4), tone_mp3(0.7, freq=660)
    joined = mp3.join([a, b])
    assert joined == a + b
    assert (
        mp3.analyse(joined).frame_count == mp3.analyse(a).frame_count + mp3.analyse(b).frame_count
    )


def test_join_strips_tags_from_each_part() -> None:
    a, b = tone_mp3(0.4), tone_mp3(0.7, freq=660)
    header = mp3.first_header(a)
    assert mp3.join([_id3v2(b"x") + a, _info_frame(b"Info", header) + b]) == a + b


@pytest.mark.parametrize(
    ("other", "difference"),
    [
        ({"sample_rate": 22050, "out_rate": 22050}, "sample_rate"),
        ({"bitrate": 40}, "bitrate_kbps"),
        ({"channels": 2}, "channel_mode"),
        ({"sample_rate": 48000, "out_rate": 48000}, "version"),
    ],
)
def test_join_rejects_mismatched_formats(other: dict[str, int], difference: str) -> None:
    with pytest.raises(Mp3Error, match=rf"cannot join part 2 .*differ in .*{difference}"):
        mp3.join([tone_mp3(0.3), tone_mp3(0.3, **other)])


def test_join_rejects_garbage_and_nothing() -> None:
    with pytest.raises(Mp3Error, match="part 2 is not usable"):
        mp3.join([tone_mp3(0.3), b"<html>rate limited</html>"])
    with pytest.raises(Mp3Error, match="nothing to join"):
        mp3.join([])


def _ffmpeg_mp3(*args: str) -> bytes:
    source = ["-f", "lavfi", "-i", "sine=frequency=440:duration=2"]
    done = subprocess.run(
        ["ffmpeg", "-v", "error", *source, *args, "-c:a", "libmp3lame", "-f", "mp3", "pipe:1"],
        capture_output=True,
        check=True,
    )
    return done.stdout


@needs_ffmpeg
def test_strip_handles_a_third_party_file_with_id3_and_info_frame(tmp_path: Path) -> None:
    # ffmpeg writes an ID3v2 tag and a LAME "Info" frame whose header even has another bitrate.
    data = _ffmpeg_mp3("-ar", "24000", "-ac", "1", "-b:a", "32k")
    assert data.startswith(b"ID3")
    frames = mp3.strip(data)
    info = mp3.analyse(frames)
    assert info.format == GTTS_LIKE
    clip = tmp_path / "clip.mp3"
    clip.write_bytes(frames)
    query = ["-show_entries", "stream=duration", "-of", "csv=p=0"]
    probe = subprocess.run(
        ["ffprobe", "-v", "error", *query, str(clip)],
        capture_output=True,
        check=True,
    )
    assert info.duration == pytest.approx(float(probe.stdout), abs=1e-6)
    assert mp3.join([data, frames]) == frames + frames


@needs_ffmpeg
def test_vbr_files_are_refused_with_a_reason() -> None:
    with pytest.raises(Mp3Error, match="only constant-format streams"):
        mp3.strip(_ffmpeg_mp3("-ar", "44100", "-q:a", "4"))
