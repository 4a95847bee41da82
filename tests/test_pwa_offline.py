"""The installable, offline-capable app over HTTP: manifest, icons, /sw.js, what "Use offline"
downloads, the on-device rules, and pages that still work with JavaScript off."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.testclient import TestClient

from server.app import create_app
from server.config import ROOT, Settings
from server.content import Content
from server.content.perspective import PERSPECTIVES, Perspective
from server.content.pwa import PwaText
from server.http.static import tree_digest
from server.http.urls import Urls
from server.narration import ClipEntry, Manifest
from server.offline import tracks as offline_tracks
from server.offline.files import page_paths
from server.offline.version import app_version
from server.session.track_lookup import LoadedTrack, current_track_files
from server.speech import clip_ids
from server.speech import texts as speech

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def sw_config(text: str) -> dict[str, Any]:
    first, _, _rest = text.partition("\n")
    match = re.fullmatch(r"self\.IG_CONFIG = (\{.*\});", first)
    assert match, first
    config: dict[str, Any] = json.loads(match.group(1))
    return config


# --- Installable -------------------------------------------------------------------------


def test_manifest_has_every_field_and_real_icons(client: TestClient) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    assert response.headers["cache-control"] == "no-cache"
    manifest = response.json()
    assert manifest["name"] == "Inversion Guide"
    assert manifest["short_name"]
    assert len(manifest["short_name"]) <= 12  # fits under a home-screen icon
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "en"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    found = set()
    for icon in manifest["icons"]:
        if icon["type"] != "image/png":
            continue
        data = client.get(icon["src"]).content
        width, height = png_size(data)
        assert icon["sizes"] == f"{width}x{height}"
        found.add((icon["sizes"], icon.get("purpose", "any")))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= found


def test_pages_link_the_manifest_the_script_and_a_touch_icon(client: TestClient) -> None:
    page = client.get("/en/").text
    assert '<link rel="manifest" href="/en/manifest.webmanifest">' in page
    assert re.search(r'<script type="module" src="/static/[0-9a-f]{10}/js/app\.js">', page)
    assert re.search(
        r'<link rel="apple-touch-icon" href="/static/[0-9a-f]{10}/icons/icon-192', page
    )


def test_versioned_static_files_are_immutable_and_others_revalidate(client: TestClient) -> None:
    """One version for the whole static folder, so relative module imports are versioned too."""
    version = client.app.state.ig.static_version  # type: ignore[attr-defined]
    current = client.get(f"/static/{version}/js/app.js")
    assert current.status_code == 200
    assert current.headers["cache-control"] == "public, max-age=31536000, immutable"
    older = client.get("/static/0000000000/js/app.js")
    assert older.status_code == 200 and older.headers["cache-control"] == "no-cache"
    assert older.content == current.content
    assert client.get(f"/static/{version}/js/nothing.js").status_code == 404


def test_service_worker_is_never_cached_and_carries_its_version(client: TestClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"].startswith("text/javascript")
    config = sw_config(response.text)
    assert config["version"] == app_version(client.app)  # type: ignore[arg-type]
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    # The shell is precached at install (with the open languages' manifest and offline
    # page): every URL must answer 200 without cookies.
    assert config["shellByLang"]["en"] == ["/en/manifest.webmanifest", "/en/offline"]
    # CSS and JS are never downloaded at install (copied from the HTTP cache when a page
    # loaded them), and the 512 px icons are left to the browser's home-screen install.
    assert not any(re.search(r"\.(css|js)$|512", url) for url in config["shell"])
    assert any(re.fullmatch(r"/static/[0-9a-f]{10}/js/app\.js", url) for url in config["assets"])
    assert any(url.endswith("/css/app.css") for url in config["assets"])
    by_lang = [url for urls in config["shellByLang"].values() for url in urls]
    for url in config["shell"] + by_lang + config["assets"]:
        assert client.get(url).status_code == 200, url
    assert "'only-if-cached'" in response.text
    assert "addEventListener('fetch'" in response.text


def test_version_follows_the_content_hash(tmp_path: Path) -> None:
    folder = tmp_path / "tree"
    folder.mkdir()
    (folder / "a.css").write_text("body { color: red }")
    before = tree_digest(folder)
    assert tree_digest(folder) == before
    (folder / "a.css").write_text("body { color: blue }")
    assert tree_digest(folder) != before

    # Different content (or narration) gives a different version, the same gives the same.
    settings = Settings(audio_dir=tmp_path / "audio", secret_key="x")
    one, two = create_app(settings), create_app(settings)
    assert app_version(one) == app_version(two)
    changed = tmp_path / "content"
    changed.mkdir()
    data = yaml.safe_load((ROOT / "content" / "en.yaml").read_text())
    data["questions"][0]["why"] += " More."
    (changed / "en.yaml").write_text(yaml.safe_dump(data))
    other = create_app(Settings(audio_dir=tmp_path / "audio", content_dir=changed, secret_key="x"))
    assert app_version(other) != app_version(one)


# --- What "Use offline" downloads -------------------------------------------------------------


def library_client(
    tmp_path: Path, content: Content, clips: list[tuple[str, str, str, int]]
) -> TestClient:
    """An app whose English narration library holds ``clips``: (clip id, speed, file, bytes)."""
    folder = tmp_path / "audio" / "en"
    folder.mkdir(parents=True)
    texts = speech.narration_texts(content)
    manifest = Manifest("en", folder)
    for clip_id, speed, name, size in clips:
        (folder / f"{name}.mp3").write_bytes(b"\xff" * size)
        manifest.put(
            ClipEntry(
                clip_id=clip_id,
                speed=speed,  # type: ignore[arg-type]
                file=f"{name}.mp3",
                key=name * 4,
                text=texts[clip_id],
                engine="espeak",
                lang="en",
                accent="",
                duration=1.0,
                frames=42,
                bytes=size,
            )
        )
    manifest.path.write_text(manifest.to_json(), encoding="utf-8")
    app = create_app(Settings(audio_dir=tmp_path / "audio", secret_key="t"))
    return TestClient(app)


@pytest.fixture
def clip_client(tmp_path: Path, content: Content) -> TestClient:
    """An app with a small narration library: two clips, one of them also slow."""
    q1 = f"q.{content.questions[0].id}.you"
    return library_client(
        tmp_path,
        content,
        [
            ("home", "normal", "aaaaaaaaaaaaaaaa", 1000),
            (q1, "normal", "bbbbbbbbbbbbbbbb", 2000),
            ("home", "slow", "cccccccccccccccc", 3000),
        ],
    )


def test_offline_list_names_every_page_asset_and_clip_with_its_size(
    clip_client: TestClient, content: Content
) -> None:
    with clip_client:
        listing = clip_client.get("/en/offline/files.json?speed=normal")
        assert listing.status_code == 200
        assert listing.headers["cache-control"] == "no-cache"
        data = listing.json()
        assert data["lang"] == "en" and data["speed"] == "normal"
        assert data["version"] == sw_config(clip_client.get("/sw.js").text)["version"]
        urls = {f["url"]: f for f in data["files"]}
        for question in content.questions:
            assert f"/en/screening/q/{question.id}" in urls
        for path in ["/en/", "/en/screening", "/en/screening/offline", "/en/offline"]:
            assert urls[path]["kind"] == "page"
        assert urls["/en/screening/rules.json"]["kind"] == "page"
        # Pages that show answers are never saved.
        assert "/en/screening/check" not in urls and "/en/screening/result" not in urls
        # Each size is the real size of a GET without cookies.
        for url, entry in urls.items():
            body = clip_client.get(url, headers={"accept-encoding": "identity"})
            assert body.status_code == 200, url
            assert len(body.content) == entry["bytes"], url
        clips = sorted(f["url"] for f in data["files"] if f["kind"] == "clip")
        assert clips == ["/audio/en/aaaaaaaaaaaaaaaa.mp3", "/audio/en/bbbbbbbbbbbbbbbb.mp3"]
        assert data["total_bytes"] == sum(f["bytes"] for f in data["files"])

        slow = clip_client.get("/en/offline/files.json?speed=slow").json()
        slow_clips = sorted(f["url"] for f in slow["files"] if f["kind"] == "clip")
        # The slow clip where there is one, else the normal clip.
        assert slow_clips == ["/audio/en/bbbbbbbbbbbbbbbb.mp3", "/audio/en/cccccccccccccccc.mp3"]


def test_offline_list_refuses_unknown_speed_and_language(client: TestClient) -> None:
    assert client.get("/en/offline/files.json?speed=fast").status_code == 400
    assert client.get("/xx/offline/files.json").status_code == 404
    assert client.get("/xx/offline").status_code == 404
    assert client.get("/xx/screening/rules.json").status_code == 404


def test_pages_saved_for_offline_carry_no_answers(client: TestClient, content: Content) -> None:
    """The saved copies are fetched without the cookie, so an answer can never be in them."""
    client.post("/en/screening/start", data={"perspective": "they"})
    client.post(f"/en/screening/q/{content.questions[0].id}", data={"answer": "yes"})
    with_cookie = client.get(f"/en/screening/q/{content.questions[0].id}").text
    assert "ig-current-answer" in with_cookie  # the live page shows the answer...
    cookieless = TestClient(client.app)  # what the service worker's credentials: 'omit' sends
    app = client.app
    assert isinstance(app, Starlette)
    urls = Urls(app, "en", app.state.ig.static_version)
    for path in page_paths(urls, content):
        saved = cookieless.get(path).text
        assert "ig-current-answer" not in saved, path  # ...the saved copy never does
        if "/q/" in path:  # saved questions are asked as rendered for no one in particular
            assert content.questions[0].they not in saved, path


def test_rules_hold_what_the_device_needs_and_no_answers(
    client: TestClient, content: Content
) -> None:
    rules = client.get("/en/screening/rules.json").json()
    assert [q["id"] for q in rules["questions"]] == [q.id for q in content.questions]
    first = rules["questions"][0]
    assert first["you"] == content.questions[0].you
    assert first["they"] == content.questions[0].they
    assert first["level"] == content.questions[0].level.value
    assert first["url"] == f"/en/screening/q/{content.questions[0].id}"
    assert set(rules["outcomes"]) == {
        "emergency",
        "urgent",
        "avoid",
        "ask-first",
        "no-known-reason",
    }
    assert rules["outcomes"]["avoid"]["you"]["title"] == content.outcomes.avoid.title


def test_rules_word_the_result_for_the_person_and_for_a_carer_with_each_ones_clip(
    tmp_path: Path, content: Content
) -> None:
    """Offline, a carer's result is worded and spoken for a carer, as the result page is."""
    you, they = (
        clip_ids.outcome("avoid", Perspective.YOU),
        clip_ids.outcome("avoid", Perspective.THEY),
    )
    client = library_client(
        tmp_path,
        content,
        [
            (you, "normal", "dddddddddddddddd", 100),
            (they, "normal", "eeeeeeeeeeeeeeee", 100),
            (they, "slow", "ffffffffffffffff", 100),
        ],
    )
    with client:
        cookieless = client.get("/en/screening/rules.json").content
        # With a carer's answers in the cookie, the file is the same: it holds no answers.
        client.post("/en/screening/start", data={"perspective": "they"})
        for q in content.questions:
            client.post(f"/en/screening/q/{q.id}", data={"answer": "yes"})
        assert client.get("/en/screening/result").status_code == 200
        with_answers = client.get("/en/screening/rules.json")
    assert with_answers.content == cookieless
    rules = with_answers.json()
    assert not {"answers", "perspective"} & set(rules)

    for level in speech.OUTCOME_LEVELS:
        for perspective in PERSPECTIVES:
            wording = content.outcome_text(level).for_perspective(perspective)
            said = rules["outcomes"][level][perspective]
            assert said["title"] == wording.title, (level, perspective)
            assert said["summary"] == wording.summary
            assert said["next_steps"] == wording.next_steps
            # Only clips the narration build makes.
            assert clip_ids.outcome(level, perspective) in speech.narration_texts(content)
    avoid = rules["outcomes"]["avoid"]
    assert avoid["they"]["summary"] == content.outcomes.avoid.they.summary
    assert avoid["they"]["summary"] != avoid["you"]["summary"]
    assert avoid["you"]["clips"] == {
        "normal": "/audio/en/dddddddddddddddd.mp3",
        "slow": "/audio/en/dddddddddddddddd.mp3",
    }
    assert avoid["they"]["clips"] == {
        "normal": "/audio/en/eeeeeeeeeeeeeeee.mp3",
        "slow": "/audio/en/ffffffffffffffff.mp3",
    }
    carer, ui = content.carer, content.ui
    assert rules["result"]["you"] == {
        "page_title": content.pwa.offline_result_title,
        "app_name": ui.app_name,
        "heading": ui.result_title,
        "causes_title": carer.result_causes_title,
        "others_title": ui.result_others_title,
        "no_reasons": ui.result_no_reasons,
        "red_flag_not_sure": content.outcomes.red_flag_not_sure.you,
        "print_hint": ui.result_print_hint,
        "disclaimer": content.disclaimer,
    }
    assert rules["result"]["they"] == {
        "page_title": content.pwa.offline_result_title_they,
        "app_name": ui.app_name,
        "heading": carer.result_title_they,
        "causes_title": carer.result_causes_title_they,
        "others_title": carer.result_others_title_they,
        "no_reasons": carer.result_no_reasons_they,
        "red_flag_not_sure": content.outcomes.red_flag_not_sure.they,
        "print_hint": carer.result_print_hint_they,
        "disclaimer": carer.disclaimer_they,
    }


# --- With JavaScript off, every page works as before ----------------------------------------


def test_use_offline_page_explains_it_needs_javascript(
    client: TestClient, content: Content
) -> None:
    page = client.get("/en/offline")
    assert page.status_code == 200
    text = page.text
    assert f"<title>{content.pwa.offline_title} - Inversion Guide</title>" in text
    assert content.pwa.offline_needs_js in text
    # The form exists only inside an inert template: without a script there is nothing to press.
    before_template = text.split("<template", 2)
    assert content.pwa.offline_download not in before_template[0]
    assert 'href="/en/offline"' in client.get("/en/").text


def test_offline_result_page_without_javascript_points_back_to_the_check(
    client: TestClient, content: Content
) -> None:
    page = client.get("/en/screening/offline")
    assert page.status_code == 200
    visible = re.sub(r"<template.*?</template>", "", page.text, flags=re.S)
    assert content.pwa.offline_result_needs_js in visible
    assert visible.count("<h1") == 1
    assert 'href="/en/screening"' in visible


def test_voice_controls_and_keys_are_in_the_page_shown_only_with_javascript(
    client: TestClient, content: Content
) -> None:
    """The voice guide and the keys are in the server's HTML, so the layout is final when the
    page first draws (issue 22); each part is marked ig-js-only (or is the Start screen), which
    the CSS hides unless js/early.js marked <html> before the first paint. The page's h1 is
    its first heading."""
    client.post("/en/screening/start", data={"perspective": "you"})
    page = client.get(f"/en/screening/q/{content.questions[0].id}").text
    parts = {
        content.pwa.start_button: "ig-start ig-js-only",
        content.pwa.repeat: "ig-voice-controls ig-js-only",
        content.pwa.keys_title: "ig-keys ig-js-only",
    }
    for text, marked in parts.items():
        assert page.index(f'class="{marked}"') < page.index(text)
    assert re.findall(r"<h([1-6])", page)[0] == "1" and page.count("<h1") == 1
    assert "data-ig-template" not in page
    early = re.search(r'<script src="([^"]+/js/early\.js)"></script>', page)
    assert early and page.index(early.group(0)) < page.index("</head>")
    css = client.get(re.search(r'href="([^"]+/css/app\.css)"', page).group(1)).text  # type: ignore[union-attr]
    assert (
        "html:not(.ig-js) .ig-js-only, html:not(.ig-voice-unset) .ig-start"
        " { display: none !important; }" in css
    )


def test_my_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    for path in ["/en/offline", "/en/screening/offline", "/en/"]:
        text = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\sstyle=", text), path
        assert "<style" not in text, path


def test_pwa_strings_check_their_placeholders(content: Content) -> None:
    data = content.pwa.model_dump()
    data["offline_progress"] = "{done} of {total}"
    with pytest.raises(ValidationError, match="offline_progress"):
        PwaText.model_validate(data)


def test_offline_list_includes_the_guided_session_tracks(
    clip_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each plan's current track is saved with the clips (answered with 206s when cached); one
    without a recipe (built before recipes) is downloaded whole, even by a worker that makes
    tracks (tests/test_track_recipe.py: tracks with one)."""
    seen = []

    def tracks(
        audio_dir: Path, lang: str, content: Content, speed: str, perspectives: tuple[str, ...]
    ) -> list[LoadedTrack]:
        seen.append((lang, speed, perspectives))
        return [LoadedTrack(f"first-20-{speed}-0123456789abcdef.mp3", 123456, 60.0, [], "0" * 64)]

    monkeypatch.setattr(offline_tracks, "current_tracks", tracks)
    with clip_client:
        data = clip_client.get("/en/offline/files.json?speed=slow&perspective=you").json()
        made_here = clip_client.get(
            "/en/offline/files.json?speed=slow&perspective=you&recipes=1"
        ).json()
    assert seen == [("en", "slow", ("you",))] * 2
    track = {"url": "/audio/en/tracks/first-20-slow-0123456789abcdef.mp3", "bytes": 123456}
    assert {**track, "kind": "clip"} in data["files"]
    assert {**track, "kind": "clip"} in made_here["files"]


def test_offline_list_saves_the_session_tracks_of_one_perspective(
    quiet_audio_dir: Path, content: Content
) -> None:
    """``perspective=you|they``: the tracks the session player plays for that visitor, not the
    other perspective's; pages and clips are the same either way. Without it, both (what a
    worker installed before the parameter existed asks for)."""
    with TestClient(create_app(Settings(audio_dir=quiet_audio_dir, secret_key="t"))) as client:
        lists = {
            name: client.get(f"/en/offline/files.json?speed=normal{query}").json()
            for name, query in [
                ("you", "&perspective=you"),
                ("they", "&perspective=they"),
                ("both", ""),
            ]
        }
        assert client.get("/en/offline/files.json?perspective=carer").status_code == 400

    def tracks(name: str) -> set[str]:
        return {f["url"] for f in lists[name]["files"] if "/tracks/" in f["url"]}

    def the_rest(name: str) -> list[dict[str, Any]]:
        return [f for f in lists[name]["files"] if "/tracks/" not in f["url"]]

    for perspective in PERSPECTIVES:
        expected = current_track_files(
            quiet_audio_dir, "en", content, "normal", perspectives=(perspective,)
        )
        assert len(expected) == len(content.session.plans)
        assert tracks(perspective) == {f"/audio/en/tracks/{name}" for name, _ in expected}
        assert lists[perspective]["perspectives"] == [perspective]
    assert not tracks("you") & tracks("they")
    assert tracks("you") | tracks("they") == tracks("both")
    assert lists["both"]["perspectives"] == ["you", "they"]
    assert the_rest("you") == the_rest("they") == the_rest("both")
    for name in lists:
        assert lists[name]["total_bytes"] == sum(f["bytes"] for f in lists[name]["files"])
    assert lists["you"]["total_bytes"] < lists["both"]["total_bytes"]


def test_use_offline_page_knows_whose_session_tracks_to_save(client: TestClient) -> None:
    """The visitor's perspective, as the session player would use it: "you" until a check was
    started for someone else."""
    assert 'data-perspective="you"' in client.get("/en/offline").text
    client.post("/en/screening/start", data={"perspective": "they"})
    assert 'data-perspective="they"' in client.get("/en/offline").text


def test_a_save_holds_the_clips_its_pages_and_tracks_play_and_no_others(
    quiet_audio_dir: Path, content: Content
) -> None:
    """Every clip a saved page (or rules.json) names is saved, and every clip a track is made
    from; the session's own pages are not saved, so their clips (the checks, stop, gate and
    feeling pages) would never play offline and are not downloaded."""
    with TestClient(create_app(Settings(audio_dir=quiet_audio_dir, secret_key="t"))) as client:
        listing = client.get("/en/offline/files.json?speed=normal&perspective=you&recipes=1")
        files = listing.json()["files"]
        catalog = client.app.state.ig.clips  # type: ignore[attr-defined]
        every_id = speech.narration_texts(content)
        # Every clip URL the catalogue has, however its file is named (a sealed clip's copy
        # is <key16>-<bytes>.mp3), found in the saved pages' text.
        every_url = {
            catalog.url("en", cid, s, padded)
            for cid in every_id
            for s in ("normal", "slow")
            for padded in (True, False)
        }
        texts = [client.get(f["url"]).text for f in files if f["kind"] == "page"]
        named = {url for url in every_url if url and any(url in text for text in texts)}
    clips = {f["url"] for f in files if f["kind"] == "clip"}
    made_from = {url for f in files if f["kind"] == "track" for url in f["recipe"]["clips"]}
    # The on-device result plays the outcome's clip and the "not sure" line (as spoken: the
    # save holds every one, so no padding is needed), and a question page confirms an answer
    # aloud (the padded clip the page names): those are saved, and the padded outcome clips,
    # which no saved page names, are not.
    for level in speech.OUTCOME_LEVELS:
        for who in PERSPECTIVES:
            assert catalog.url("en", clip_ids.outcome(level, who), padded=False) in clips
            assert catalog.url("en", clip_ids.outcome(level, who)) not in clips
    for who in PERSPECTIVES:
        assert catalog.url("en", clip_ids.red_flag_not_sure(who), padded=False) in clips
    for value in ("yes", "no", "not-sure"):
        assert catalog.url("en", clip_ids.answer(value)) in clips
    # "If something goes wrong" is saved, and spoken offline too.
    assert "/en/emergency" in {f["url"] for f in files if f["kind"] == "page"}
    assert catalog.url("en", clip_ids.EMERGENCY, "normal") in clips
    # Pages name both speeds' clips (the slow voice is a switch away); a normal save holds
    # the normal clip of each.
    played = {
        catalog.url("en", cid, "normal", padded)
        for cid in every_id
        for padded in (True, False)
        if {catalog.url("en", cid, "normal", padded), catalog.url("en", cid, "slow", padded)}
        & named
    }
    assert played and made_from
    assert played | made_from == clips
    session_pages = [cid for cid in every_id if cid.startswith("session.check.")]
    assert session_pages
    for clip_id in session_pages:
        assert catalog.url("en", clip_id, "normal") not in clips, clip_id
