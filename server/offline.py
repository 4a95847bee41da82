"""Offline use: the app version, the "Use offline" page and what it downloads, and the
screening worked out on the device.

The version is a hash of everything a cached page depends on (static files, templates, the
loaded content and the narration catalogue). It is part of ``/sw.js`` (``server.worker``),
so any change installs a new worker, which keeps its caches apart from the old one's until
no page uses the old one.

The handlers use ``server.web``'s ``render`` so every page gets the same base context.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence, Set
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message

from server.content import Content
from server.content.perspective import PERSPECTIVES, Perspective
from server.http.static import STATIC_DIR, TEMPLATES_DIR, shell_files, tree_digest
from server.http.urls import Urls
from server.narration import SPEEDS
from server.offline_tracks import track_files
from server.speech import clip_ids
from server.speech import texts as speech
from server.speech.catalog import ClipCatalog
from server.web import AppState, content_for, render, state, take_perspective_note
from server.webmanifest import manifest_body

log = logging.getLogger("inversion_guide.offline")

NO_CACHE = {"Cache-Control": "no-cache"}


# --- Versioning ---------------------------------------------------------------------------


def data_digest(contents: dict[str, Content], clips: ClipCatalog) -> bytes:
    """Digest of the loaded content and narration catalogue (both fixed at start-up)."""
    digest = hashlib.sha256()
    for lang in sorted(contents):
        digest.update(contents[lang].model_dump_json().encode())
    digest.update(json.dumps(sorted(map(list, clips.files.items()))).encode())
    digest.update(clips.base_url.encode())
    return digest.digest()


# Per app: its version and the bodies made from it (the service worker, files.json). All of
# it is fixed once the app has started (static files are versioned at start-up, templates are
# not reloaded, content and catalogue are loaded once), so each is made once, not per request:
# hashing the folders for files.json cost 24 ms a request.
_made: WeakKeyDictionary[Starlette, tuple[AppState, dict[Any, Any]]] = WeakKeyDictionary()


def memo_for(app: Starlette) -> dict[Any, Any]:
    """What was made for this app's current state (a new state, e.g. in a test, starts over)."""
    shared: AppState = app.state.ig
    made = _made.get(app)
    if made is None or made[0] is not shared:
        made = _made[app] = (shared, {})
    return made[1]


def app_version(app: Starlette) -> str:
    """A short hash of everything a cached page or asset depends on (made once per app)."""
    memo = memo_for(app)
    if "version" not in memo:
        shared: AppState = app.state.ig
        digest = hashlib.sha256()
        digest.update(tree_digest(STATIC_DIR))
        digest.update(tree_digest(TEMPLATES_DIR))
        digest.update(shared.data_digest)
        digest.update(shared.settings.static_base_url.encode())
        memo["version"] = digest.hexdigest()[:16]
    version: str = memo["version"]
    return version


def urls_of(app: Starlette, lang: str) -> Urls:
    shared: AppState = app.state.ig
    return Urls(app, lang, shared.static_version, shared.settings.static_base_url)


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
    play offline; the session tracks' clips come with the tracks (``offline_tracks``).
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


# --- Screening on the device -----------------------------------------------------------------


def screening_rules(urls: Urls, content: Content, clips: ClipCatalog) -> dict[str, Any]:
    """What the browser needs to finish a screening offline: questions, levels and outcomes.

    The rule itself (server/screening/rule.py) is three lines; the script repeats it from
    these levels, and a browser test checks both agree. What the result says is here in both
    perspectives, as the result page words it (``outcomes[level][perspective]`` and
    ``result[perspective]``): the device knows who is answering, the saved copy does not.
    """
    lang = content.language

    def clip_pair(clip_id: str) -> dict[str, str | None]:
        # A save holds every clip rules.json names, and the device plays them with no
        # request: sealed clips as spoken, without their padding.
        normal = clips.url(lang, clip_id, "normal", padded=False)
        slow = clips.url(lang, clip_id, "slow", padded=False)
        return {"normal": normal, "slow": slow or normal}

    outcomes = {}
    for level in speech.OUTCOME_LEVELS:
        outcome = content.outcome_text(level)
        outcomes[level] = {
            p: {
                **outcome.for_perspective(p).model_dump(),
                "clips": clip_pair(clip_ids.outcome(level, p)),
            }
            for p in PERSPECTIVES
        }
    return {
        "lang": lang,
        "levels": list(speech.OUTCOME_LEVELS),
        "intro_url": urls.intro(),
        "questions": [
            {
                "id": q.id,
                "title": q.title,
                **{p.value: q.asked(p) for p in PERSPECTIVES},
                "level": q.level.value,
                "url": urls.question(q.id),
                "clips": {p: clip_pair(clip_ids.question(q.id, p)) for p in PERSPECTIVES},
            }
            for q in content.questions
        ],
        "outcomes": outcomes,
        # Said after the outcome when a warning sign was answered Not sure (as result.html).
        "red_flag_not_sure_clips": {
            p: clip_pair(clip_ids.red_flag_not_sure(p)) for p in PERSPECTIVES
        },
        "result": {p: result_wording(content, p) for p in PERSPECTIVES},
    }


def result_wording(content: Content, perspective: Perspective) -> dict[str, str]:
    """The result page's headings and fixed lines in one perspective (as result.html)."""
    ui, carer, they = content.ui, content.carer, perspective == Perspective.THEY
    not_sure = content.outcomes.red_flag_not_sure
    pwa = content.pwa
    return {
        "page_title": pwa.offline_result_title_they if they else pwa.offline_result_title,
        "app_name": ui.app_name,
        "heading": carer.result_title_they if they else ui.result_title,
        "causes_title": carer.result_causes_title_they if they else carer.result_causes_title,
        "others_title": carer.result_others_title_they if they else ui.result_others_title,
        "no_reasons": carer.result_no_reasons_they if they else ui.result_no_reasons,
        "red_flag_not_sure": not_sure.said_to(perspective),
        "print_hint": carer.result_print_hint_they if they else ui.result_print_hint,
        "disclaimer": carer.disclaimer_they if they else content.disclaimer,
    }


async def rules_json(request: Request) -> Response:
    """``/<lang>/screening/rules.json``: no answers in it, so it may be cached."""
    content = content_for(request)
    shared = state(request)
    urls = urls_of(request.app, content.language)
    return JSONResponse(screening_rules(urls, content, shared.clips), headers=NO_CACHE)


async def offline_result(request: Request) -> Response:
    """``/<lang>/screening/offline``: the result worked out in the browser from its answers."""
    content, note = content_for(request), take_perspective_note(request)
    title = content.pwa.offline_result_title
    return render(request, "offline_result.html", content, title, perspective_note=note)


async def offline_page(request: Request) -> Response:
    """``/<lang>/offline``: save every page and clip for one language and speed."""
    content = content_for(request)
    return render(request, "offline.html", content, content.pwa.offline_title, personal=False)
