"""Narration built while the server runs is picked up without a restart (scripts/serve serves
at once and builds behind the server: server/audio_watch.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.testclient import TestClient

from server.app import create_app
from server.audio_watch import NarrationWatch
from server.config import Settings
from server.content import Content
from server.narration.storage import library_lock
from tests.narration_helpers import build_session_audio


def english(client: TestClient) -> dict[str, Any]:
    narration: dict[str, Any] = client.get("/healthz").json()["narration"]
    by_language: dict[str, Any] = narration["by_language"]["en"]
    return by_language


def track_urls(client: TestClient) -> list[str]:
    listing = client.get("/en/offline/files.json?speed=normal&perspective=you").json()
    return [f["url"] for f in listing["files"] if "/tracks/" in f["url"]]


def watched(audio: Path) -> tuple[Starlette, NarrationWatch]:
    """An app that looks for narration built behind it in ``audio``, and its watch."""
    app = create_app(Settings(audio_dir=audio, secret_key="t", watch_narration=True))
    return app, app.state.narration_watch


def test_a_language_built_behind_the_server_is_loaded_once_its_build_settles(
    tmp_path: Path, content: Content
) -> None:
    audio = tmp_path / "audio"
    app, watch = watched(audio)
    client = TestClient(app)  # no lifespan: the test looks for changes itself
    question = f"/en/screening/q/{content.questions[0].id}"
    before = app.state.ig
    assert english(client) == {
        "clips_present": 0,
        "clips_needed": english(client)["clips_needed"],
        "complete": False,
    }
    assert "/audio/en/" not in client.get(question).text
    client.get(question)  # kept (server/page_cache.py), without its clip
    assert track_urls(client) == []

    # While the build holds the language's lock, its files may change again: they are loaded
    # once they have stayed unchanged for a while.
    with library_lock(audio / "en"):
        build_session_audio(audio, content, speeds=("normal",), voice="quiet")
        now = time.monotonic()
        assert not watch.check(now)  # changed: wait until it stays unchanged
        assert not watch.check(now + watch.settle - 0.5)
        assert app.state.ig is before
        assert watch.check(now + watch.settle)
    assert app.state.ig is not before
    assert not watch.check(now + 2 * watch.settle)  # nothing new since

    status = english(client)
    assert status["clips_present"] == status["clips_needed"] // 2  # the normal voice only
    assert client.get("/healthz").json()["narration"]["by_language"]["es"]["clips_present"] == 0
    # The page kept ready before is made again, with its clip; the tracks are offered.
    clip = app.state.ig.clips.url("en", f"q.{content.questions[0].id}.you")
    assert clip and clip in client.get(question).text
    assert len(track_urls(client)) == len(content.session.plans)


def test_the_server_started_with_the_setting_looks_for_narration_by_itself(
    tmp_path: Path, content: Content
) -> None:
    audio = tmp_path / "audio"
    app = create_app(Settings(audio_dir=audio, secret_key="t", watch_narration=True))
    app.state.narration_watch.settle = 0.0
    with TestClient(app) as client:
        assert english(client)["clips_present"] == 0
        build_session_audio(audio, content, speeds=("normal",), voice="quiet")
        deadline = time.monotonic() + 60
        while english(client)["clips_present"] == 0:
            assert time.monotonic() < deadline, "the narration was never loaded"
            time.sleep(0.1)
        assert len(track_urls(client)) == len(content.session.plans)


def test_without_the_setting_the_narration_is_the_one_found_at_start(
    tmp_path: Path, content: Content
) -> None:
    app = create_app(Settings(audio_dir=tmp_path / "audio", secret_key="t"))
    assert not hasattr(app.state, "narration_watch")


def test_a_language_whose_build_has_ended_is_loaded_at_the_next_look(
    tmp_path: Path, content: Content
) -> None:
    """Its build's lock is free: the files are final, so no wait for them to settle."""
    audio = tmp_path / "audio"
    app, watch = watched(audio)
    before = app.state.ig
    build_session_audio(audio, content, speeds=("normal",), voice="quiet")
    assert watch.check(time.monotonic())
    assert app.state.ig is not before
    assert english(TestClient(app))["clips_present"] > 0
