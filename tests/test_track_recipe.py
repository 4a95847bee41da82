"""Session track recipes: the exact bytes of a track, made again from its clips and null
frames, as a device saving for offline use makes them (pwa/static/js/sw.js; tests/js/sw.test.js
for the worker's side, tests/test_browser_pwa.py for Chromium's)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.content import Content
from server.narration import mp3
from server.narration.check import check_tracks
from server.narration.recipe import Recipe, cook, make_recipe
from server.narration.track import assemble_track
from server.narration.trackfiles import tracks_dir
from server.session.track_lookup import current_tracks
from server.session.tracks import build_session_tracks
from tests.fake_gtts import tone_mp3


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_recipe_makes_the_assembled_track_byte_for_byte(tmp_path: Path) -> None:
    """Tags and a Xing frame are left out as the track leaves them out; a clip said twice is
    named once; a silence of no frames adds nothing."""
    plain = tone_mp3(0.4)
    fmt = mp3.analyse(plain).format
    tagged = b"ID3\x04\x00\x00\x00\x00\x00\x02ab" + tone_mp3(0.7, freq=660)
    xing = mp3.silence_frames(fmt, 1)
    xing = xing[:13] + b"Info" + xing[17:]  # a LAME Info frame before the audio
    files = {"a.mp3": plain, "b.mp3": tagged, "c.mp3": xing + tone_mp3(0.3, freq=880)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    a, b, c = (tmp_path / name for name in files)
    counts = [10, 0, 42]
    track = assemble_track(
        [
            ("silence", counts[0] * fmt.frame_seconds),
            ("clip", a),
            ("clip", b),
            ("silence", 0.0),
            ("clip", a),
            ("silence", counts[2] * fmt.frame_seconds),
            ("clip", c),
        ],
        template=fmt,
    )
    recipe = make_recipe(fmt, [counts[0], a, b, counts[1], a, counts[2], c])

    assert [clip.file for clip in recipe.clips] == ["a.mp3", "b.mp3", "c.mp3"]
    assert recipe.parts == [-10, 0, 1, 0, -42, 2]
    assert recipe.clips[1].start == 12 and recipe.clips[2].start == len(xing)
    assert recipe.clips[0].sha256 == sha256(plain)
    made = cook(recipe, lambda name: (tmp_path / name).read_bytes())
    assert made == track.data
    # The recipe survives its JSON form (what the chapters file holds).
    again = Recipe.model_validate(json.loads(recipe.model_dump_json()))
    assert cook(again, lambda name: (tmp_path / name).read_bytes()) == track.data


@pytest.fixture
def library(tmp_path: Path, quiet_audio_dir: Path) -> Path:
    """A copy of the quiet English library, to change."""
    root = tmp_path / "audio"
    shutil.copytree(quiet_audio_dir, root)
    return root


def test_every_built_track_has_a_recipe_that_makes_it(
    quiet_audio_dir: Path, content: Content
) -> None:
    tracks = current_tracks(quiet_audio_dir, "en", content, "normal")
    tracks += current_tracks(quiet_audio_dir, "en", content, "slow")
    assert len(tracks) == 4 * len(content.session.plans)  # two speeds, two perspectives
    for track in tracks:
        assert track.recipe is not None and track.sha256 is not None
        data = (tracks_dir(quiet_audio_dir, "en") / track.file).read_bytes()
        assert track.sha256 == sha256(data)
        made = cook(track.recipe, lambda name: (quiet_audio_dir / "en" / name).read_bytes())
        assert sha256(made) == track.sha256
    assert check_tracks(quiet_audio_dir, "en") == []


def chapters_files(root: Path) -> list[Path]:
    return sorted(tracks_dir(root, "en").glob("*.chapters.json"))


def test_audio_check_finds_a_recipe_that_does_not_make_its_track(library: Path) -> None:
    path = chapters_files(library)[0]
    document = json.loads(path.read_text())
    parts = document["recipe"]["parts"]
    document["recipe"]["parts"] = [*parts[:-1], parts[-1] - 1 if parts[-1] < 0 else -1]
    path.write_text(json.dumps(document))
    problems = check_tracks(library, "en")
    assert len(problems) == 1 and "recipe: does not make the track's bytes" in problems[0]


def test_a_track_without_a_recipe_gets_one_at_the_next_build(
    library: Path, content: Content
) -> None:
    """Tracks built before recipes existed: the build makes them again (the same bytes, under
    the same name) and records the recipe."""
    path = chapters_files(library)[0]
    document = json.loads(path.read_text())
    track = tracks_dir(library, "en") / document["file"]
    before = track.read_bytes()
    del document["recipe"]
    path.write_text(json.dumps(document))

    summary = build_session_tracks(library, "en", content)
    assert summary.ok and summary.count("made") == 1, summary.describe()
    assert json.loads(path.read_text())["recipe"]["parts"]
    assert track.read_bytes() == before
    assert check_tracks(library, "en") == []


def listing(client: TestClient, query: str) -> dict[str, Any]:
    response = client.get(f"/en/offline/files.json?speed=normal&perspective=you{query}")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def test_files_json_lists_tracks_with_recipes_for_a_worker_that_makes_them(
    quiet_audio_dir: Path, content: Content
) -> None:
    """With ``recipes=1`` each track comes with its SHA-256 and recipe, every clip a recipe
    names is listed to save, and what the clips' URLs serve makes the track's very bytes.
    Without it (an older worker) the tracks are files to download, as before."""
    with TestClient(create_app(Settings(audio_dir=quiet_audio_dir, secret_key="t"))) as client:
        data = listing(client, "&recipes=1")
        older = listing(client, "")
        assert client.get("/en/offline/files.json?recipes=2").status_code == 400
        tracks = [f for f in data["files"] if f["kind"] == "track"]
        assert len(tracks) == len(content.session.plans)
        clips = {f["url"] for f in data["files"] if f["kind"] == "clip"}
        assert len(clips) == len([f for f in data["files"] if f["kind"] == "clip"])  # once each
        for track in tracks:
            recipe = track["recipe"]
            assert set(recipe["clips"]) <= clips
            served = {url: client.get(url).content for url in recipe["clips"]}
            frame = bytes.fromhex(recipe["silence"]["header"])
            frame += bytes(recipe["silence"]["bytes"] - len(frame))
            spans = [
                served[url][start:end]
                for url, (start, end) in zip(recipe["clips"], recipe["spans"], strict=True)
            ]
            made = b"".join(spans[p] if p >= 0 else frame * -p for p in recipe["parts"])
            assert len(made) == track["bytes"]
            assert sha256(made) == track["sha256"] == sha256(client.get(track["url"]).content)

    track_bytes = sum(f["bytes"] for f in tracks)
    assert data["total_bytes"] == sum(f["bytes"] for f in data["files"])
    assert data["transfer_bytes"] == data["total_bytes"] - track_bytes
    # An older worker downloads the same tracks.
    assert {f["url"] for f in older["files"] if "/tracks/" in f["url"]} == {
        f["url"] for f in tracks
    }
    assert {f["kind"] for f in older["files"] if "/tracks/" in f["url"]} == {"clip"}
