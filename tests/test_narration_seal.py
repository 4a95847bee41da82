"""Sealed clips (issue 23): the clips of a group, in the real espeak-ng voice, are linked as
padded copies of one byte length, each its clip followed by exact silence; `audio check`
holds the copies to that, and the next build heals a damaged copy and follows a changed
sentence."""

from __future__ import annotations

from pathlib import Path

from server.narration import build_library, check_library, load_manifest, mp3
from server.narration.seal import padded_copy, sealed_length
from server.speech.catalog import load_catalog

TEXTS = {
    "outcome.a": "Call the emergency number now.",
    "outcome.b": "See a doctor today, before you use an inversion table again.",
    "outcome.c": "Check with your clinician first.",
    "home": "Inversion Guide.",
}
GROUP = ("outcome.a", "outcome.b", "outcome.c")


def build(root: Path, texts: dict[str, str], prune: bool = False) -> None:
    summary = build_library(
        root,
        "en",
        texts,
        jobs=2,
        engine="espeak",
        speeds=["normal"],
        sealed=[GROUP],
        prune=prune,
    )
    assert summary.ok, summary.describe()


def test_a_group_is_linked_as_copies_of_one_length_made_of_the_clip_and_silence(
    tmp_path: Path,
) -> None:
    build(tmp_path, TEXTS)
    manifest = load_manifest(tmp_path, "en")
    entries = [manifest.get(clip_id) for clip_id in GROUP]
    assert all(e is not None and e.padded is not None for e in entries)
    lengths = {e.padded.bytes for e in entries if e is not None and e.padded is not None}
    raw = {e.bytes for e in entries if e is not None}
    assert len(lengths) == 1 and len(raw) == 3, (lengths, raw)
    assert next(iter(lengths)) >= max(raw)
    for entry in entries:
        assert entry is not None and entry.padded is not None
        clip = (tmp_path / "en" / entry.file).read_bytes()
        copy = (tmp_path / "en" / entry.padded.file).read_bytes()
        assert copy.startswith(clip)
        if len(copy) == len(clip):
            continue  # the longest clip: its copy is the clip
        # Past the clip: whole frames holding no sound (side information and data all zero).
        tail = mp3.analyse(copy[len(clip) :])
        ends = [*tail.frame_offsets[1:], len(copy) - len(clip)]
        for start, end in zip(tail.frame_offsets, ends, strict=True):
            frame = copy[len(clip) + start : len(clip) + end]
            assert not any(frame[4:]), "a padding frame holds sound"
    home = manifest.get("home")
    assert home is not None and home.padded is None
    # Pages link the copies; other clips as they are.
    catalog = load_catalog(tmp_path, "/audio", {"en": TEXTS})
    assert all(
        catalog.url("en", c) == f"/audio/en/{manifest[c, 'normal'].served_file}" for c in GROUP
    )
    assert catalog.url("en", "home") == f"/audio/en/{home.file}"
    assert check_library(tmp_path, "en", TEXTS, ["normal"]) == []


def test_a_damaged_copy_is_found_by_the_check_and_remade_by_the_next_build(
    tmp_path: Path,
) -> None:
    build(tmp_path, TEXTS)
    entry = load_manifest(tmp_path, "en").get("outcome.c")
    assert entry is not None and entry.padded is not None
    path = tmp_path / "en" / entry.padded.file
    good = path.read_bytes()
    path.write_bytes(good[:-200] + bytes(200))  # the same size, its last bytes zeroed
    problems = check_library(tmp_path, "en", TEXTS, ["normal"])
    assert any(entry.padded.file in p and "changed" in p for p in problems), problems
    build(tmp_path, TEXTS)
    assert path.read_bytes() == good
    assert check_library(tmp_path, "en", TEXTS, ["normal"]) == []


def test_a_changed_sentence_gives_the_group_a_new_length_and_prune_lets_the_old_go(
    tmp_path: Path,
) -> None:
    build(tmp_path, TEXTS)
    before = {c: load_manifest(tmp_path, "en")[c, "normal"].served_file for c in GROUP}
    longer = {**TEXTS, "outcome.c": TEXTS["outcome.b"] + " Then come back to this guide."}
    build(tmp_path, longer)
    manifest = load_manifest(tmp_path, "en")
    after = {c: manifest[c, "normal"] for c in GROUP}
    lengths = {e.padded.bytes for e in after.values() if e.padded is not None}
    assert len(lengths) == 1 and set(before.values()).isdisjoint(
        e.served_file for e in after.values()
    )
    assert check_library(tmp_path, "en", longer, ["normal"]) == []
    # The old copies are kept for one generation (a running server may link them), as clips
    # are; the next change lets them go.
    build(tmp_path, longer, prune=True)
    assert all((tmp_path / "en" / name).exists() for name in before.values())
    longest = {**longer, "outcome.a": longer["outcome.c"] + " Take your time."}
    build(tmp_path, longest, prune=True)
    assert not any((tmp_path / "en" / name).exists() for name in before.values())
    now = load_manifest(tmp_path, "en")
    assert all((tmp_path / "en" / now[c, "normal"].served_file).exists() for c in GROUP)


def test_any_length_past_the_longest_is_made_of_whole_frames() -> None:
    """Null frames of two lengths (with and without the padding byte) reach every length a
    few kilobytes past a clip, so the group's length is at most that far past its longest."""
    fmt = mp3.StreamFormat(mp3.MpegVersion.MPEG2, 24000, mp3.ChannelMode.MONO, 32)
    header = mp3.FrameHeader(fmt.version, fmt.bitrate_kbps, fmt.sample_rate, fmt.channel_mode)
    clip = mp3.silence_frames(header, 100)
    for length in range(len(clip) + 96 * 96, len(clip) + 96 * 96 + 300):
        assert len(padded_copy(clip, length)) == length
    sizes = [(len(clip), header), (len(clip) + 1, header), (len(clip) + 95, header)]
    assert max(s for s, _ in sizes) <= sealed_length(sizes) <= len(clip) + 95 + 96 * 96
