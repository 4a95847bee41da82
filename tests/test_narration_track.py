"""Session track assembly: clips and silences joined with exact chapter times."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.narration import mp3
from server.narration.track import Segment, assemble_track
from tests.fake_gtts import tone_mp3

FRAME = 576 / 24000  # seconds per frame of the gTTS-like clips below


def test_chapter_offsets_are_frame_counts(tmp_path: Path) -> None:
    first, second = tone_mp3(0.5), tone_mp3(1.1, freq=660)
    path = tmp_path / "second.mp3"
    path.write_bytes(second)
    n1, n2 = mp3.analyse(first).frame_count, mp3.analyse(second).frame_count
    segments: list[Segment] = [
        ("silence", 0.25),
        ("clip", first),
        ("silence", 1.0),
        ("clip", path),
        ("silence", 0.0),
    ]
    track = assemble_track(segments)

    s0 = round(0.25 / FRAME)  # 10.4 -> 10 frames
    s1 = 42  # 1 s is 41.67 frames
    starts = [0, s0, s0 + n1, s0 + n1 + s1, s0 + n1 + s1 + n2]
    counts = [s0, n1, s1, n2, 0]
    assert [s.start_frame for s in track.segments] == starts
    assert [s.frame_count for s in track.segments] == counts
    assert [s.kind for s in track.segments] == ["silence", "clip", "silence", "clip", "silence"]
    for segment in track.segments:
        assert segment.start == segment.start_frame * FRAME
        assert segment.end == (segment.start_frame + segment.frame_count) * FRAME
    assert track.frame_count == sum(counts)
    assert track.duration == pytest.approx(sum(counts) * FRAME)

    # The bytes agree with the table: the track decodes, and each clip sits at its frame.
    info = mp3.analyse(track.data)
    assert info.frame_count == track.frame_count
    assert info.format == mp3.analyse(first).format
    offset = info.frame_offsets[track.segments[1].start_frame]
    assert track.data[offset : offset + len(first)] == first
    offset = info.frame_offsets[track.segments[3].start_frame]
    assert track.data[offset : offset + len(second)] == second


def test_track_strips_tags_and_rejects_other_formats() -> None:
    tagged = b"ID3\x04\x00\x00\x00\x00\x00\x02ab" + tone_mp3(0.3)
    track = assemble_track([("clip", tagged), ("silence", 0.5)])
    assert track.data.startswith(tone_mp3(0.3))
    with pytest.raises(mp3.Mp3Error, match=r"segment 1 .*sample_rate"):
        assemble_track(
            [("clip", tone_mp3(0.3)), ("clip", tone_mp3(0.3, sample_rate=22050, out_rate=22050))]
        )
    with pytest.raises(mp3.Mp3Error, match="segment 0"):
        assemble_track([("clip", b"not audio")])


def test_track_needs_a_format_and_sane_silences() -> None:
    with pytest.raises(ValueError, match="template"):
        assemble_track([("silence", 1.0)])
    fmt = mp3.analyse(tone_mp3(0.2)).format
    only_silence = assemble_track([("silence", 1.0)], template=fmt)
    assert only_silence.frame_count == 42
    assert mp3.analyse(only_silence.data).frame_count == 42
    with pytest.raises(ValueError, match="negative"):
        assemble_track([("clip", tone_mp3(0.2)), ("silence", -1.0)])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 5), st.sampled_from([0.3, 0.6])), max_size=12))
def test_segments_tile_the_track_exactly(items: list[float]) -> None:
    # Floats become silences; the two sampled lengths stand for clips (tones of that length).
    segments: list[Segment] = [("clip", tone_mp3(0.3))]
    for value in items:
        if value in (0.3, 0.6):
            segments.append(("clip", tone_mp3(value)))
        else:
            segments.append(("silence", value))
    track = assemble_track(segments)
    position = 0
    for segment, (kind, source) in zip(track.segments, segments, strict=True):
        assert segment.start_frame == position
        if kind == "silence":
            assert isinstance(source, float)
            assert abs(segment.frame_count * FRAME - source) <= FRAME / 2 + 1e-9
        position += segment.frame_count
    assert mp3.analyse(track.data).frame_count == position
