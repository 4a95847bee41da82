"""The "Use offline" page and what it downloads (files.json): for one language and speed,
every page, static file, narration clip and session track to save, with its size.

The handlers use ``server.web``'s ``render`` so every page gets the same base context.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence, Set
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from server.content import Content
from server.content.perspective import PERSPECTIVES, Perspective
from server.http.static import STATIC_DIR, shell_files
from server.http.urls import Urls
from server.narration import SPEEDS
from server.offline.tracks import track_files
from server.offline.version import NO_CACHE, app_version, memo_for, urls_of
from server.offline.webmanifest import manifest_body
from server.speech import texts as speech
from server.speech.catalog import ClipCatalog
from server.web import AppState, content_for, render

log = logging.getLogger("inversion_guide.offline")


# --- What one language and speed need ------------------------------------------------------


def page_paths(urls: Urls, content: Content) -> list[str]:
    """Every GET page (and data file) the screening needs, as fetched without cookies.

    The check and result pages depend on answers, so they are not stored: offline, the
    service worker sends those requests to the on-device result page instead.
    """
    return [
        urls.home(),
        urls.helping(),
        # "If something goes wrong": most needed where there may be no signal.
        urls.emergency(),
        urls.intro(),
        *(urls.question(q.id) for q in content.questions),
        urls.offline_result(),
        urls.rules(),
        urls.offline(),
    ]


def clip_files(
    content: Content, clips: ClipCatalog, audio_dir: Path, speed: str, played: Set[str]
) -> list[dict[str, Any]]:
    """Each narration clip at ``speed`` (the normal clip where a slow one is missing) that a
    saved page can play: one whose URL, at either speed, is in ``played`` (the saved pages
    and rules.json name them). The session's pages are not saved, so their clips would never
    play offline; the session tracks' clips come with the tracks (``server.offline.tracks``).
    A sealed clip is saved in the form the pages name: padded (question pages' answers) or
    as spoken (rules.json's outcomes)."""
    lang = content.language
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for clip_id in speech.narration_texts(content):
        for padded in (True, False):
            if not any(clips.url(lang, clip_id, s, padded) in played for s in SPEEDS):
                continue
            for candidate in (speed, "normal"):
                url = clips.url(lang, clip_id, candidate, padded)
                if url is None:
                    continue
                if url not in seen:
                    seen.add(url)
                    path = audio_dir / lang / url.rsplit("/", 1)[1]
                    size = path.stat().st_size if path.is_file() else 0
                    out.append({"url": url, "bytes": size, "kind": "clip"})
                break
    return out


async def _inprocess_get(app: Starlette, path: str) -> bytes | None:
    """The body of a cookie-less GET of ``path``, answered by the app itself (no network).

    None when the page does not answer 200 that way, so it cannot be saved.
    """
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 0),
        "server": ("localhost", 80),
    }
    body: list[bytes] = []
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    await app(scope, receive, send)
    if status != 200:
        log.warning(
            "%s answered %d without cookies, so it is left out of offline use", path, status
        )
        return None
    return b"".join(body)


async def page_facts(
    app: Starlette, paths: list[str], version: str, lang: str
) -> dict[str, tuple[int, frozenset[str]]]:
    """Size of each rendered page and the clip URLs it names (those its voice plays),
    remembered per version (pages only change with it).

    Pages that cannot be fetched without cookies are left out.
    """
    shared: AppState = app.state.ig
    cache = shared.page_sizes
    # A clip file is named by its key (<key16>.mp3), a sealed clip's copy by its key and
    # length (<key16>-<bytes>.mp3, narration/seal.py).
    clip_url = re.compile(
        re.escape(f"{shared.clips.base_url}/{lang}/") + r"[0-9a-f]{16}(?:-[0-9]+)?\.mp3"
    )
    out = {}
    for path in paths:
        key = (version, path)
        if key not in cache:
            body = await _inprocess_get(app, path)
            cache[key] = (
                None
                if body is None
                else (len(body), frozenset(clip_url.findall(body.decode("utf-8", "replace"))))
            )
        facts = cache[key]
        if facts is not None:
            out[path] = facts
    return out


def static_files(app: Starlette, urls: Urls, content: Content) -> list[dict[str, Any]]:
    out = []
    for name in shell_files():
        path = STATIC_DIR / name
        out.append(
            {
                "url": urls.static(name),
                "bytes": path.stat().st_size if path.is_file() else 0,
                "kind": "static",
            }
        )
    out.append(
        {
            "url": urls.manifest(),
            "bytes": len(manifest_body(app, content)),
            "kind": "static",
        }
    )
    return out


async def offline_files(request: Request) -> Response:
    """``/<lang>/offline/files.json?speed=normal|slow&perspective=you|they&recipes=1``: every
    URL to save, with its size. ``perspective``: whose session tracks (the visitor's own or a
    carer's, as the player plays them); without it both, for a worker installed before it
    existed, or one carrying over a set such a worker saved. ``recipes=1``: the worker makes
    tracks from their recipes (``track_files``); an older worker, without it, downloads them."""
    content = content_for(request)
    speed = request.query_params.get("speed", "normal")
    asked = request.query_params.get("perspective")
    perspective = Perspective.parse(asked)
    recipes = request.query_params.get("recipes", "0")
    if (
        speed not in SPEEDS
        or (asked is not None and perspective is None)
        or recipes not in ("0", "1")
    ):
        raise HTTPException(status_code=400)
    perspectives = (perspective,) if perspective else PERSPECTIVES
    app: Starlette = request.app
    key = ("files", content.language, speed, perspectives, recipes)
    memo = memo_for(app)
    if key not in memo:
        memo[key] = await _files_body(app, content, speed, perspectives, recipes == "1")
    return Response(memo[key], media_type="application/json", headers=NO_CACHE)


def _each_url_once(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``files`` without repeats: a recipe names clips the language's list has already."""
    seen: set[str] = set()
    out = []
    for file in files:
        if file["url"] not in seen:
            seen.add(file["url"])
            out.append(file)
    return out


async def _files_body(
    app: Starlette, content: Content, speed: str, perspectives: Sequence[Perspective], recipes: bool
) -> bytes:
    """files.json for one language, speed and choice of tracks, made once per app version.

    Pages and clips are the same for both perspectives: saved pages are rendered for no one
    in particular and reworded for a carer on the device (the question component, with the
    "they" clips from rules.json). Only the session tracks, most of the bytes, differ."""
    shared: AppState = app.state.ig
    urls = urls_of(app, content.language)
    version = app_version(app)
    paths = page_paths(urls, content)
    pages = await page_facts(app, paths, version, content.language)
    played = frozenset().union(*(clip_urls for _, clip_urls in pages.values()))
    audio_dir = shared.settings.audio_dir
    listed = [
        *static_files(app, urls, content),
        *({"url": p, "bytes": pages[p][0], "kind": "page"} for p in paths if p in pages),
        *clip_files(content, shared.clips, audio_dir, speed, played),
        *track_files(content, shared.clips, audio_dir, speed, perspectives, recipes=recipes),
    ]
    files = _each_url_once(listed)
    body = {
        "version": version,
        "lang": content.language,
        "speed": speed,
        "perspectives": list(perspectives),
        "files": files,
        # What the device stores, and what it downloads (tracks are made there, not fetched).
        "total_bytes": sum(f["bytes"] for f in files),
        "transfer_bytes": sum(f["bytes"] for f in files if f["kind"] != "track"),
    }
    return json.dumps(body, separators=(",", ":")).encode()


async def offline_page(request: Request) -> Response:
    """``/<lang>/offline``: save every page and clip for one language and speed."""
    content = content_for(request)
    return render(request, "offline.html", content, content.pwa.offline_title, personal=False)
