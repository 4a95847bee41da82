"""Session tracks built for real: espeak-ng clips joined with exact silences, one per plan
and speed; every track is valid MP3 whose length and chapters are its plan's timeline."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from server.content import Content
from server.content.perspective import PERSPECTIVES
from server.content.session import SessionText
from server.narration import SPEEDS, Speed, load_manifest, mp3
from server.narration.trackfiles import tracks_dir
from server.session.timeline import FrameClock, lay_out
from server.session.track_lookup import current_track_files, load_track
from server.session.tracks import build_session_tracks
from server.speech.script import COME_UP, content_script
from tests.conftest import needs_ffmpeg
from tests.narration_helpers import build_session_audio

pytestmark = pytest.mark.slow


def track_texts(content: Content) -> dict[str, str]:
    """The clips the session tracks are made of (a fraction of all the content's clips)."""
    texts: dict[str, str] = {}
    for plan in content.session.plans:
        for perspective in PERSPECTIVES:
            texts.update(content_script(content, plan, perspective).clip_texts())
    return texts


@pytest.fixture(scope="module")
def audio_root(tmp_path_factory: pytest.TempPathFactory, content: Content) -> Path:
    root = tmp_path_factory.getbasetemp() / "session-audio"
    build_session_audio(root, content, texts=track_texts(content))
    return root


def index_of(root: Path) -> dict[str, dict[str, dict[str, object]]]:
    data = json.loads((tracks_dir(root, "en") / "index.json").read_text())
    tracks: dict[str, dict[str, dict[str, object]]] = data["tracks"]
    return tracks


def test_every_plan_has_a_track_at_every_speed(audio_root: Path, content: Content) -> None:
    index = index_of(audio_root)
    plans = {p.id for p in content.session.plans}
    assert set(index) == plans | {f"{p}.they" for p in plans}
    for plan in content.session.plans:
        for key, prefix in ((plan.id, plan.id), (f"{plan.id}.they", f"{plan.id}-they")):
            assert set(index[key]) == set(SPEEDS)
            for speed in SPEEDS:
                name = str(index[key][speed]["file"])
                assert name.startswith(f"{prefix}-{speed}-") and name.endswith(".mp3")
                files = dict(current_track_files(audio_root, "en", content, speed))
                assert files[name] == index[key][speed]["bytes"]


@pytest.mark.parametrize("speed", SPEEDS)
def test_tracks_are_valid_mp3_of_exactly_their_plans_timeline(
    audio_root: Path, content: Content, speed: Speed
) -> None:
    manifest = load_manifest(audio_root, "en")
    directory = tracks_dir(audio_root, "en")
    for plan, perspective in [(p, v) for p in content.session.plans for v in PERSPECTIVES]:
        key = f"{plan.id}.they" if perspective == "they" else plan.id
        entry = index_of(audio_root)[key][speed]
        data = (directory / str(entry["file"])).read_bytes()
        info = mp3.analyse(data)  # raises unless the whole file is clean constant-format frames
        fmt = info.format
        frame = fmt.frame_seconds
        script = content_script(content, plan, perspective)
        clips = {cid: manifest[cid, speed] for cid in script.clip_texts()}
        expected = lay_out(
            script,
            {cid: e.frames for cid, e in clips.items()},
            FrameClock(fmt.sample_rate, fmt.samples_per_frame),
        )
        # The track's duration equals the plan's timeline (to the frame, so within one frame).
        assert info.frame_count == expected.frames
        assert abs(info.duration - expected.duration) < frame

        doc = json.loads((directory / str(entry["chapters"])).read_text())
        assert doc["frames"] == info.frame_count and doc["bytes"] == len(data)
        chapters = doc["chapters"]
        assert [c["id"] for c in chapters] == [c.id for c in script.chapters]
        assert chapters[0]["start"] == 0 and chapters[-1]["end"] == pytest.approx(info.duration)
        covered: set[int] = set()
        for chapter, placed in zip(chapters, expected.chapters, strict=True):
            # Chapter offsets are frame counts.
            assert chapter["start_frame"] == placed.start_frame
            assert chapter["start"] == round(placed.start_frame * frame, 6)
            assert chapter["end"] == round(placed.end_frame * frame, 6)
            if chapter["id"].startswith("hold-"):
                n = int(chapter["id"].split("-")[1])
                assert chapter["end"] - chapter["start"] == pytest.approx(plan.holds[n - 1])
            # Each clip's bytes sit exactly at the frame the chapters say it starts.
            for line, placed_line in zip(chapter["lines"], placed.lines, strict=True):
                start = round(line["start"] / frame)
                assert start == placed_line.start_frame
                clip = (manifest.directory / clips[placed_line.clip_id].file).read_bytes()
                offset = info.frame_offsets[start]
                assert data[offset : offset + len(clip)] == clip
                covered.update(range(start, start + placed_line.frames))
        # Everything else is exact silence: null frames of the same format.
        null = mp3.silence_frames(fmt, 1)
        for i in set(range(info.frame_count)) - covered:
            offset = info.frame_offsets[i]
            assert data[offset : offset + len(null)] == null, f"frame {i} is not a null frame"
        # "Stop and come up now" lands on speech, never on silence.
        come_up = next(c for c in chapters if c["id"] == COME_UP)
        assert come_up["start_frame"] in covered


@needs_ffmpeg
def test_a_real_decoder_plays_every_track_to_its_timeline_length(audio_root: Path) -> None:
    directory = tracks_dir(audio_root, "en")
    for by_speed in index_of(audio_root).values():
        for speed, entry in by_speed.items():
            if speed != "normal":
                continue  # the slow tracks are made the same way; decoding them adds time only
            path = directory / str(entry["file"])
            done = subprocess.run(
                ["ffmpeg", "-v", "error", "-xerror", "-i", str(path), "-f", "s16le", "-"],
                capture_output=True,
                check=False,
            )
            assert done.returncode == 0 and not done.stderr, done.stderr[-300:]
            samples = len(done.stdout) // 2
            frames = int(str(entry["frames"]))
            assert samples == frames * 576, path.name  # every frame decodes to 576 samples


def test_rebuild_is_incremental_and_a_changed_pause_makes_a_new_track(
    audio_root: Path, tmp_path: Path, content: Content
) -> None:
    root = tmp_path / "audio"
    shutil.copytree(audio_root, root)
    again = build_session_tracks(root, "en", content)
    assert again.count("reused") == len(again.results) and again.count("made") == 0
    before = index_of(root)

    data = content.session.model_dump()
    data["steps"]["cool_down"]["lines"][0]["pause"] = 7
    changed = content.model_copy(update={"session": SessionText.model_validate(data)})
    rebuilt = build_session_tracks(root, "en", changed, prune=True)
    assert rebuilt.ok and rebuilt.count("made") == len(rebuilt.results)
    after = index_of(root)
    for plan_id, by_speed in after.items():
        for speed, entry in by_speed.items():
            assert entry["file"] != before[plan_id][speed]["file"]
            assert int(str(entry["frames"])) > int(str(before[plan_id][speed]["frames"]))
    # Pruning kept the previous generation, which a running server may still link (its
    # files are the index's "retired"), and nothing else.
    files = {p.name for p in tracks_dir(root, "en").iterdir()}
    wanted = {str(e[k]) for b in after.values() for e in b.values() for k in ("file", "chapters")}
    old = {str(e[k]) for b in before.values() for e in b.values() for k in ("file", "chapters")}
    retired = json.loads((tracks_dir(root, "en") / "index.json").read_text())["retired"]
    assert set(retired) == old and files == wanted | old | {"index.json"}
    # The server never offers a track made from other content.
    plan = content.session.plans[0]
    old_key = content_script(content, plan).key
    new_key = content_script(changed, plan).key
    assert load_track(root, "en", plan.id, "normal", old_key) is None
    track = load_track(root, "en", plan.id, "normal", new_key)
    assert track is not None and track.file == after[plan.id]["normal"]["file"]
    # The next change retires this generation, and the one before goes.
    data["steps"]["cool_down"]["lines"][0]["pause"] = 8
    changed_again = content.model_copy(update={"session": SessionText.model_validate(data)})
    assert build_session_tracks(root, "en", changed_again, prune=True).ok
    newest = index_of(root)
    current = {str(e[k]) for b in newest.values() for e in b.values() for k in ("file", "chapters")}
    files = {p.name for p in tracks_dir(root, "en").iterdir()}
    assert files == current | wanted | {"index.json"} and not files & old


def test_missing_clips_are_reported_and_nothing_half_built_is_offered(
    audio_root: Path, tmp_path: Path, content: Content
) -> None:
    empty = build_session_tracks(tmp_path / "none", "en", content, ["normal"])
    assert not empty.ok and empty.count("missing") == 2 * len(content.session.plans)
    assert "no clip for" in empty.describe()
    key = content_script(content, content.session.plans[0]).key
    assert load_track(tmp_path / "none", "en", content.session.plans[0].id, "normal", key) is None

    # One clip gone: the plans that need it keep their previous (still current) track.
    root = tmp_path / "audio"
    shutil.copytree(audio_root, root)
    manifest = load_manifest(root, "en")
    (manifest.directory / manifest["session.cue.countdown", "slow"].file).unlink()
    partial = build_session_tracks(root, "en", content, ["slow"])
    assert partial.count("missing") == 2 * len(content.session.plans)
    assert index_of(root) == index_of(audio_root)
    with pytest.raises(ValueError, match="speed"):
        build_session_tracks(root, "en", content, ["fast"])
