"""Narration served over HTTP: Range, caching, missing clips, and pages that carry their clip."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.content import Content, load_all
from server.narration import load_manifest


@pytest.fixture(scope="module")
def built_audio(quiet_audio_dir: Path) -> Path:
    """A whole library for the English content, both speeds (built by conftest)."""
    return quiet_audio_dir


@pytest.fixture
def audio_client(built_audio: Path) -> Iterator[TestClient]:
    settings = Settings(audio_dir=built_audio, secret_key="audio-test")
    with TestClient(create_app(settings)) as client:
        yield client


def question_clip_url(client: TestClient, question_id: str) -> str:
    client.post("/en/screening/start", data={"perspective": "you"})
    page = client.get(f"/en/screening/q/{question_id}").text
    match = re.search(r'<audio[^>]+src="(/audio/en/[0-9a-f]{16}\.mp3)"', page)
    assert match, "question page has no clip"
    return match.group(1)


def test_every_question_page_carries_its_clip_and_text(
    audio_client: TestClient, content: Content, built_audio: Path
) -> None:
    manifest = load_manifest(built_audio, "en")
    audio_client.post("/en/screening/start", data={"perspective": "you"})
    for q in content.questions:
        page = audio_client.get(f"/en/screening/q/{q.id}").text
        entry = manifest.get(f"q.{q.id}.you")
        assert entry is not None
        assert f'src="/audio/en/{entry.file}"' in page
        # The clip's exact text is on the page.
        assert entry.text == q.you and str(escape(q.you)) in page
        slow = manifest.get(f"q.{q.id}.you", "slow")
        assert slow is not None and f'data-slow-src="/audio/en/{slow.file}"' in page


def test_clip_range_request_gives_206_with_immutable_cache(audio_client: TestClient) -> None:
    url = question_clip_url(audio_client, "glaucoma")
    full = audio_client.get(url)
    assert full.status_code == 200
    assert full.headers["content-type"] == "audio/mpeg"
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert full.content[:2] == b"\xff\xf3" or full.content[0] == 0xFF
    partial = audio_client.get(url, headers={"Range": "bytes=0-1", "Accept-Encoding": "gzip"})
    assert partial.status_code == 206
    assert partial.content == full.content[:2]
    assert partial.headers["content-range"] == f"bytes 0-1/{len(full.content)}"
    assert partial.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-encoding" not in partial.headers
    whole = audio_client.get(url, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in whole.headers
    beyond = audio_client.get(url, headers={"Range": f"bytes={len(full.content) + 10}-"})
    assert beyond.status_code == 416


def test_clip_etag_gives_304(audio_client: TestClient) -> None:
    url = question_clip_url(audio_client, "pregnancy")
    first = audio_client.get(url)
    etag = first.headers["etag"]
    again = audio_client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_missing_clip_is_404_not_500(audio_client: TestClient) -> None:
    assert audio_client.get("/audio/en/0000000000000000.mp3").status_code == 404
    assert audio_client.get("/audio/en/manifest.json").status_code == 404
    assert audio_client.get("/audio/en/").status_code == 404


def test_pages_work_and_log_names_missing_clips(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    settings = Settings(audio_dir=tmp_path / "none", secret_key="x")
    with TestClient(create_app(settings)) as client:
        client.post("/en/screening/start", data={"perspective": "you"})
        page = client.get("/en/screening/q/glaucoma")
        assert page.status_code == 200
        assert "The spoken version of this page is not ready yet" in page.text
        assert "<audio" not in page.text.split('id="question-text"')[1].split("</form>")[0]
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "python -m server audio build --lang en" in messages
    assert "normal:home" in messages


def test_healthz_reports_complete_narration(built_audio: Path, tmp_path: Path) -> None:
    # The live library holds all of English but only part of Spanish (what the Spanish
    # browser tests play), so this serves English alone.
    content_dir = tmp_path / "content"
    content_dir.mkdir()
    (content_dir / "en.yaml").write_text(
        (Path(__file__).parent.parent / "content" / "en.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    settings = Settings(audio_dir=built_audio, content_dir=content_dir, secret_key="x")
    with TestClient(create_app(settings)) as client:
        narration = client.get("/healthz").json()["narration"]
    assert narration["percent"] == 100.0 and narration["complete"] is True


def test_changed_text_never_plays_stale_audio(built_audio: Path, tmp_path: Path) -> None:
    """A manifest entry whose text no longer matches the content is not offered to pages."""
    import shutil

    content_dir = tmp_path / "content"
    shutil.copytree(Path(__file__).parent.parent / "content", content_dir)
    path = content_dir / "en.yaml"
    glaucoma = load_all(content_dir)["en"].question("glaucoma")
    assert glaucoma is not None
    changed = glaucoma.you.replace("?", " now?")
    path.write_text(path.read_text().replace(glaucoma.you, changed))
    settings = Settings(audio_dir=built_audio, content_dir=content_dir, secret_key="x")
    with TestClient(create_app(settings)) as client:
        client.post("/en/screening/start", data={"perspective": "you"})
        page = client.get("/en/screening/q/glaucoma").text
        assert changed in page
        assert "The spoken version of this page is not ready yet" in page
