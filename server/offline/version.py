"""The app version: a hash of everything a saved page depends on (static files, templates,
the loaded content and the narration catalogue), and what is made once per version.

It is part of ``/sw.js`` (``server.offline.worker``), so any change installs a new worker,
which keeps its caches apart from the old one's until no page uses the old one.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from weakref import WeakKeyDictionary

from starlette.applications import Starlette

from server.content import Content
from server.http.static import STATIC_DIR, TEMPLATES_DIR, tree_digest
from server.http.urls import Urls
from server.speech.catalog import ClipCatalog
from server.web import AppState

NO_CACHE = {"Cache-Control": "no-cache"}


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
