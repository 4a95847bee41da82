"""A library that heals: each fault injected into a built library (a clip cut short, noise at
the same size, bit rot with the size and time kept, a manifest that cannot be read, a track
damaged), then one build: ``audio check`` passes and the library equals a clean build byte
for byte. A damaged file is never adopted as the truth."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from server.content import Content
from server.narration import check_library, check_tracks, load_manifest, sha256_of
from server.session.tracks import build_session_tracks
from tests.fake_gtts import ToneEngine, cut_frames, noise_in_frames
from tests.narration_helpers import build_session_audio
from tests.test_narration_integrity import LONG, SHORT, build

TEXTS = {"long": LONG, "stop": SHORT, "yes": "Yes."}


def engines() -> dict[str, ToneEngine]:
    return {"gtts": ToneEngine("gtts"), "espeak": ToneEngine("e")}


def library_bytes(root: Path) -> dict[str, bytes]:
    """Every file of the English library but the build's lock, by name."""
    return {
        p.name: p.read_bytes()
        for p in sorted((root / "en").iterdir())
        if p.is_file() and p.name != ".build.lock"
    }


@pytest.fixture
def clean(tmp_path: Path) -> dict[str, bytes]:
    root = tmp_path / "clean"
    assert build(root, TEXTS, engines=engines()).ok
    return library_bytes(root)


@pytest.fixture(scope="module")
def quiet_library(tmp_path_factory: pytest.TempPathFactory, content: Content) -> Path:
    """Every clip and track of the English content, normal speed, in exact silence."""
    root = tmp_path_factory.mktemp("quiet")
    build_session_audio(root, content, speeds=("normal",), voice="quiet")
    return root


@pytest.fixture
def library(tmp_path: Path, quiet_library: Path) -> Path:
    """A copy of the quiet library that this test may damage."""
    shutil.copytree(quiet_library, tmp_path / "lib")
    return tmp_path / "lib"


def flip_one_byte(data: bytes) -> bytes:
    """Bit rot inside the frame data: one byte changed, half-way through the file."""
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x5A]) + data[middle + 1 :]


FAULTS: dict[str, Callable[[bytes], bytes]] = {
    "cut short": cut_frames,
    "noise at the same size": noise_in_frames,
    "bit rot": flip_one_byte,
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_damaged_clip_is_remade_never_adopted(
    tmp_path: Path, clean: dict[str, bytes], fault: str
) -> None:
    root = tmp_path / "lib"
    assert build(root, TEXTS, engines=engines()).ok
    manifest = load_manifest(root, "en")
    entry = manifest["long", "normal"]
    path = manifest.file_path(entry)
    stat = path.stat()
    path.write_bytes(FAULTS[fault](path.read_bytes()))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the time kept, as bit rot does
    assert check_library(root, "en", TEXTS, ["normal"]) != []

    gtts = ToneEngine("gtts")
    summary = build(root, TEXTS, engines={"gtts": gtts, "espeak": ToneEngine("e")})
    assert summary.ok and gtts.texts == [LONG], fault  # only the damaged clip was made again
    assert check_library(root, "en", TEXTS, ["normal"]) == []
    assert library_bytes(root) == clean
    healed = load_manifest(root, "en")["long", "normal"]
    assert healed.sha256 == entry.sha256 == sha256_of(path.read_bytes())


@pytest.mark.parametrize(
    "garbage",
    [b"", b'{"version": 1, "lang": "en", "cl', b"\x00\xff garbage", b'{"version": 999}'],
    ids=["empty", "truncated", "garbage", "other version"],
)
def test_an_unreadable_manifest_is_set_aside_and_rebuilt_from_the_files_that_verify(
    tmp_path: Path, clean: dict[str, bytes], garbage: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "lib"
    assert build(root, TEXTS, engines=engines()).ok
    (root / "en" / "manifest.json").write_bytes(garbage)

    gtts = ToneEngine("gtts")
    summary = build(root, TEXTS, engines={"gtts": gtts, "espeak": ToneEngine("e")})
    assert summary.ok and gtts.texts == []  # every clip verified and kept, none made again
    kept = [p for p in (root / "en").iterdir() if p.name.startswith("manifest.json.unreadable")]
    assert len(kept) == 1 and kept[0].read_bytes() == garbage
    assert "set aside" in capsys.readouterr().err
    kept[0].unlink()
    assert check_library(root, "en", TEXTS, ["normal"]) == []
    assert library_bytes(root) == clean


def test_a_damaged_track_is_made_again_by_the_next_build(library: Path, content: Content) -> None:
    """Noise inside a session track, at the same size and time: the track build compares the
    file with the SHA-256 it recorded and makes that track again, byte for byte."""
    tmp_path = library
    tracks = tmp_path / "en" / "tracks"
    path = min(tracks.glob("first-20-normal-*.mp3"))
    good = path.read_bytes()
    stat = path.stat()
    path.write_bytes(noise_in_frames(good))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert check_tracks(tmp_path, "en") != []

    summary = build_session_tracks(tmp_path, "en", content, ("normal",))
    assert summary.ok and summary.count("made") == 1, summary.describe()
    assert path.read_bytes() == good
    assert check_tracks(tmp_path, "en") == []


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x00\xff",
        b"[1, 2]",
        b'{"version": 1, "lang": "en", "tracks": {"x": {"normal": 7}}}',
        b'{"version": 1, "lang": "en", "tracks": {"first-20": {"normal": {"file": 3}}}}',
    ],
    ids=["empty", "binary", "a list", "an entry that is a number", "a file name that is a number"],
)
def test_an_unreadable_track_index_is_set_aside_and_made_again(
    library: Path, content: Content, garbage: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp_path = library
    index = tmp_path / "en" / "tracks" / "index.json"
    good = index.read_bytes()
    index.write_bytes(garbage)
    assert check_tracks(tmp_path, "en") != []

    summary = build_session_tracks(tmp_path, "en", content, ("normal",))
    assert summary.ok and summary.count("made") == 0, summary.describe()
    assert index.read_bytes() == good
    assert "set aside" in capsys.readouterr().err
    assert check_tracks(tmp_path, "en") == []


def test_audio_check_reports_a_missing_track_index_beside_track_files(
    library: Path, content: Content
) -> None:
    tmp_path = library
    (tmp_path / "en" / "tracks" / "index.json").unlink()
    problems = check_tracks(tmp_path, "en")
    assert len(problems) == 1 and "index.json is missing" in problems[0]
    assert build_session_tracks(tmp_path, "en", content, ("normal",)).ok
    assert check_tracks(tmp_path, "en") == []
