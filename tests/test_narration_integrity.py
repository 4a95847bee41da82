"""Narration integrity: no half sentences, no corrupt frames, no lost entries, clear messages.

A fault-injecting fake Google answers one part of a multi-part text with something that is
not whole audio; no such clip may ever reach the library or its manifest, ``audio check``
must fail exactly when a clip or track is bad, ``auto`` falls back to espeak per clip, and
``gtts`` retries with backoff up to its limit.
"""

from __future__ import annotations

import errno
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from server.narration import (
    BuildSummary,
    ChaptersDocument,
    GttsEngine,
    GttsRefusedError,
    LibraryBusyError,
    LibraryError,
    RetryPolicy,
    TrackIndex,
    VoiceSpec,
    assemble_track,
    build_library,
    check_library,
    check_tracks,
    duration_problem,
    library_lock,
    load_manifest,
    mp3,
    sha256_of,
    storage,
)
from server.narration.cli import main
from server.narration.sideinfo import check_frame_data
from tests.fake_gtts import (
    FAULTS,
    ToneEngine,
    corrupt_frames,
    cut_frames,
    fake_google,
    noise_in_frames,
    tone_mp3,
)

LONG = (
    "Lie back slowly and let the table tilt until your head is a little lower than your feet. "
    "Breathe out as you go, and come up at once if your eyes or head feel wrong."
)
PART_2 = "Breathe out as you go"  # gTTS sends LONG as three requests; this is the second
SHORT = "Stop and come up now."


def fast_gtts(attempts: int = 3) -> GttsEngine:
    return GttsEngine(
        timeout=10.0,
        retry=RetryPolicy(attempts=attempts),
        connect_attempts=attempts,
        sleep=lambda seconds: None,
        min_interval=0,
        rng=random.Random(5),
    )


def build(root: Path, texts: Mapping[str, str], **kwargs: Any) -> BuildSummary:
    options: dict[str, Any] = {"gtts_lang": "en", "jobs": 2, "speeds": ("normal",)}
    options.update(kwargs)
    return build_library(root, "en", texts, **options)


def mp3_files(root: Path) -> set[str]:
    return {p.name for p in (root / "en").glob("*.mp3")}


# --------------------------------------------------------------------------- frame data


def test_real_encoder_output_null_frames_and_joins_pass_the_frame_data_check() -> None:
    clip = mp3.strip(tone_mp3(1.5))
    silence = mp3.silence_frames(mp3.analyse(clip).format, 20)
    assert check_frame_data(clip) == mp3.analyse(clip).frame_count
    check_frame_data(clip + silence + clip + silence)


def side_info_frame(fmt: mp3.StreamFormat, side_info: bytes) -> bytes:
    frame = bytearray(mp3.silence_frames(fmt, 1))
    frame[4 : 4 + len(side_info)] = side_info
    return bytes(frame)


@pytest.mark.parametrize(
    ("side_info", "message"),
    [
        (bytes([0x10]) + bytes(8), "before the stream"),  # main_data_begin 16 in frame 0
        (bytes([0x00, 0x7F, 0xF0]) + bytes(6), "needs"),  # part2_3_length 4095 bits
        (bytes([0x00, 0x00, 0x0F, 0xFF]) + bytes(5), "big_values"),  # 511 > 288
    ],
)
def test_frames_with_valid_headers_but_impossible_data_are_refused(
    side_info: bytes, message: str
) -> None:
    fmt = mp3.analyse(mp3.strip(tone_mp3(0.5))).format
    bad = side_info_frame(fmt, side_info)
    mp3.analyse(bad)  # the header alone looks fine
    with pytest.raises(mp3.Mp3Error, match=message):
        check_frame_data(bad)


def test_random_data_behind_valid_headers_is_refused() -> None:
    clip = tone_mp3(2.0)
    with pytest.raises(mp3.Mp3Error, match="frame"):
        check_frame_data(corrupt_frames(clip))


def test_duration_bound_per_engine_and_speed() -> None:
    text = "one two three four five six seven eight nine ten"
    assert duration_problem("gtts", False, text, 3.5) is None
    assert "too short" in (duration_problem("gtts", False, text, 1.0) or "")
    assert "too long" in (duration_problem("espeak", False, text, 30.0) or "")
    assert duration_problem("gtts", True, text, 9.0) is None  # slow is allowed to be slower


# --------------------------------------------------------------------------- gTTS faults


@pytest.mark.parametrize("fault", FAULTS)
def test_gtts_retries_a_part_that_came_back_without_whole_audio(fault: str) -> None:
    delays: list[float] = []
    engine = fast_gtts()
    engine.sleep = delays.append
    with fake_google() as google:
        google.for_text(PART_2, fault)
        clip = engine.synthesize(LONG, "en", "com", False)
    assert google.texts.count(PART_2) == 2 and len(delays) == 1
    parts = list(dict.fromkeys(google.texts))  # the three part texts, in order
    assert len(parts) == 3
    good = b"".join(mp3.strip(google.audio_for(part)) for part in parts)
    assert clip == good  # the retried clip is whole: every part, nothing damaged


@pytest.mark.parametrize("fault", FAULTS)
def test_gtts_only_build_never_keeps_a_bad_clip(tmp_path: Path, fault: str) -> None:
    with fake_google() as google:
        google.for_text(PART_2, *[fault] * 10)
        summary = build(
            tmp_path,
            {"long": LONG, "stop": SHORT},
            engine="gtts",
            engines={"gtts": fast_gtts(attempts=3), "espeak": ToneEngine("espeak")},
        )
    assert google.texts.count(PART_2) == 3  # the documented limit, then the clip fails
    assert summary.failed == 1 and summary.missing == [("long", "normal")]
    assert "long (normal)" in summary.failures[0] and "after 3 attempt(s)" in summary.failures[0]
    manifest = load_manifest(tmp_path, "en")
    assert manifest.get("long") is None and manifest.get("stop") is not None
    assert mp3_files(tmp_path) == {manifest["stop", "normal"].file}


@pytest.mark.parametrize("fault", FAULTS)
def test_auto_falls_back_to_espeak_for_that_clip_only(tmp_path: Path, fault: str) -> None:
    espeak = ToneEngine("espeak", freq=220)
    with fake_google() as google:
        google.for_text(PART_2, *[fault] * 10)
        summary = build(
            tmp_path,
            {"long": LONG, "stop": SHORT},
            engines={"gtts": fast_gtts(attempts=2), "espeak": espeak},
        )
    assert summary.ok and summary.made_by_engine == {"gtts": 1, "espeak": 1}
    manifest = load_manifest(tmp_path, "en")
    assert manifest["long", "normal"].engine == "espeak" and espeak.texts == [LONG]
    assert check_library(tmp_path, "en", {"long": LONG, "stop": SHORT}, ["normal"]) == []


def test_gtts_build_is_not_stopped_by_the_auto_breaker(tmp_path: Path) -> None:
    texts = {f"t{n}": f"Sentence number {n} is here." for n in range(5)}
    with fake_google() as google:
        google.always(503)
        summary = build(
            tmp_path,
            texts,
            engine="gtts",
            jobs=1,
            max_gtts_failures=1,
            engines={"gtts": fast_gtts(attempts=2), "espeak": ToneEngine("espeak")},
        )
    assert len(google.requests) == 5 * 2  # every clip got its retries
    assert summary.failed == 5 and summary.gtts_stopped is None
    assert not any("not tried" in failure for failure in summary.failures)


def test_engine_error_message_is_clear_and_no_traceback_for_non_utf8() -> None:
    with fake_google() as google, pytest.raises(GttsRefusedError, match="not UTF-8"):
        google.always("non-utf8")
        fast_gtts(attempts=2).synthesize(SHORT, "en", "com", False)


# --------------------------------------------------------------------------- audio check


def built_library(root: Path) -> dict[str, str]:
    texts = {"long": LONG, "stop": SHORT, "yes": "Yes."}
    assert build(root, texts, engines={"gtts": ToneEngine("gtts"), "espeak": ToneEngine("e")}).ok
    assert check_library(root, "en", texts, ["normal"]) == []
    return texts


def test_check_fails_on_a_planted_corrupt_clip(tmp_path: Path) -> None:
    texts = built_library(tmp_path)
    path = load_manifest(tmp_path, "en").file_path(load_manifest(tmp_path, "en")["long", "normal"])
    path.write_bytes(corrupt_frames(path.read_bytes()))  # same size, same frame count
    problems = check_library(tmp_path, "en", texts, ["normal"])
    assert len(problems) == 1 and path.name in problems[0] and "does not decode" in problems[0]


def test_check_fails_on_a_clip_cut_at_a_frame_boundary(tmp_path: Path) -> None:
    texts = built_library(tmp_path)
    directory = tmp_path / "en"
    entry = load_manifest(tmp_path, "en")["long", "normal"]
    cut = cut_frames((directory / entry.file).read_bytes())
    (directory / entry.file).write_bytes(cut)
    problems = "\n".join(check_library(tmp_path, "en", texts, ["normal"]))
    assert entry.file in problems and "bytes, manifest says" in problems
    # Even with a manifest rewritten to match the cut file, its length gives it away.
    info = mp3.analyse(cut)
    raw = json.loads((directory / "manifest.json").read_text("utf-8"))
    raw["clips"]["normal"]["long"].update(
        bytes=len(cut), frames=info.frame_count, duration=info.duration, sha256=sha256_of(cut)
    )
    (directory / "manifest.json").write_text(json.dumps(raw), "utf-8")
    found = check_library(tmp_path, "en", texts, ["normal"])
    assert len(found) == 1 and entry.file in found[0] and "too short" in found[0]


def test_check_fails_on_a_clip_that_decodes_but_is_not_what_was_built(tmp_path: Path) -> None:
    """Noise behind intact headers and side information decodes; the manifest's SHA-256 of
    what the build verified finds it, and the server stops linking an emptied clip."""
    texts = built_library(tmp_path)
    manifest = load_manifest(tmp_path, "en")
    entry = manifest["long", "normal"]
    assert entry.sha256 == sha256_of(manifest.file_path(entry).read_bytes())
    path = manifest.file_path(entry)
    noisy = noise_in_frames(path.read_bytes())
    assert check_frame_data(noisy) == mp3.analyse(noisy).frame_count  # it decodes
    path.write_bytes(noisy)
    problems = check_library(tmp_path, "en", texts, ["normal"])
    assert (
        len(problems) == 1
        and path.name in problems[0]
        and "changed since it was built" in problems[0]
    )
    assert manifest.current("long", "normal", LONG) is not None  # same size: check finds it
    path.write_bytes(b"")
    assert manifest.current("long", "normal", LONG) is None  # emptied: never linked


def test_a_manifest_from_before_hashes_gets_them_from_the_next_build(tmp_path: Path) -> None:
    texts = built_library(tmp_path)
    path = tmp_path / "en" / "manifest.json"
    raw = json.loads(path.read_text("utf-8"))
    for record in raw["clips"]["normal"].values():
        del record["sha256"]
    path.write_text(json.dumps(raw), "utf-8")
    assert load_manifest(tmp_path, "en")["long", "normal"].sha256 is None
    summary = build(
        tmp_path, texts, engines={"gtts": ToneEngine("gtts"), "espeak": ToneEngine("e")}
    )
    assert summary.made == 0
    manifest = load_manifest(tmp_path, "en")
    assert all(entry.sha256 is not None for entry in manifest.entries(["normal"]))


def test_a_damaged_clip_is_remade_by_the_next_build(tmp_path: Path) -> None:
    texts = built_library(tmp_path)
    manifest = load_manifest(tmp_path, "en")
    path = manifest.file_path(manifest["long", "normal"])
    path.write_bytes(corrupt_frames(path.read_bytes()))
    gtts = ToneEngine("gtts")
    summary = build(tmp_path, texts, engines={"gtts": gtts, "espeak": ToneEngine("e")})
    assert summary.made == 1 and gtts.texts == [LONG]
    assert check_library(tmp_path, "en", texts, ["normal"]) == []


def write_track(root: Path, clip: bytes, hashed: bool = False) -> Path:
    """A one-plan track index in the shape the session build writes (``hashed``: with the
    track's SHA-256 in the index and chapters, as builds record it now)."""
    directory = root / "en" / "tracks"
    directory.mkdir(parents=True)
    track = assemble_track([("clip", clip), ("silence", 1.0), ("clip", clip)])
    (directory / "p-normal-0123.mp3").write_bytes(track.data)
    fmt = track.format
    chapters = ChaptersDocument(
        version=1,
        lang="en",
        plan="p",
        speed="normal",
        file="p-normal-0123.mp3",
        script_key="k",
        sample_rate=fmt.sample_rate,
        samples_per_frame=fmt.samples_per_frame,
        frames=track.frame_count,
        duration=track.duration,
        bytes=len(track.data),
        sha256=sha256_of(track.data) if hashed else None,
        chapters=[],
    )
    (directory / "p-normal-0123.chapters.json").write_text(chapters.model_dump_json(), "utf-8")
    entry = {
        "file": chapters.file,
        "chapters": "p-normal-0123.chapters.json",
        "script_key": "k",
        "frames": track.frame_count,
        "duration": track.duration,
        "bytes": len(track.data),
        "sha256": chapters.sha256,
    }
    index = TrackIndex.model_validate(
        {"version": 1, "lang": "en", "tracks": {"p": {"normal": entry}}}
    )
    (directory / "index.json").write_text(index.model_dump_json(), "utf-8")
    return directory / "p-normal-0123.mp3"


def test_check_tracks_fails_exactly_when_a_track_is_bad(tmp_path: Path) -> None:
    path = write_track(tmp_path, mp3.strip(tone_mp3(1.0)))
    assert check_tracks(tmp_path, "en") == []
    good = path.read_bytes()
    path.write_bytes(corrupt_frames(good))
    problems = check_tracks(tmp_path, "en")
    assert len(problems) == 1 and path.name in problems[0] and "does not decode" in problems[0]
    path.write_bytes(cut_frames(good, 0.5))
    assert any(path.name in p and "bytes" in p for p in check_tracks(tmp_path, "en"))
    # Recorded with its hash, a track that decodes as noise is found too.
    write_track(tmp_path / "hashed", mp3.strip(tone_mp3(1.0)), hashed=True)
    hashed = tmp_path / "hashed" / "en" / "tracks" / path.name
    assert check_tracks(tmp_path / "hashed", "en") == []
    hashed.write_bytes(noise_in_frames(hashed.read_bytes()))
    problems = check_tracks(tmp_path / "hashed", "en")
    assert len(problems) == 1 and "changed since it was built" in problems[0]


# --------------------------------------------------------------------------- concurrency


def test_same_text_under_two_ids_is_made_once(tmp_path: Path) -> None:
    gtts = ToneEngine("gtts")
    texts = {"a": SHORT, "b": SHORT, "c": "Yes."}
    summary = build(tmp_path, texts, engines={"gtts": gtts, "espeak": ToneEngine("e")}, jobs=3)
    assert summary.ok and sorted(gtts.texts) == sorted([SHORT, "Yes."])
    manifest = load_manifest(tmp_path, "en")
    assert manifest["a", "normal"].file == manifest["b", "normal"].file


class SlowTone(ToneEngine):
    def synthesize(self, text: str, lang: str, tld: str, slow: bool) -> bytes:
        time.sleep(0.05)
        return super().synthesize(text, lang, tld, slow)


def test_two_builds_at_once_lose_no_manifest_entries(tmp_path: Path) -> None:
    texts = {f"t{n}": f"Sentence number {n} is here." for n in range(6)}
    waits: list[str] = []
    errors: list[BaseException] = []

    def one(speed: str) -> None:
        try:
            build(
                tmp_path,
                texts,
                speeds=(speed,),
                engines={"gtts": SlowTone("gtts"), "espeak": ToneEngine("e")},
                on_wait=waits.append,
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(speed,)) for speed in ("normal", "slow")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    manifest = load_manifest(tmp_path, "en")
    assert len(manifest.clips["normal"]) == len(manifest.clips["slow"]) == 6
    assert len(waits) == 1 and "waiting" in waits[0]
    assert check_library(tmp_path, "en", texts) == []


def test_a_second_process_is_told_the_library_is_busy(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; "
        "from server.narration import build_library, LibraryBusyError\n"
        "try:\n"
        "    build_library(Path(sys.argv[1]), 'en', {}, jobs=1, engine='espeak',"
        " wait_for_lock=False)\n"
        "except LibraryBusyError as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    with library_lock(tmp_path / "en"):
        done = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True
        )
    assert done.returncode == 3 and "another narration build is using" in done.stdout
    with pytest.raises(LibraryBusyError), library_lock(tmp_path / "en"):
        # Re-entered by this thread, but another thread must be refused.
        outcome: list[BaseException] = []

        def other() -> None:
            try:
                with library_lock(tmp_path / "en", wait=False):
                    pass
            except LibraryBusyError as exc:
                outcome.append(exc)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        raise outcome[0]


def test_offline_build_imports_neither_gtts_nor_requests(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from server.narration import build_library\n"
        "s = build_library(Path(sys.argv[1]), 'en', {}, jobs=1, engine='espeak')\n"
        "print(s.ok, 'gtts' in sys.modules, 'requests' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "False", "False"]


# --------------------------------------------------------------------------- clear messages


SPECS = {"en": VoiceSpec({"stop": SHORT}, "en")}


def cli(root: Path, *argv: str) -> int:
    return main(list(argv), lambda: SPECS, root, jobs=1, gtts_timeout=10.0)


def test_audio_path_that_is_a_file_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "audio"
    root.write_text("not a folder", "utf-8")
    with pytest.raises(LibraryError, match="is a file, not a folder"):
        build(root, {"stop": SHORT}, engine="espeak")
    assert cli(root, "audio", "build", "--engine", "espeak", "--no-progress") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err and "Traceback" not in err
    assert cli(root, "audio", "check") == 1
    assert "a file is in the way" in capsys.readouterr().out


def test_read_only_library_checks_but_will_not_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build(tmp_path, {"stop": SHORT}, engines={"gtts": ToneEngine("gtts")}).ok
    (tmp_path / "en" / storage.LOCK_NAME).unlink()
    before = sorted(p.name for p in (tmp_path / "en").iterdir())
    for path in [tmp_path / "en", *(tmp_path / "en").iterdir()]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        assert cli(tmp_path, "audio", "check", "--speed", "normal") == 0
        assert sorted(p.name for p in (tmp_path / "en").iterdir()) == before  # wrote nothing

        # Root ignores permission bits, so the read-only file system is simulated at open().
        real_open = os.open

        def read_only(path: Any, flags: int, *args: Any) -> int:
            if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                raise OSError(errno.EROFS, "Read-only file system", str(path))
            return real_open(path, flags, *args)

        monkeypatch.setattr(os, "open", read_only)
        assert cli(tmp_path, "audio", "build", "--speed", "normal", "--no-progress") == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert "cannot write to the narration folder" in err and "Read-only" in err
    finally:
        for path in [tmp_path / "en", *(tmp_path / "en").iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_audio_check_command_names_the_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(tmp_path, {"stop": SHORT}, engines={"gtts": ToneEngine("gtts")}).ok
    assert cli(tmp_path, "audio", "check", "--speed", "normal") == 0
    entry = load_manifest(tmp_path, "en")["stop", "normal"]
    path = tmp_path / "en" / entry.file
    path.write_bytes(corrupt_frames(path.read_bytes()))
    capsys.readouterr()
    assert cli(tmp_path, "audio", "check", "--speed", "normal") == 1
    out = capsys.readouterr().out
    assert f"en: stop (normal) {entry.file}: does not decode" in out
