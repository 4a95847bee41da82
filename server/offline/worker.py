"""The service worker, ``/sw.js``: the static script with its configuration prepended.

The configuration holds the app version (``version.app_version``), what to save at install
(the shell, per language), the page assets it may copy from the HTTP cache, where static
files and narration come from, and every app URL it must recognise (from the URL helper: the
worker builds none). Made once per app version.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.config import AUDIO_MOUNT, STATIC_MOUNT
from server.http.compression import SharedPage
from server.http.static import STATIC_DIR, shell_files
from server.offline.version import NO_CACHE, app_version, memo_for, urls_of
from server.web import AppState, shared_page_response

SERVICE_WORKER = STATIC_DIR / "js" / "sw.js"


# Pages load these themselves (each page the components it uses): the worker copies the ones
# in the HTTP cache, where the page just put them, and never downloads them at install.
PAGE_ASSETS = ("css/", "js/")
# Too large for a first visit, and only the home-screen install uses them (the browser fetches
# them itself then).
INSTALL_ONLY = frozenset({"icons/icon-512.png", "icons/icon-maskable-512.png"})


def page_assets(app: Starlette) -> list[str]:
    """CSS and scripts: copied by the worker from the HTTP cache at install, never downloaded
    then (the ones no page has used yet are saved when first used, or by "Use offline")."""
    any_urls = urls_of(app, "")
    return [any_urls.static(n) for n in shell_files() if n.startswith(PAGE_ASSETS)]


def shell_urls(app: Starlette) -> list[str]:
    """URLs the service worker downloads at install whatever the language: what a page did
    not load itself (the small icons). Never CSS and JS (see page_assets) and never the
    512 px icons."""
    any_urls = urls_of(app, "")
    return [
        any_urls.static(name)
        for name in shell_files()
        if not name.startswith(PAGE_ASSETS) and name not in INSTALL_ONLY
    ]


def shell_urls_by_language(app: Starlette) -> dict[str, list[str]]:
    """Per language, what the worker downloads at install when a page in that language is
    open (its manifest and its offline page): an English first visit does not download the
    Spanish ones. The worker falls back to every language when it finds no open page."""
    shared: AppState = app.state.ig
    return {
        lang: [urls_of(app, lang).manifest(), urls_of(app, lang).offline()]
        for lang in sorted(shared.contents)
    }


def worker_routes(app: Starlette) -> dict[str, Any]:
    """Every URL the service worker must recognise, from the URL helper (it builds none)."""
    shared: AppState = app.state.ig
    langs: dict[str, dict[str, str]] = {}
    forms: dict[str, str] = {}
    answer_pages: list[str] = []
    data: list[str] = []
    for lang, content in sorted(shared.contents.items()):
        urls = urls_of(app, lang)
        langs[lang] = {
            "home": urls.home(),
            "manifest": urls.manifest(),
            "offline": urls.offline(),
            "offlineResult": urls.offline_result(),
            "offlineFiles": urls.offline_files(),
        }
        # Offline, a sent answer goes on to the on-device result; "start again" to the intro.
        forms[urls.start()] = urls.offline_result()
        forms.update({urls.question(q.id): urls.offline_result() for q in content.questions})
        forms[urls.restart()] = urls.intro()
        answer_pages += [urls.check(), urls.result()]
        data.append(urls.rules())
    manifests = [urls_of(app, shared.settings.default_language).site_manifest()]
    manifests += [urls_of(app, lang).manifest() for lang in langs]
    return {
        "langs": langs,
        "forms": forms,
        "answerPages": answer_pages,
        "data": data,
        "manifest": manifests[0],
        "manifests": manifests,
    }


async def service_worker(request: Request) -> Response:
    """``/sw.js``: the static worker with its version and shell list prepended; never cached
    by the browser (so updates are seen), made once per app version here."""
    app: Starlette = request.app
    memo = memo_for(app)
    if "sw" not in memo:
        try:
            source = SERVICE_WORKER.read_text(encoding="utf-8")
        except OSError as exc:
            raise HTTPException(status_code=404) from exc
        shared: AppState = app.state.ig
        config = {
            "version": app_version(app),
            "shell": shell_urls(app),
            "shellByLang": shell_urls_by_language(app),
            "assets": page_assets(app),
            "staticBase": shared.settings.static_base_url,
            "audioBase": shared.clips.base_url,
            # The app's own paths, which a page may still use with a CDN in front.
            "staticMount": STATIC_MOUNT,
            "audioMount": AUDIO_MOUNT,
            "routes": worker_routes(app),
        }
        memo["sw"] = SharedPage(f"self.IG_CONFIG = {json.dumps(config)};\n{source}", best=True)
    return shared_page_response(request, memo["sw"], 200, NO_CACHE, media_type="text/javascript")
