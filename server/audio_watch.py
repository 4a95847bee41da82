"""Narration built while the server runs, picked up without a restart.

``scripts/serve`` answers at once and builds any missing narration behind the server (issue
25: a newcomer's first start). The clip catalogue, the app version and every page kept ready
are made from the manifests when the app's shared state is made, so when a language's
manifest or track index has changed and then stayed unchanged for a few seconds (a build
writes its manifest at checkpoints every 2 s, and the language's tracks after its clips), the
state is made again from the files, as a restart would make it. A language whose build has
ended (its folder's build lock is free) is loaded at the next look, without the wait: its
files are final. Meanwhile pages show all their text, a missing clip is read by the
browser's own voice, and ``/healthz`` says how much narration each language has.

Off by default (``INVERSION_WATCH_NARRATION``): a deployment builds before it serves.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from starlette.applications import Starlette

from server.narration.manifest import MANIFEST_NAME
from server.narration.storage import build_running
from server.narration.trackfiles import INDEX_NAME, tracks_dir
from server.web import AppState

log = logging.getLogger("inversion_guide.narration")

# Seconds a changed language must stay unchanged before it is loaded, and between looks.
SETTLE_SECONDS = 3.0
POLL_SECONDS = 1.0

Files = tuple[int | None, int | None]


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def language_files(audio_dir: Path, lang: str) -> Files:
    """When the language's manifest and track index were last written (None: not there)."""
    return (
        _mtime(audio_dir / lang / MANIFEST_NAME),
        _mtime(tracks_dir(audio_dir, lang) / INDEX_NAME),
    )


class NarrationWatch:
    """Makes the app's shared state again (``make_state``) once a changed language settles."""

    def __init__(
        self,
        app: Starlette,
        make_state: Callable[[], AppState],
        audio_dir: Path,
        langs: Iterable[str],
        settle: float = SETTLE_SECONDS,
    ) -> None:
        self.app = app
        self.make_state = make_state
        self.audio_dir = audio_dir
        self.settle = settle
        now = time.monotonic()
        self.loaded = {lang: language_files(audio_dir, lang) for lang in langs}
        # What each language looked like at the last look, and since when.
        self.seen = {lang: (files, now) for lang, files in self.loaded.items()}

    def check(self, now: float) -> bool:
        """Look once; make the state again when a changed language has settled. True if so."""
        settled = False
        for lang, (files, since) in self.seen.items():
            current = language_files(self.audio_dir, lang)
            if current != files:
                self.seen[lang] = (current, now)
                since = now
            if current != self.loaded[lang] and (
                now - since >= self.settle or not build_running(self.audio_dir / lang)
            ):
                settled = True
        if not settled:
            return False
        self.loaded = {lang: files for lang, (files, _) in self.seen.items()}
        shared = self.app.state.ig = self.make_state()
        catalog = shared.clips
        log.warning("narration loaded again: %d of %d clips", catalog.present, catalog.needed)
        return True

    async def run(self, interval: float = POLL_SECONDS) -> None:
        """Look every ``interval`` seconds until cancelled (the app's lifespan)."""
        while True:
            await asyncio.sleep(interval)
            try:
                self.check(time.monotonic())
            except Exception:  # a half-written file, say: the next look tries again
                log.exception("could not load the narration again")
